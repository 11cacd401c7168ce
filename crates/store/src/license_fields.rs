//! License edits of XmlLicenseService (wire.md §3.7) under the license lock (CON-1):
//! UpdateActivationFields (errata E-18) for the author, UpdateUserDefinedFields
//! (UDF-1) and the client-mode InfoCheck for the license's own client (ACT-3,
//! ERR-1).

use diesel::prelude::*;
use time::OffsetDateTime;
use unlockd_core::activation::Policy;
use unlockd_core::license_record::{ActivationFieldChanges, LicenseRecord, UserDefinedFields};
use unlockd_core::udf::{self, UdfRequest, UdfUpdated};
use unlockd_core::{credentials, status, AuthorId, LicenseId, LicenseStatus, Password};

use crate::db::{self, Conn};
use crate::history;
use crate::license_office::{license_author_guard, load_record, record};
use crate::load::LicenseBundle;
use crate::rows::LicenseRow;
use crate::schema::licenses;
use crate::{Store, StoreError};

/// The history operation of a successful UpdateUserDefinedFields.
const UDF_OPERATION: &str = "UpdateUserDefinedFields";

/// The user-defined field columns, written together (`None` stores NULL).
#[derive(AsChangeset)]
#[diesel(table_name = licenses, treat_none_as_null = true)]
struct UdfColumns {
    udef_char1: Option<String>,
    udef_char2: Option<String>,
    udef_char3: Option<String>,
    udef_char4: Option<String>,
    udef_char5: Option<String>,
    udef_char6: Option<String>,
    udef_char7: Option<String>,
    udef_char8: Option<String>,
    udef_char9: Option<String>,
    udef_char10: Option<String>,
    udef_num1: Option<i64>,
    udef_num2: Option<i64>,
    udef_num3: Option<i64>,
    udef_num4: Option<i64>,
    udef_num5: Option<i64>,
    update_counter: i64,
}

impl UdfColumns {
    fn new(f: UserDefinedFields, update_counter: i64) -> Self {
        let [c1, c2, c3, c4, c5, c6, c7, c8, c9, c10] = f.chars;
        let [n1, n2, n3, n4, n5] = f.nums;
        Self {
            udef_char1: c1,
            udef_char2: c2,
            udef_char3: c3,
            udef_char4: c4,
            udef_char5: c5,
            udef_char6: c6,
            udef_char7: c7,
            udef_char8: c8,
            udef_char9: c9,
            udef_char10: c10,
            udef_num1: n1,
            udef_num2: n2,
            udef_num3: n3,
            udef_num4: n4,
            udef_num5: n5,
            update_counter,
        }
    }
}

impl Store {
    /// UpdateActivationFields on a license of `author` (another author's or unknown:
    /// [`StoreError::UnknownReference`]). The status follows errata E-18 (else
    /// [`unlockd_core::Refusal::Transition`]); raising ActivationsLeft raises the
    /// refund cap by as much (an admin increment, E-16). Returns the license as stored.
    pub fn update_activation_fields(
        &self,
        author: AuthorId,
        id: LicenseId,
        changes: &ActivationFieldChanges,
    ) -> Result<LicenseRecord, StoreError> {
        self.write(|conn| {
            db::lock_license(conn, id.get())?;
            license_author_guard(conn, author, id)?;
            let current: LicenseRow = licenses::table
                .find(id.get())
                .select(LicenseRow::as_select())
                .get_result(conn)?;
            apply_activation_fields(conn, &current, changes)?;
            load_record(conn, author, id)
        })
    }

    /// UpdateUserDefinedFields (UDF-1) under the license lock: credentials, clock
    /// (E-13), STS-3 and the option's writable flag decided by core; only the named
    /// fields change, the update counter moves (wire.md §7.3) and one success history
    /// row is written.
    pub fn update_user_defined_fields(
        &self,
        req: &UdfRequest,
        now: OffsetDateTime,
        policy: &Policy,
    ) -> Result<UdfUpdated, StoreError> {
        self.write(|conn| {
            let id = req.license_id.get();
            db::lock_license(conn, id)?;
            let bundle = LicenseBundle::load(conn, id)?;
            let state = bundle.as_ref().map(LicenseBundle::state).transpose()?;
            let writable = bundle.as_ref().is_some_and(|b| b.option.udf_writable);
            let update_counter = udf::check(
                state.as_ref().map(|(l, o)| (l, o)),
                writable,
                req,
                now,
                policy,
            )?;
            let current = bundle
                .map(|b| record(b.license, b.product.id))
                .transpose()?
                .ok_or(StoreError::NotFound)?;
            let fields = req.changes.apply(&current.user_defined_fields);
            diesel::update(licenses::table.find(id))
                .set(UdfColumns::new(fields.clone(), update_counter))
                .execute(conn)?;
            history::record_success(conn, now, UDF_OPERATION, req.license_id, None, "", None)?;
            Ok(UdfUpdated {
                fields,
                update_counter,
            })
        })
    }

    /// The license `id` for its own client (InfoCheck client mode): the Activation or
    /// customer password must match (ACT-3), an unknown license and a wrong password
    /// alike give [`unlockd_core::Refusal::Credentials`] (ERR-1). Reads only.
    pub fn license_record_for_client(
        &self,
        id: LicenseId,
        password: &Password,
    ) -> Result<LicenseRecord, StoreError> {
        self.read(|conn| {
            let bundle = LicenseBundle::load(conn, id.get())?;
            let state = bundle.as_ref().map(LicenseBundle::state).transpose()?;
            credentials::check(state.as_ref().map(|(l, _)| l), password)?;
            let bundle = bundle.ok_or(StoreError::NotFound)?;
            record(bundle.license, bundle.product.id)
        })
    }
}

fn apply_activation_fields(
    conn: &mut Conn,
    current: &LicenseRow,
    changes: &ActivationFieldChanges,
) -> Result<(), StoreError> {
    let id = current.id;
    if let Some(to) = changes.status {
        let from = LicenseStatus::from_name(&current.status)
            .ok_or_else(|| StoreError::Config("stored license has an invalid status".into()))?;
        status::check_transition(from, to)?;
        diesel::update(licenses::table.find(id))
            .set(licenses::status.eq(to.name()))
            .execute(conn)?;
    }
    if let Some(left) = changes.activations_left {
        let raised = left.saturating_sub(current.activations_left).max(0);
        diesel::update(licenses::table.find(id))
            .set((
                licenses::activations_left.eq(left),
                licenses::activations_allowed
                    .eq(current.activations_allowed.saturating_add(raised)),
            ))
            .execute(conn)?;
    }
    if let Some(dl) = changes.deactivations_left {
        diesel::update(licenses::table.find(id))
            .set(licenses::deactivations_left.eq(dl))
            .execute(conn)?;
    }
    if let Some(counter) = changes.license_counter {
        diesel::update(licenses::table.find(id))
            .set(licenses::license_counter.eq(Some(counter)))
            .execute(conn)?;
    }
    if let Some(expiration) = changes.expiration {
        diesel::update(licenses::table.find(id))
            .set(licenses::expiration.eq(expiration))
            .execute(conn)?;
    }
    if let Some(ips) = &changes.allowed_ips {
        diesel::update(licenses::table.find(id))
            .set(licenses::allowed_ips.eq(ips.as_deref()))
            .execute(conn)?;
    }
    if let Some(update) = &changes.license_update {
        diesel::update(licenses::table.find(id))
            .set(licenses::license_update.eq(update))
            .execute(conn)?;
    }
    Ok(())
}
