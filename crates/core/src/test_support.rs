//! Fixtures for the rules tests: the defaults of rules.md's EX table and the E-1 test
//! algorithm.

use std::net::{IpAddr, Ipv4Addr};

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use time::macros::datetime;
use time::{Date, OffsetDateTime};

use crate::activation::{activate, ActivationRequest, ActivationSnapshot, Decision, Grant, Policy};
use crate::ids::{
    ComputerId, ComputerKey, CustomerId, InstallationId, LicenseId, OptionId, Password, ProductId,
    SessionCode, TriggerCode,
};
use crate::model::{
    ActivationPath, ActivationRecord, CounterType, GrantKind, IpMode, LicenseState, LicenseStatus,
    OptionRules, OptionType, RecordId, RecordState, UpgradeBehavior,
};
use crate::refusal::Refusal;
use crate::trigger::{Tc1, TriggerCodeAlgorithm};

/// EX defaults: requests arrive at 2025-03-10T12:00Z.
pub(crate) const NOW: OffsetDateTime = datetime!(2025-03-10 12:00 UTC);
/// EX defaults: the request's session (User Code 1).
pub(crate) const SESSION: i32 = 555;
/// EX defaults: the request's computer.
pub(crate) const COMPUTER: i32 = 1234;
/// EX defaults: the license's Activation Password.
pub(crate) const PASSWORD: &str = "demo1000";

/// Errata E-1: EX table tests run with an algorithm whose `session_date` is `None`;
/// everything else is `unlockd-tc1`.
pub(crate) struct NoSessionDate;

impl TriggerCodeAlgorithm for NoSessionDate {
    fn id(&self) -> &'static str {
        "test-no-session-date"
    }
    fn generate(&self, event: u8, session: i32, computer: i32, tc_seed: u32) -> i32 {
        Tc1.generate(event, session, computer, tc_seed)
    }
    fn validate(&self, regkey1: i32, session: i32, computer: i32, tc_seed: u32) -> Option<u8> {
        Tc1.validate(regkey1, session, computer, tc_seed)
    }
    fn encrypt(&self, data: u16, rk2_seed: u8) -> i32 {
        Tc1.encrypt(data, rk2_seed)
    }
    fn decrypt(&self, regkey2: i32, rk2_seed: u8) -> Option<u16> {
        Tc1.decrypt(regkey2, rk2_seed)
    }
    fn session_date(&self, _session: i32) -> Option<Date> {
        None
    }
}

/// EX default option: ActivationCode, TC# 1, IID off, threshold −1, IP NoRestrictions,
/// no minimum version, d = 0, n = 0.
pub(crate) fn rules() -> OptionRules {
    OptionRules {
        option_id: OptionId::new(1).unwrap(),
        product_id: ProductId::new(76).unwrap(),
        option_type: OptionType::ActivationCode,
        issue_installation_id: false,
        allow_deactivations: false,
        allow_reactivation: false,
        ip_mode: IpMode::NoRestrictions,
        ip_mask: Ipv4Addr::BROADCAST,
        additional_days: 0,
        min_version: None,
        min_version_url: None,
        unlock_threshold: -1,
        trigger_code: TriggerCode::new(1).unwrap(),
        tc_seed: 4321,
        rk2_seed: 17,
        tc_fixed_value: 0,
        days_to_download: 0,
        reset_expiration: false,
        upgrade_behavior: UpgradeBehavior::Deactivate,
        counter_type: CounterType::Static,
        tc_algorithm: "unlockd-tc1".to_owned(),
    }
}

/// EX default license: #1000, status OK, left 3, dl 2, quantity 1.
pub(crate) fn license() -> LicenseState {
    LicenseState {
        id: LicenseId::new(1000).unwrap(),
        product_id: ProductId::new(76).unwrap(),
        option_id: OptionId::new(1).unwrap(),
        customer_id: CustomerId::new(55).unwrap(),
        status: LicenseStatus::Ok,
        activation_password: PASSWORD.to_owned(),
        customer_password: Some("customer-pw".to_owned()),
        customer_registered: true,
        quantity: 1,
        activations_left: 3,
        activations_allowed: 3,
        deactivations_left: 2,
        license_counter: None,
        expiration: None,
        allowed_ips: None,
        license_update: String::new(),
        update_counter: 0,
    }
}

/// EX default request on the trigger-code path: computer 1234, session 555,
/// IP 198.51.100.7.
pub(crate) fn request() -> ActivationRequest {
    ActivationRequest {
        license_id: LicenseId::new(1000).unwrap(),
        password: Password::parse(PASSWORD).unwrap(),
        product_id: None,
        option_id: None,
        version: None,
        user_code1: Some(SESSION),
        session_code: None,
        key: cid(COMPUTER),
        require_registration: false,
        client_ip: Some(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7))),
        client_time: None,
        path: ActivationPath::TriggerCode,
    }
}

