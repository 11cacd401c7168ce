//! Activation (rules ACT-2): one write transaction per request locks and re-reads
//! the license, loads what core's `history_query` asks for, decides with core, and
//! commits the grant's effects with a success history row (A17, CON-1..3, CON-6).

use diesel::prelude::*;
use rand::RngCore;
use time::{OffsetDateTime, PrimitiveDateTime};
use unlockd_core::activation::{
    self, ActivationRequest, ActivationSnapshot, Decision, Grant, HistoryQuery, Policy,
};
use unlockd_core::license_file::LicenseFileData;
use unlockd_core::trigger::{self, Tc1, TriggerCodeAlgorithm};
use unlockd_core::{
    ActivationPath, DeactivationReason, EncryptionKeyId, Guid, InstallationId, Refusal, Version,
};

use crate::convert::{self, to_db_time, STATE_ACTIVE, STATE_DEACTIVATED};
use crate::db::{self, direct, Conn};
use crate::error::StoreError;
use crate::grant_update::GrantUpdate;
use crate::history;
use crate::load::{self, LicenseBundle, LicenseFacts};
use crate::rows::NewRecordRow;
use crate::schema::{activation_records, encryption_keys, licenses};
use crate::Store;

/// How often a fresh installation ID is redrawn when it is already taken (ACT-5).
/// A repeat of 128 random bits means a broken RNG, not bad luck.
const INSTALLATION_ID_DRAWS: usize = 8;

/// A committed (or ACT-7 replayed) activation with everything the answer carries
/// besides the grant, all read in the grant's transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Activated {
    /// The grant.
    pub grant: Grant,
    /// License file content (license-file path only).
    pub license_file: Option<LicenseFileData>,
    /// The license's License Update text (wire.md §3.1 `LicenseUpdate`).
    pub license_update: String,
    /// The option's Minimum Activation Version, if set (§3.1 `MinimumVersion`).
    pub minimum_version: Option<Version>,
    /// The option's Minimum Activation URL, if set (§3.1 `MinimumVersionURL`).
    pub minimum_version_url: Option<String>,
    /// The product's name (ActivateLicense `Product`, wire.md §3.9).
    pub product_name: String,
    /// The license's quantity (ActivateLicense `Quantity`).
    pub quantity: i32,
}

impl Store {
    /// [`Store::activate_detailed`] without the answer's extra fields.
    pub fn activate(
        &self,
        req: &ActivationRequest,
        key_id: EncryptionKeyId,
        now: OffsetDateTime,
        policy: &Policy,
        rng: &mut dyn RngCore,
    ) -> Result<(Grant, Option<LicenseFileData>), StoreError> {
        self.activate_detailed(req, key_id, now, policy, rng)
            .map(|a| (a.grant, a.license_file))
    }

    /// Activates per rules ACT-2 (trigger-code or license-file path per `req.path`).
    ///
    /// On a grant, commits in one transaction: the new activation record (its stored
    /// reply for ACT-7), the REA-3 supersede, the first IP (IP-5), the expiration
    /// reset (EXP-2), activations_left, the update counter and a success history row;
    /// returns after the durable commit (CON-6). An ACT-7 replay returns the earlier
    /// grant and writes nothing. On the license-file path the license file content is
    /// read in the same transaction.
    ///
    /// `key_id` must name a non-revoked key of the license's product author, else
    /// [`StoreError::KeyNotForLicense`] (checked once the credentials passed, so an
    /// unknown license still answers E-CRED, ERR-1). A refusal is
    /// `Err(StoreError::Refused(_))` with nothing written.
    pub fn activate_detailed(
        &self,
        req: &ActivationRequest,
        key_id: EncryptionKeyId,
        now: OffsetDateTime,
        policy: &Policy,
        rng: &mut dyn RngCore,
    ) -> Result<Activated, StoreError> {
        self.write(|conn| activate_in(conn, req, Some(key_id), now, policy, rng))
    }

    /// Activates from a legacy surface without an EncryptionKeyID (activationserver.asmx
    /// ActivateLicense, PP4 getcode.asp; wire.md §3.9, §3.11), as
    /// [`Store::activate_detailed`] does otherwise. A non-zero `serial` must equal the
    /// license's SerialNumber, else E-CRED like a wrong password (errata E-21).
    pub fn activate_legacy(
        &self,
        req: &ActivationRequest,
        serial: Option<i32>,
        now: OffsetDateTime,
        policy: &Policy,
        rng: &mut dyn RngCore,
    ) -> Result<Activated, StoreError> {
        self.write(|conn| {
            if let Some(serial) = serial {
                let stored: Option<Option<i32>> = licenses::table
                    .find(req.license_id.get())
                    .select(licenses::serial_number)
                    .get_result(conn)
                    .optional()?;
                if stored.flatten() != Some(serial) {
                    return Err(StoreError::Refused(Refusal::Credentials));
                }
            }
            activate_in(conn, req, None, now, policy, rng)
        })
    }
}

