//! A13 same machine (REA-1..3, THR-1..4) and A14 count (ACT-8, DAYS-1..3): which kind
//! of seat a grant takes.

use rand::RngCore;
use time::{Duration, OffsetDateTime};

use super::ActivationRequest;
use crate::ids::{ComputerKey, Guid, InstallationId};
use crate::model::{
    ActivationPath, ActivationRecord, GrantKind, LicenseState, OptionRules, RecordId, RecordState,
};
use crate::refusal::Refusal;

/// How a grant is paid for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Seat<'a> {
    /// REA-3: supersede this Active record, taking its installation ID and consumed flag.
    Reactivation(&'a ActivationRecord),
    /// THR-3: a `<TH` grant matched by the threshold.
    Threshold,
    /// A14: left −= 1.
    Counted,
    /// DAYS-1: an additional-days grant, left unchanged.
    Days,
}

/// A13: the same-machine match, if the option has one and it hits.
pub(super) fn same_machine<'a>(
    records: &'a [ActivationRecord],
    req: &ActivationRequest,
    rules: &OptionRules,
) -> Option<Seat<'a>> {
    if rules.issue_installation_id {
        // REA-1/REA-2: only Active records with the request's key; latest granted_at,
        // then highest record ID. THR-4: a threshold on an IID option acts as −1.
        if !rules.allow_reactivation {
            return None;
        }
        return records
            .iter()
            .filter(|r| r.state == RecordState::Active && r.key.same_computer(&req.key))
            .max_by_key(|r| (r.granted_at, r.id))
            .map(Seat::Reactivation);
    }
    // THR-1: any earlier grant (refused attempts are never records), any state.
    let threshold = rules.unlock_threshold;
    if threshold < 0 {
        return None;
    }
    let hit = records
        .iter()
        .any(|r| within_threshold(&req.key, &r.key, req.path, threshold));
    hit.then_some(Seat::Threshold)
}

/// THR-2: on the trigger-code path `|new − old| ≤ threshold` in i64 (no wrap, 0 is
/// exact, 65535 not special); on the license-file path ≥ 0 means the exact key.
fn within_threshold(
    new: &ComputerKey,
    old: &ComputerKey,
    path: ActivationPath,
    threshold: i32,
) -> bool {
    match (path, new, old) {
        (ActivationPath::TriggerCode, ComputerKey::ComputerId(n), ComputerKey::ComputerId(o)) => {
            (i64::from(n.get()) - i64::from(o.get())).abs() <= i64::from(threshold)
        }
        (ActivationPath::TriggerCode, _, _) => false,
        (ActivationPath::LicenseFile, _, _) => new.same_computer(old),
    }
}

/// A14: left ≥ 1 ⇒ Counted (ACT-8); else DAYS-1: d > 0 and `now < anchor + d·86400 s`
/// with anchor = the latest Counted grant (exclusive end) ⇒ `#DAYS`; else E-NOACT.
pub(super) fn count(
    license: &LicenseState,
    rules: &OptionRules,
    last_counted_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<Seat<'static>, Refusal> {
    if license.activations_left >= 1 {
        return Ok(Seat::Counted);
    }
    // DAYS-3: d = 0 disables the window.
    let in_window = rules.additional_days > 0
        && last_counted_at
            .and_then(|anchor| anchor.checked_add(Duration::days(i64::from(rules.additional_days))))
            .is_some_and(|end| now < end);
    if in_window {
        Ok(Seat::Days)
    } else {
        Err(Refusal::NoActivations)
    }
}

/// What a seat means for the new record and the license (ACT-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Terms {
    pub(super) kind: GrantKind,
    pub(super) installation_id: Option<InstallationId>,
    pub(super) consumed: bool,
    pub(super) activations_left: i32,
    pub(super) supersedes: Option<RecordId>,
}

impl Seat<'_> {
    /// The grant's terms given `left` (≥ 0) before it; draws a fresh installation ID
    /// from `rng` only for Counted and `#DAYS` grants of an IID option.
    pub(super) fn terms(
        self,
        left: i32,
        issue_installation_id: bool,
        rng: &mut dyn RngCore,
    ) -> Terms {
        let mut fresh = || issue_installation_id.then(|| fresh_installation_id(rng));
        let (kind, installation_id, consumed, activations_left, supersedes) = match self {
            // REA-3: the ID and the consumed flag move from the superseded record.
            Seat::Reactivation(old) => (
                GrantKind::Threshold,
                old.installation_id,
                old.consumed,
                left,
                Some(old.id),
            ),
            // THR-3: no decrement, no installation ID, not consumed.
            Seat::Threshold => (GrantKind::Threshold, None, false, left, None),
            // A14 took one (left ≥ 1 was checked); ACT-5: a fresh ID with IID.
            Seat::Counted => (GrantKind::Counted, fresh(), true, left - 1, None),
            // DAYS-1: consumed false, left unchanged.
            Seat::Days => (GrantKind::Days, fresh(), false, left, None),
        };
        Terms {
            kind,
            installation_id,
            consumed,
            activations_left,
            supersedes,
        }
    }
}

/// ACT-5: 128 RNG bits as an installation ID (the store redraws on collision).
fn fresh_installation_id(rng: &mut dyn RngCore) -> InstallationId {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    InstallationId::from_guid(Guid::from_bytes(bytes))
}
