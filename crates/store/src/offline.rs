//! Offline activation (wire.md §7): each answered offline request is claimed once
//! (§7.3, 5029) inside the transaction that answers it, so a refused request claims
//! nothing (errata E-3) and two racing submissions of one request cannot both win.
//! The per-license monotonic counter is `licenses.update_counter`, which every
//! answering transaction already increments.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use rand::RngCore;
use time::OffsetDateTime;
use unlockd_core::activation::{ActivationRequest, Policy};
use unlockd_core::deactivation::{Deactivated, DeactivationRequest};
use unlockd_core::floating::{OpenRequest, SessionGrant, SessionRequest};
use unlockd_core::{AuthorId, EncryptionKeyId, LicenseId};

use crate::activation::{activate_in, Activated};
use crate::convert::to_db_time;
use crate::db::{self, Conn};
use crate::error::StoreError;
use crate::floating::{act_in, open_in};
use crate::installation::deactivate_in;
use crate::load::LicenseBundle;
use crate::schema::{authors, offline_requests};
use crate::Store;

/// The one-use identity of an offline request (wire.md §7.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineClaim {
    /// The request's EncryptionKeyID, or `offact` for a PP4 activation file.
    pub key: String,
    /// `L{LicenseID}` or `I{InstallationID}`.
    pub subject: String,
    /// The SessionCode (PLUS 5) or User Code 1 (PP4).
    pub session_code: String,
}

impl Store {
    /// An activation answered offline: claims `claim` (if any), then runs
    /// [`Store::activate_detailed`]'s transaction; `key_id` `None` skips the key check
    /// (PP4 files and ManualTriggerCodes.aspx carry none). A claim already made gives
    /// [`StoreError::OfflineReused`] before any rule runs (errata E-12: 5029 → rules).
    pub fn activate_offline(
        &self,
        req: &ActivationRequest,
        key_id: Option<EncryptionKeyId>,
        claim: Option<&OfflineClaim>,
        now: OffsetDateTime,
        policy: &Policy,
        rng: &mut dyn RngCore,
    ) -> Result<Activated, StoreError> {
        self.write(|conn| {
            db::lock_license(conn, req.license_id.get())?;
            if let Some(claim) = claim {
                take_claim(conn, claim, now)?;
            }
            activate_in(conn, req, key_id, now, policy, &mut *rng)
        })
    }

    /// An offline deactivation (wire.md §7.2): claims `claim`, then runs
    /// [`Store::deactivate`]'s transaction (which finds the installation's license and
    /// calls `db::lock_license` before deciding). A concurrent second claim waits on
    /// the unique index and then gets [`StoreError::OfflineReused`].
    pub fn deactivate_offline(
        &self,
        req: &DeactivationRequest,
        claim: &OfflineClaim,
        now: OffsetDateTime,
        policy: &Policy,
    ) -> Result<Deactivated, StoreError> {
        self.write(|conn| {
            take_claim(conn, claim, now)?;
            deactivate_in(conn, req, now, policy)
        })
    }

    /// An OpenSession carried by hand (wire.md §7.2): locks the license, claims
    /// `claim`, then runs [`Store::open_session`]'s transaction.
    #[allow(clippy::too_many_arguments)]
    pub fn open_session_offline(
        &self,
        req: &OpenRequest,
        installation_name: Option<&str>,
        key_id: EncryptionKeyId,
        claim: &OfflineClaim,
        now: OffsetDateTime,
        policy: &Policy,
        rng: &mut dyn RngCore,
    ) -> Result<SessionGrant, StoreError> {
        self.write(|conn| {
            db::lock_license(conn, req.license_id.get())?;
            take_claim(conn, claim, now)?;
            open_in(conn, req, installation_name, key_id, now, policy, &mut *rng)
        })
    }

    /// A CheckoutSession or CheckinSession carried by hand (wire.md §7.2): claims
    /// `claim`, then runs [`Store::session_action`]'s transaction (which locks the
    /// session's license before deciding).
    pub fn session_action_offline(
        &self,
        req: &SessionRequest,
        key_id: EncryptionKeyId,
        claim: &OfflineClaim,
        now: OffsetDateTime,
        policy: &Policy,
    ) -> Result<SessionGrant, StoreError> {
        self.write(|conn| {
            take_claim(conn, claim, now)?;
            act_in(conn, req, key_id, now, policy)
        })
    }

    /// The OffAct Key of the license's option (rules OFF-1); `None` if the license is
    /// unknown or its option has none.
    pub fn offact_key(&self, license_id: LicenseId) -> Result<Option<String>, StoreError> {
        self.read(|conn| {
            Ok(LicenseBundle::load(conn, license_id.get())?
                .and_then(|b| b.option.offact_key)
                .filter(|k| !k.is_empty()))
        })
    }

    /// Whether the author of the license's product allows ManualTriggerCodes.aspx
    /// (wire.md §7.4); `None` if the license is unknown.
    pub fn manual_trigger_codes_allowed(
        &self,
        license_id: LicenseId,
    ) -> Result<Option<bool>, StoreError> {
        self.read(|conn| {
            let Some(bundle) = LicenseBundle::load(conn, license_id.get())? else {
                return Ok(None);
            };
            let allowed = authors::table
                .find(bundle.product.author_id)
                .select(authors::manual_trigger_codes)
                .get_result(conn)?;
            Ok(Some(allowed))
        })
    }

    /// Allows or forbids ManualTriggerCodes.aspx for an author's licenses.
    pub fn set_manual_trigger_codes(
        &self,
        author: AuthorId,
        allowed: bool,
    ) -> Result<(), StoreError> {
        self.write(|conn| {
            let n = diesel::update(authors::table.find(author.get()))
                .set(authors::manual_trigger_codes.eq(allowed))
                .execute(conn)?;
            if n == 1 {
                Ok(())
            } else {
                Err(StoreError::NotFound)
            }
        })
    }
}

/// Inserts the one-use claim of an offline request in the caller's transaction;
/// an existing claim is [`StoreError::OfflineReused`] (wire.md §7.3, 5029).
pub(crate) fn take_claim(
    conn: &mut Conn,
    claim: &OfflineClaim,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let inserted = diesel::insert_into(offline_requests::table)
        .values((
            offline_requests::key_id.eq(&claim.key),
            offline_requests::subject.eq(&claim.subject),
            offline_requests::session_code.eq(&claim.session_code),
            offline_requests::answered_at.eq(to_db_time(now)),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(()),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            Err(StoreError::OfflineReused)
        }
        Err(e) => Err(e.into()),
    }
}
