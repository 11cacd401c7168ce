//! GetLicenseFile (wire.md §3.6, rules CHK-1): the license file of an installation
//! that is still active, with the license's UpdateCounter moved by one (§7.3), in one
//! transaction under the license lock (CON-1). A refusal writes nothing.

use diesel::prelude::*;
use time::OffsetDateTime;
use unlockd_core::activation::{Grant, Policy};
use unlockd_core::license_file::LicenseFileData;
use unlockd_core::refresh::{self, RefreshRequest};
use unlockd_core::{EncryptionKeyId, Refusal};

use crate::activation::check_key;
use crate::convert;
use crate::db::{self, Conn};
use crate::error::StoreError;
use crate::history;
use crate::load::{self, LicenseBundle};
use crate::offline::{take_claim, OfflineClaim};
use crate::schema::licenses;
use crate::Store;

impl Store {
    /// Refreshes the license file of `req.installation_id`: finds its record, locks its
    /// license, claims `claim` (offline, §7.3: a second use is
    /// [`StoreError::OfflineReused`]), checks that `key_id` is a key of the license's
    /// author (5003), lets core decide, then commits the new UpdateCounter and a success
    /// history row. The file describes the installation's grant: its start, event data
    /// and stored identifiers.
    pub fn refresh_license_file(
        &self,
        req: &RefreshRequest,
        key_id: EncryptionKeyId,
        claim: Option<&OfflineClaim>,
        now: OffsetDateTime,
        policy: &Policy,
    ) -> Result<LicenseFileData, StoreError> {
        self.write(|conn| refresh_in(conn, req, key_id, claim, now, policy))
    }
}

fn refresh_in(
    conn: &mut Conn,
    req: &RefreshRequest,
    key_id: EncryptionKeyId,
    claim: Option<&OfflineClaim>,
    now: OffsetDateTime,
    policy: &Policy,
) -> Result<LicenseFileData, StoreError> {
    let not_found = || StoreError::Refused(Refusal::InstallationNotFound);
    let found = load::record_by_installation(conn, &req.installation_id)?.ok_or_else(not_found)?;
    // CON-1: lock the license, then read the record again (it may have changed).
    db::lock_license(conn, found.license_id)?;
    if let Some(claim) = claim {
        take_claim(conn, claim, now)?;
    }
    let row = load::record_by_installation(conn, &req.installation_id)?.ok_or_else(not_found)?;
    let bundle = LicenseBundle::load(conn, row.license_id)?.ok_or(StoreError::NotFound)?;
    check_key(conn, Some(key_id), bundle.product.author_id)?;
    let (license, rules) = bundle.state()?;
    let record = convert::record(&row)?;
    let done = refresh::refresh(Some((&license, &rules, &record)), req, now, policy)?;
    diesel::update(licenses::table.find(row.license_id))
        .set(licenses::update_counter.eq(done.update_counter))
        .execute(conn)?;
    history::record_success(
        conn,
        now,
        history::REFRESH_OPERATION,
        license.id,
        Some(&req.installation_id),
        "Refresh",
        None,
    )?;
    let event_data = row
        .stored_reply
        .as_deref()
        .and_then(Grant::from_stored_reply)
        .and_then(|grant| grant.event_data);
    bundle.file_source().file_data(
        record.installation_id,
        event_data,
        record.granted_at,
        done.update_counter,
        record.key.identifiers().to_vec(),
    )
}