/// The body of [`Store::activate_detailed`], inside the caller's transaction. `key_id`
/// `None` skips the key check: the PP4 manual paths and the legacy surfaces carry no
/// EncryptionKeyID and are authorised otherwise.
pub(crate) fn activate_in(
    conn: &mut Conn,
    req: &ActivationRequest,
    key_id: Option<EncryptionKeyId>,
    now: OffsetDateTime,
    policy: &Policy,
    rng: &mut dyn RngCore,
) -> Result<Activated, StoreError> {
    // CON-1/CON-2: the seat count is read and taken under the license lock.
    db::lock_license(conn, req.license_id.get())?;
    let facts = LicenseFacts::load(conn, req.license_id.get())?;
    let (license, rules) = match &facts {
        Some(f) => (Some(&f.license), Some(&f.rules)),
        None => (None, None),
    };
    let alg: &dyn TriggerCodeAlgorithm = match rules {
        // An unknown license still runs the pipeline (ERR-1: same work, same answer).
        None => &Tc1,
        Some(r) => trigger::algorithm(&r.tc_algorithm).ok_or(Refusal::Config)?,
    };
    // ERR-1: an unknown license runs the same record queries (they find nothing), so
    // it costs about what a wrong password costs.
    let q = match rules {
        Some(r) => activation::history_query(req, r),
        None => HistoryQuery {
            key_fingerprint: req.key.fingerprint(),
            computer_id_window: None,
        },
    };
    let id = req.license_id.get();
    let records = load::candidate_records(conn, id, &q)?
        .iter()
        .map(convert::record)
        .collect::<Result<Vec<_>, _>>()?;
    let (last_counted_at, has_grant) = grant_history(conn, id)?;
    let snap = ActivationSnapshot {
        license,
        rules,
        records: &records,
        last_counted_at,
        has_grant,
    };
    let decision = activation::activate(&snap, req, now, policy, alg, rng);
    let (decision, license, rules) = match (decision, license, rules, &facts) {
        (Ok(d), Some(l), Some(r), Some(f)) => {
            check_key(conn, key_id, f.product.author_id)?;
            (d, l, r)
        }
        (Err(refusal), Some(_), Some(_), Some(f)) if refusal != Refusal::Credentials => {
            check_key(conn, key_id, f.product.author_id)?;
            return Err(StoreError::Refused(refusal));
        }
        (Err(refusal), ..) => return Err(StoreError::Refused(refusal)),
        (Ok(_), ..) => return Err(StoreError::Refused(Refusal::Credentials)),
    };
    let (grant, license_file) = match decision {
        Decision::Replay { record_id, grant } => {
            let granted_at = activation_records::table
                .find(record_id)
                .select(activation_records::granted_at)
                .get_result(conn)?;
            let file = license_file(conn, req, &grant, convert::from_db_time(granted_at))?;
            (grant, file)
        }
        Decision::Grant(grant) => {
            let grant = commit_grant(conn, req, license, q.key_fingerprint, grant, now, rng)?;
            let file = license_file(conn, req, &grant, now)?;
            (grant, file)
        }
    };
    Ok(Activated {
        grant,
        license_file,
        license_update: license.license_update.clone(),
        minimum_version: rules.min_version,
        minimum_version_url: rules.min_version_url.clone(),
        product_name: facts
            .as_ref()
            .map(|f| f.product.name.clone())
            .unwrap_or_default(),
        quantity: license.quantity,
    })
}

/// The key must exist, not be revoked, and belong to the license's author (5003).
pub(crate) fn check_key(
    conn: &mut Conn,
    key_id: Option<EncryptionKeyId>,
    author_id: i32,
) -> Result<(), StoreError> {
    let Some(key_id) = key_id else {
        return Ok(());
    };
    let id = key_id.to_string();
    // Two columns, not the key material.
    let key: Option<(i32, Option<PrimitiveDateTime>)> = direct!(conn, |c| encryption_keys::table
        .find(&id)
        .select((encryption_keys::author_id, encryption_keys::revoked_at))
        .get_result(c)
        .optional())?;
    match key {
        Some((owner, None)) if owner == author_id => Ok(()),
        _ => Err(StoreError::KeyNotForLicense),
    }
}

/// In one statement: granted_at of the license's latest Counted grant, in any state
/// (DAYS-1 anchor), and whether the license has any earlier grant (EXP-2).
fn grant_history(
    conn: &mut Conn,
    license_id: i32,
) -> Result<(Option<OffsetDateTime>, bool), StoreError> {
    let (at, any): (Option<PrimitiveDateTime>, bool) = direct!(conn, |c| diesel::select((
        activation_records::table
            .filter(activation_records::license_id.eq(license_id))
            .filter(activation_records::kind.eq(unlockd_core::GrantKind::Counted.name()))
            .select(diesel::dsl::max(activation_records::granted_at))
            .single_value(),
        diesel::dsl::exists(
            activation_records::table.filter(activation_records::license_id.eq(license_id)),
        ),
    ))
    .get_result(c))?;
    Ok((at.map(convert::from_db_time), any))
}

