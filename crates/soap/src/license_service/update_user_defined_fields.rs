//! UpdateUserDefinedFields (wire.md §3.7, rules UDF-1, errata E-13, E-15): a client
//! call of XmlLicenseService in the client frame of §2.5 (EncryptionKeyID,
//! PrivateData, protection), without an S form. In: LicenseID, Password,
//! UserDefinedFields (only the given elements change; an empty one clears its field);
//! out: every set field of UserDefinedFields. Needs the option's "User Defined Fields
//! Writable", else 5023.

use unlockd_core::udf::{UdfChanges, UdfRequest};
use unlockd_core::{LicenseId, ParseError, Password};

use super::add::udef_names;
use super::record;
use crate::error::InputError;
use crate::fields::Fields;
use crate::ops::{Failed, OpContext, Reply};
use crate::service::ActivationService;
use crate::value;

/// Most characters of a UDefChar field (wire.md §3.7).
const MAX_UDEF_CHAR: usize = 255;

/// A parsed UpdateUserDefinedFields request.
#[derive(Debug)]
pub(crate) struct UpdateUserDefinedFields {
    license_id: LicenseId,
    password: Password,
    changes: UdfChanges,
}

impl UpdateUserDefinedFields {
    /// Reads LicenseID, Password and the named UserDefinedFields (5002 when missing,
    /// repeated, too long or not a long).
    pub(crate) fn parse(f: &Fields<'_>) -> Result<Self, InputError> {
        let license_id = f.parse_required("LicenseID", LicenseId::parse)?;
        let password = f.parse_required("Password", Password::parse)?;
        let element = f
            .element("UserDefinedFields")?
            .ok_or(InputError::Missing("UserDefinedFields"))?;
        let inner = Fields::new(element);
        let (chars, nums) = udef_names();
        let mut changes = UdfChanges::default();
        for (slot, name) in changes.chars.iter_mut().zip(chars) {
            if inner.element(name)?.is_some() {
                *slot = Some(inner.parse(name, |s| {
                    value::bounded(s, MAX_UDEF_CHAR).map(str::to_owned)
                })?);
            }
        }
        for (slot, name) in changes.nums.iter_mut().zip(nums) {
            if inner.element(name)?.is_some() {
                *slot = Some(inner.parse(name, |s| {
                    s.trim().parse::<i64>().map_err(|_| ParseError::Integer)
                })?);
            }
        }
        Ok(Self {
            license_id,
            password,
            changes,
        })
    }

    /// The license whose fields change.
    pub(crate) fn license_id(&self) -> LicenseId {
        self.license_id
    }

    /// Changes the fields and writes them all.
    #[tracing::instrument(skip_all, fields(license_id = %self.license_id))]
    pub(crate) async fn apply<S: ActivationService>(
        self,
        svc: &S,
        ctx: OpContext<'_>,
    ) -> Result<Reply, Failed> {
        let request = UdfRequest {
            license_id: self.license_id,
            password: self.password,
            changes: self.changes,
            client_time: ctx.client_time,
        };
        let done = svc.update_user_defined_fields(request, ctx.request).await?;
        Ok(Reply {
            update_counter: Some(done.update_counter),
            outputs: record::user_defined_fields(&done.fields),
        })
    }
}
