//! OpenSession: take a network floating seat (wire.md §3.10, rules FLT-4, CON-8).

use unlockd_core::floating::OpenRequest;
use unlockd_core::{LicenseId, Password, SystemIdentifier};

use super::{certificate, Failed, OpContext, Reply};
use crate::error::InputError;
use crate::fields::Fields;
use crate::service::FloatingService;

/// A parsed OpenSession request.
#[derive(Debug)]
pub(crate) struct OpenSession {
    license_id: LicenseId,
    password: Password,
    installation_name: Option<String>,
    identifiers: Vec<SystemIdentifier>,
}

impl OpenSession {
    /// Reads LicenseID, Password, InstallationName (string(255)) and the
    /// SystemIdentifiers, which the session stores as sent; SessionCode is the frame's.
    pub(crate) fn parse(f: &Fields<'_>) -> Result<Self, InputError> {
        Ok(Self {
            identifiers: f.identifiers()?,
            license_id: f.parse_required("LicenseID", LicenseId::parse)?,
            password: f.parse_required("Password", Password::parse)?,
            installation_name: f.bounded("InstallationName", 255)?,
        })
    }

    /// The license whose seat is asked for.
    pub(crate) fn license_id(&self) -> LicenseId {
        self.license_id
    }

    /// Opens the session and writes the signed NetworkSession certificate.
    #[tracing::instrument(skip_all, fields(license_id = %self.license_id))]
    pub(crate) async fn apply<S: FloatingService>(
        self,
        svc: &S,
        ctx: OpContext<'_>,
    ) -> Result<Reply, Failed> {
        let request = OpenRequest {
            license_id: self.license_id,
            password: self.password,
            client_time: ctx.client_time,
            identifiers: self.identifiers,
        };
        let grant = svc
            .open_session(request, self.installation_name, ctx.request)
            .await?;
        Ok(Reply {
            update_counter: Some(grant.update_counter),
            outputs: certificate::signed(&grant, ctx.keys)?,
        })
    }
}