/// A trigger-code computer key.
pub(crate) fn cid(v: i32) -> ComputerKey {
    ComputerKey::ComputerId(ComputerId::new(v))
}

/// A deterministic installation ID `n`.
pub(crate) fn iid(n: u8) -> InstallationId {
    let mut bytes = [0u8; 16];
    bytes[15] = n;
    InstallationId::from_guid(crate::ids::Guid::from_bytes(bytes))
}

/// An Active Counted trigger-code grant of option 1 on `key`.
pub(crate) fn record(
    id: RecordId,
    key: ComputerKey,
    granted_at: OffsetDateTime,
) -> ActivationRecord {
    ActivationRecord {
        id,
        installation_id: None,
        key,
        kind: GrantKind::Counted,
        consumed: true,
        state: RecordState::Active,
        granted_at,
        path: ActivationPath::TriggerCode,
        option_id: OptionId::new(1).unwrap(),
        session_code: Some(SessionCode::parse("1").unwrap()),
        stored_reply: None,
    }
}

/// One activation scenario: state under the lock plus the request.
pub(crate) struct Case {
    pub(crate) license: LicenseState,
    pub(crate) rules: OptionRules,
    pub(crate) records: Vec<ActivationRecord>,
    pub(crate) last_counted_at: Option<OffsetDateTime>,
    pub(crate) has_grant: bool,
    pub(crate) req: ActivationRequest,
    pub(crate) now: OffsetDateTime,
}

impl Case {
    /// The EX defaults.
    pub(crate) fn new() -> Self {
        Self {
            license: license(),
            rules: rules(),
            records: Vec::new(),
            last_counted_at: None,
            has_grant: false,
            req: request(),
            now: NOW,
        }
    }

    /// Runs [`activate`] with the E-1 test algorithm and a seeded RNG.
    pub(crate) fn run(&self) -> Result<Decision, Refusal> {
        self.run_with(&NoSessionDate)
    }

    /// Runs [`activate`] with `alg` and a seeded RNG.
    pub(crate) fn run_with(&self, alg: &dyn TriggerCodeAlgorithm) -> Result<Decision, Refusal> {
        let snap = ActivationSnapshot {
            license: Some(&self.license),
            rules: Some(&self.rules),
            records: &self.records,
            last_counted_at: self.last_counted_at,
            has_grant: self.has_grant,
        };
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        activate(
            &snap,
            &self.req,
            self.now,
            &Policy::default(),
            alg,
            &mut rng,
        )
    }

    /// The grant of a run that must grant.
    pub(crate) fn grant(&self) -> Grant {
        match self.run() {
            Ok(Decision::Grant(g)) => g,
            other => panic!("expected a grant, got {other:?}"),
        }
    }

    /// The refusal of a run that must refuse.
    pub(crate) fn refusal(&self) -> Refusal {
        match self.run() {
            Err(r) => r,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}

impl Case {
    /// Applies a grant's staged effects the way the store commits them (A17): a new
    /// Active record for the request, REA-3 supersession, left, first IP, expiry
    /// reset and the DAYS-1 anchor. Returns the new record's ID.
    pub(crate) fn commit(&mut self, g: &Grant) -> RecordId {
        let id = self.records.iter().map(|r| r.id).max().unwrap_or(0) + 1;
        if let Some(old) = g.supersedes {
            let old = self.records.iter_mut().find(|r| r.id == old).unwrap();
            old.state = RecordState::Deactivated {
                at: self.now,
                reason: crate::model::DeactivationReason::Reactivated,
            };
            old.consumed = false;
        }
        self.records.push(ActivationRecord {
            id,
            installation_id: g.installation_id,
            key: self.req.key.clone(),
            kind: g.kind,
            consumed: g.consumed,
            state: RecordState::Active,
            granted_at: self.now,
            path: self.req.path,
            option_id: self.rules.option_id,
            session_code: self
                .req
                .session_text()
                .map(|s| SessionCode::parse(&s).unwrap()),
            stored_reply: Some(g.to_stored_reply()),
        });
        self.license.activations_left = g.activations_left;
        self.license.update_counter = g.update_counter;
        if let Some(ip) = &g.first_ip {
            self.license.allowed_ips = Some(ip.clone());
        }
        if let Some(date) = g.new_expiration {
            self.license.expiration = Some(date);
        }
        if g.kind == GrantKind::Counted {
            self.last_counted_at = Some(self.now);
        }
        self.has_grant = true;
        id
    }
}
