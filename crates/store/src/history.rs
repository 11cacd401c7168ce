//! The attempt history (rules ACT-5, errata E-3): success rows are written inside the
//! transaction that commits the change; refusals arrive through
//! [`Store::record_attempt`].

use diesel::prelude::*;
use time::OffsetDateTime;
use unlockd_core::history::Attempt;
use unlockd_core::{ActivationPath, InstallationId, LicenseId};

use crate::convert::to_db_time;
use crate::db::{direct, Conn};
use crate::error::StoreError;
use crate::rows::NewHistoryRow;
use crate::schema::activation_history;
use crate::Store;

/// Operation names of success rows, as the façade names the SOAP operations.
pub(crate) fn activation_operation(path: ActivationPath) -> &'static str {
    match path {
        ActivationPath::TriggerCode => "ActivateInstallation",
        ActivationPath::LicenseFile => "ActivateInstallationLicenseFile",
    }
}
pub(crate) const DEACTIVATE_OPERATION: &str = "DeactivateInstallation";
pub(crate) const DECREMENT_OPERATION: &str = "DecrementLicenseCounter";
pub(crate) const REFRESH_OPERATION: &str = "GetLicenseFile";

/// A success row (result code 0), written in the caller's transaction.
pub(crate) fn record_success(
    conn: &mut Conn,
    at: OffsetDateTime,
    operation: &str,
    license: LicenseId,
    installation: Option<&InstallationId>,
    reason: &str,
    ip: Option<String>,
) -> Result<(), StoreError> {
    let row = NewHistoryRow {
        at: to_db_time(at),
        operation: operation.to_owned(),
        license_id: Some(license.get()),
        installation_id: installation.map(ToString::to_string),
        result_code: 0,
        reason: reason.to_owned(),
        ip,
    };
    direct!(conn, |c| diesel::insert_into(activation_history::table)
        .values(&row)
        .execute(c))?;
    Ok(())
}

impl Store {
    /// Writes one attempt-history row for a refused or faulted request, durably
    /// (errata E-3: required, committed before the answer is sent).
    pub fn record_attempt(&self, a: &Attempt, now: OffsetDateTime) -> Result<(), StoreError> {
        let row = NewHistoryRow {
            at: to_db_time(now),
            operation: a.operation.clone(),
            license_id: a.license_id.map(LicenseId::get),
            installation_id: a.installation_id.map(|i| i.to_string()),
            result_code: a.result_code,
            reason: a.reason.clone(),
            ip: a.client_ip.map(|ip| ip.to_string()),
        };
        self.write(|conn| {
            direct!(conn, |c| diesel::insert_into(activation_history::table)
                .values(&row)
                .execute(c))?;
            Ok(())
        })
    }

    /// Number of attempt-history rows (successes and refusals).
    pub fn history_count(&self) -> Result<i64, StoreError> {
        let mut conn = self.conn()?;
        Ok(activation_history::table.count().get_result(&mut conn)?)
    }
}