/// Writes the grant's staged effects (A17). `key_fingerprint` is the request key's,
/// as the history query already computed it. Returns the grant as committed: its
/// installation ID may have been redrawn on a collision (ACT-5).
fn commit_grant(
    conn: &mut Conn,
    req: &ActivationRequest,
    license: &unlockd_core::LicenseState,
    key_fingerprint: Option<String>,
    mut grant: Grant,
    now: OffsetDateTime,
    rng: &mut dyn RngCore,
) -> Result<Grant, StoreError> {
    let license_id = req.license_id.get();
    if let Some(old) = grant.supersedes {
        supersede(conn, old, grant.installation_id.as_ref(), now)?;
    } else if let Some(iid) = grant.installation_id {
        grant.installation_id = Some(unused_installation_id(conn, iid, rng)?);
    }
    let (computer_id, identifiers) = convert::key_columns(&req.key);
    let record = NewRecordRow {
        license_id,
        installation_id: grant.installation_id.map(|i| i.to_string()),
        key_fingerprint,
        computer_id,
        identifiers,
        kind: grant.kind.name().to_owned(),
        consumed: grant.consumed,
        state: STATE_ACTIVE.to_owned(),
        granted_at: to_db_time(now),
        path: req.path.name().to_owned(),
        option_id: license.option_id.get(),
        session_code: req.session_text(),
        stored_reply: Some(grant.to_stored_reply()),
        ip: req.client_ip.map(|ip| ip.to_string()),
        version: req.version.map(|v| v.to_string()),
    };
    direct!(conn, |c| diesel::insert_into(activation_records::table)
        .values(&record)
        .execute(c))?;
    // IP-5 and EXP-2: a grant that sets no first IP or new expiration leaves the
    // value read under the lock. Every column is always written, so the statement
    // has one shape and stays prepared.
    let update = GrantUpdate {
        license_id,
        activations_left: grant.activations_left,
        update_counter: grant.update_counter,
        allowed_ips: grant
            .first_ip
            .clone()
            .or_else(|| license.allowed_ips.clone()),
        expiration: grant.new_expiration.or(license.expiration),
    };
    direct!(conn, |c| update.execute(c))?;
    history::record_success(
        conn,
        now,
        history::activation_operation(req.path),
        req.license_id,
        grant.installation_id.as_ref(),
        grant.kind.name(),
        req.client_ip.map(|ip| ip.to_string()),
    )?;
    Ok(grant)
}

/// REA-3: the superseded record becomes Deactivated(now, Reactivated), hands its
/// consumed flag to the new record (already in the grant) and points at the moved
/// installation ID. It is deactivated before the new record is inserted, so the
/// unique index on active installation IDs (CON-3) never sees both.
fn supersede(
    conn: &mut Conn,
    old: i64,
    moved: Option<&InstallationId>,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let moved = moved.map(ToString::to_string);
    let changed = direct!(conn, |c| diesel::update(
        activation_records::table
            .find(old)
            .filter(activation_records::state.eq(STATE_ACTIVE)),
    )
    .set((
        activation_records::state.eq(STATE_DEACTIVATED),
        activation_records::deactivated_at.eq(Some(to_db_time(now))),
        activation_records::deactivation_reason.eq(Some(DeactivationReason::Reactivated.name())),
        activation_records::consumed.eq(false),
        activation_records::related_installation_id.eq(&moved),
    ))
    .execute(c))?;
    if changed == 1 {
        Ok(())
    } else {
        // Core chose it from rows read under this same lock; anything else is a bug.
        Err(StoreError::Config(format!(
            "activation record {old} to supersede is not active"
        )))
    }
}

/// A fresh installation ID that no record holds yet: `first` (core's draw) or a
/// redraw of 128 RNG bits (ACT-5 "redrawn on collision").
fn unused_installation_id(
    conn: &mut Conn,
    first: InstallationId,
    rng: &mut dyn RngCore,
) -> Result<InstallationId, StoreError> {
    let mut candidate = first;
    for _ in 0..INSTALLATION_ID_DRAWS {
        let text = candidate.to_string();
        let taken: bool = direct!(conn, |c| diesel::select(diesel::dsl::exists(
            activation_records::table.filter(activation_records::installation_id.eq(&text)),
        ))
        .get_result(c))?;
        if !taken {
            return Ok(candidate);
        }
        let mut bytes = [0u8; 16];
        rng.fill_bytes(&mut bytes);
        candidate = InstallationId::from_guid(Guid::from_bytes(bytes));
    }
    Err(StoreError::Config(
        "no unused installation ID after repeated draws: the RNG repeats".to_owned(),
    ))
}

/// The license file content (license-file path only), from the committed state.
fn license_file(
    conn: &mut Conn,
    req: &ActivationRequest,
    grant: &Grant,
    effective_start: OffsetDateTime,
) -> Result<Option<LicenseFileData>, StoreError> {
    if req.path != ActivationPath::LicenseFile {
        return Ok(None);
    }
    let bundle = LicenseBundle::load(conn, req.license_id.get())?.ok_or(StoreError::NotFound)?;
    bundle
        .file_source()
        .file_data(
            grant.installation_id,
            grant.event_data,
            effective_start,
            grant.update_counter,
            req.key.identifiers().to_vec(),
        )
        .map(Some)
}
