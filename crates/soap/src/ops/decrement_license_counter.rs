//! DecrementLicenseCounter: take from a Decrementing License Counter (wire.md §3.5,
//! rules CNT-2).

use unlockd_core::counter::DecrementRequest;
use unlockd_core::{InstallationId, LicenseId, ParseError, Password};

use super::{Failed, OpContext, Reply};
use crate::error::InputError;
use crate::fields::Fields;
use crate::service::ActivationService;
use crate::value;
use crate::xml::XmlWriter;

/// Largest Amount one call may take (wire.md §3.5).
const MAX_AMOUNT: u32 = 1_000_000;

/// A parsed DecrementLicenseCounter request.
#[derive(Debug)]
pub(crate) struct DecrementLicenseCounter {
    license_id: LicenseId,
    password: Password,
    amount: u32,
    installation_id: Option<InstallationId>,
    transaction_id: Option<String>,
}

impl DecrementLicenseCounter {
    /// Reads the §3.5 input fields; Amount defaults to 1 and must be 1..=1000000.
    pub(crate) fn parse(f: &Fields<'_>) -> Result<Self, InputError> {
        Ok(Self {
            license_id: f.parse_required("LicenseID", LicenseId::parse)?,
            password: f.parse_required("Password", Password::parse)?,
            amount: f.parse("Amount", amount)?.unwrap_or(1),
            installation_id: f.parse("InstallationID", InstallationId::parse)?,
            transaction_id: f.bounded("TransactionID", 64)?,
        })
    }

    /// The license whose counter moves.
    pub(crate) fn license_id(&self) -> LicenseId {
        self.license_id
    }

    /// The installation the client named (logged only).
    pub(crate) fn installation_id(&self) -> Option<InstallationId> {
        self.installation_id
    }

    /// Decrements and writes LicenseCounter (after the call).
    #[tracing::instrument(skip_all, fields(license_id = %self.license_id))]
    pub(crate) async fn apply<S: ActivationService>(
        self,
        svc: &S,
        ctx: OpContext<'_>,
    ) -> Result<Reply, Failed> {
        let request = DecrementRequest {
            license_id: self.license_id,
            password: self.password,
            amount: self.amount,
            client_time: ctx.client_time,
        };
        let done = svc
            .decrement_counter(request, self.transaction_id, ctx.request)
            .await?;
        let mut w = XmlWriter::fragment();
        w.element("LicenseCounter", &done.counter.to_string());
        Ok(Reply {
            update_counter: Some(done.update_counter),
            outputs: w.finish(),
        })
    }
}

fn amount(s: &str) -> Result<u32, ParseError> {
    let v = value::int(s)?;
    u32::try_from(v)
        .ok()
        .filter(|v| (1..=MAX_AMOUNT).contains(v))
        .ok_or(ParseError::Range)
}
