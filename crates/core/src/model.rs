//! The state the rules read: option fields, license row, activation records.
//!
//! These are plain values. The store loads them under the license lock and converts
//! its rows into them in one module; the rules never see a database row.

use std::net::Ipv4Addr;

use time::{Date, OffsetDateTime};

use crate::ids::{
    ComputerKey, CustomerId, InstallationId, LicenseId, OptionId, ProductId, SessionCode,
    TriggerCode,
};
use crate::version::Version;

/// License status (rules STS-1); wire names and PP4 numbers in wire.md §4.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LicenseStatus {
    /// Active.
    Ok,
    /// Flagged as duplicate.
    Duplicate,
    /// Flagged as fraud.
    Fraud,
    /// Expired by billing or an admin (dates never set it, STS-4).
    Expired,
    /// Held for validation.
    CheckValidate,
    /// Upgraded; behaviour per UPG-1.
    Upgrade,
    /// Voided.
    Void,
    /// Returned.
    Returned,
    /// Deleted; terminal (errata E-18).
    Delete,
}

impl LicenseStatus {
    /// Every status, in PP4 number order (wire.md §4.2).
    pub const ALL: [LicenseStatus; 9] = [
        Self::Ok,
        Self::Duplicate,
        Self::Fraud,
        Self::Expired,
        Self::CheckValidate,
        Self::Upgrade,
        Self::Void,
        Self::Returned,
        Self::Delete,
    ];

    /// The wire name (`OK`, `Void`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::Duplicate => "Duplicate",
            Self::Fraud => "Fraud",
            Self::Expired => "Expired",
            Self::CheckValidate => "CheckValidate",
            Self::Upgrade => "Upgrade",
            Self::Void => "Void",
            Self::Returned => "Returned",
            Self::Delete => "Delete",
        }
    }

    /// The PP4 script number (wire.md §4.2).
    pub fn number(self) -> u8 {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0) as u8
    }

    /// Parses a wire name, exactly as spelled by [`LicenseStatus::name`].
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.name() == s)
    }
}

/// Product option type (rules OPT table; wire spelling wire.md §5.4, errata E-8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptionType {
    /// A single trigger code.
    ActivationCode,
    /// Event data = license quantity (QTY-3).
    ActivationCodeWithQuantity,
    /// Event data = TC Fixed Value.
    ActivationCodeWithFixedValue,
    /// Event data = days until expiration.
    ActivationCodeWithDaysLeft,
    /// Event data = License Counter.
    ActivationCodeWithLicenseCounter,
    /// PLUS 5 volume license file (VOL-1).
    VolumeLicense,
    /// PLUS 5 downloadable file validated by a trigger code (TC-4).
    DownloadableLicenseWithTriggerCodeValidation,
    /// ESD without unlock code.
    DownloadableGoods,
    /// Physical goods.
    ShippedGoods,
    /// A service fee.
    ServiceFee,
}

impl OptionType {
    /// Every type, in declaration order.
    pub const ALL: [OptionType; 10] = [
        Self::ActivationCode,
        Self::ActivationCodeWithQuantity,
        Self::ActivationCodeWithFixedValue,
        Self::ActivationCodeWithDaysLeft,
        Self::ActivationCodeWithLicenseCounter,
        Self::VolumeLicense,
        Self::DownloadableLicenseWithTriggerCodeValidation,
        Self::DownloadableGoods,
        Self::ShippedGoods,
        Self::ServiceFee,
    ];

    /// The wire/storage name.
    pub fn name(self) -> &'static str {
        match self {
            Self::ActivationCode => "ActivationCode",
            Self::ActivationCodeWithQuantity => "ActivationCodeWithQuantity",
            Self::ActivationCodeWithFixedValue => "ActivationCodeWithFixedValue",
            Self::ActivationCodeWithDaysLeft => "ActivationCodeWithDaysLeft",
            Self::ActivationCodeWithLicenseCounter => "ActivationCodeWithLicenseCounter",
            Self::VolumeLicense => "VolumeLicense",
            Self::DownloadableLicenseWithTriggerCodeValidation => {
                "DownloadableLicenseWithTriggerCodeValidation"
            }
            Self::DownloadableGoods => "DownloadableGoods",
            Self::ShippedGoods => "ShippedGoods",
            Self::ServiceFee => "ServiceFee",
        }
    }

    /// Parses a name as spelled by [`OptionType::name`].
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == s)
    }
}

/// Upgrade Behavior (rules UPG-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UpgradeBehavior {
    /// Existing and new both refused (default).
    Deactivate,
    /// Existing run, new refused.
    AllowExecution,
    /// Both allowed.
    AllowActivation,
}

impl UpgradeBehavior {
    /// Storage name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Deactivate => "Deactivate",
            Self::AllowExecution => "AllowExecution",
            Self::AllowActivation => "AllowActivation",
        }
    }

    /// Parses a storage name.
    pub fn from_name(s: &str) -> Option<Self> {
        [
            Self::Deactivate,
            Self::AllowExecution,
            Self::AllowActivation,
        ]
        .into_iter()
        .find(|b| b.name() == s)
    }
}

/// IP Activation Mode (rules IP-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IpMode {
    /// Never restricts.
    NoRestrictions,
    /// Restricts only when the license field is set.
    NoRestrictionsAllowOverride,
    /// The first activation's address (masked) becomes the field.
    FirstActivationIp,
    /// Only the listed addresses.
    SpecifiedActivationIp,
}

impl IpMode {
    /// Storage name.
    pub fn name(self) -> &'static str {
        match self {
            Self::NoRestrictions => "NoRestrictions",
            Self::NoRestrictionsAllowOverride => "NoRestrictionsAllowOverride",
            Self::FirstActivationIp => "FirstActivationIp",
            Self::SpecifiedActivationIp => "SpecifiedActivationIp",
        }
    }

    /// Parses a storage name.
    pub fn from_name(s: &str) -> Option<Self> {
        [
            Self::NoRestrictions,
            Self::NoRestrictionsAllowOverride,
            Self::FirstActivationIp,
            Self::SpecifiedActivationIp,
        ]
        .into_iter()
        .find(|m| m.name() == s)
    }
}

/// License Counter Type (rules OPT table, CNT-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CounterType {
    /// Never decremented by clients.
    Static,
    /// DecrementLicenseCounter may lower it.
    Decrementing,
}

impl CounterType {
    /// Storage name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Static => "Static",
            Self::Decrementing => "Decrementing",
        }
    }

    /// Parses a storage name.
    pub fn from_name(s: &str) -> Option<Self> {
        [Self::Static, Self::Decrementing]
            .into_iter()
            .find(|c| c.name() == s)
    }
}

/// The option fields the activation rules read live (rules OPT-3: A, D, n and the
/// counter settings are copied into the license at creation; the rest is read here).
#[derive(Debug, Clone, PartialEq)]
pub struct OptionRules {
    /// Option number.
    pub option_id: OptionId,
    /// The product the option belongs to.
    pub product_id: ProductId,
    /// Option type (ACT-4).
    pub option_type: OptionType,
    /// Issue Installation ID (IID).
    pub issue_installation_id: bool,
    /// Allow Deactivations (AD).
    pub allow_deactivations: bool,
    /// Allow Reactivations on the same computer (REA).
    pub allow_reactivation: bool,
    /// IP Activation Mode.
    pub ip_mode: IpMode,
    /// IP Mask for FirstActivationIp.
    pub ip_mask: Ipv4Addr,
    /// Additional Activation Days (d); 0 = off.
    pub additional_days: u32,
    /// Minimum Activation Version.
    pub min_version: Option<Version>,
    /// Minimum Activation URL.
    pub min_version_url: Option<String>,
    /// Unlock Threshold: −1 off, 0 exact, N = ±N (THR).
    pub unlock_threshold: i32,
    /// Trigger Code # (1..=50).
    pub trigger_code: TriggerCode,
    /// Trigger Code Seed.
    pub tc_seed: u32,
    /// RegKey2 Seed (0..=255).
    pub rk2_seed: u8,
    /// TC Fixed Value (0..=16383).
    pub tc_fixed_value: u16,
    /// Days to D/L (n); used by the expiration reset (EXP-2).
    pub days_to_download: u32,
    /// Reset Expiration at Activation.
    pub reset_expiration: bool,
    /// Upgrade Behavior.
    pub upgrade_behavior: UpgradeBehavior,
    /// License Counter Type.
    pub counter_type: CounterType,
    /// Id of the trigger-code algorithm (wire.md §6.2; default `unlockd-tc1`).
    pub tc_algorithm: String,
}

/// The license row as the rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct LicenseState {
    /// License number.
    pub id: LicenseId,
    /// Product of the license's option.
    pub product_id: ProductId,
    /// The license's option.
    pub option_id: OptionId,
    /// Owner.
    pub customer_id: CustomerId,
    /// Status (STS).
    pub status: LicenseStatus,
    /// Activation Password (ACT-3).
    pub activation_password: String,
    /// Customer password, also accepted (ACT-3); `None` when unset.
    pub customer_password: Option<String>,
    /// Whether the customer is registered (ACT-6).
    pub customer_registered: bool,
    /// Quantity.
    pub quantity: i32,
    /// activations_left (**left**), never below 0 (ACT-8, CON-2).
    pub activations_left: i32,
    /// The cap refunds may not exceed (E-16): the initial allowance plus admin increments.
    pub activations_allowed: i32,
    /// deactivations_left (**dl**); −1 = unlimited.
    pub deactivations_left: i32,
    /// License Counter (i64, E-19); `None` when uninitialised.
    pub license_counter: Option<i64>,
    /// Expiration (download-until) date; `None` = perpetual.
    pub expiration: Option<Date>,
    /// Allowed Activation IPs (IP-1); `None` or empty = unset.
    pub allowed_ips: Option<String>,
    /// Free text "License Update" sent to clients (string(55)).
    pub license_update: String,
    /// Monotonic per-license counter of answers that change state (wire.md §7.3).
    pub update_counter: i64,
}

/// Database identity of an activation record.
pub type RecordId = i64;

/// Which activation path a request came through (rules C-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActivationPath {
    /// getcode, ActivateLicense, ActivateInstallation: replies with RegKey1/2.
    TriggerCode,
    /// ActivateInstallationLicenseFile: replies with a license file.
    LicenseFile,
}

impl ActivationPath {
    /// Storage name.
    pub fn name(self) -> &'static str {
        match self {
            Self::TriggerCode => "TriggerCode",
            Self::LicenseFile => "LicenseFile",
        }
    }

    /// Parses a storage name.
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "TriggerCode" => Some(Self::TriggerCode),
            "LicenseFile" => Some(Self::LicenseFile),
            _ => None,
        }
    }
}

/// How a grant was decided (ACT-5); history shows `<TH` and `#DAYS` markers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrantKind {
    /// Took one activation.
    Counted,
    /// Same-computer reactivation or threshold match: `<TH`.
    Threshold,
    /// Additional activation days: `#DAYS`.
    Days,
}

impl GrantKind {
    /// History marker: empty, `<TH` or `#DAYS`.
    pub fn marker(self) -> &'static str {
        match self {
            Self::Counted => "",
            Self::Threshold => "<TH",
            Self::Days => "#DAYS",
        }
    }

    /// Storage name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Counted => "Counted",
            Self::Threshold => "Threshold",
            Self::Days => "Days",
        }
    }

    /// Parses a storage name.
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "Counted" => Some(Self::Counted),
            "Threshold" => Some(Self::Threshold),
            "Days" => Some(Self::Days),
            _ => None,
        }
    }
}

/// Why a record stopped being active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeactivationReason {
    /// Client DeactivateInstallation (DEA-1).
    Client,
    /// Superseded by a same-computer reactivation (REA-3).
    Reactivated,
    /// Admin deactivation (DEA-2).
    Admin,
}

impl DeactivationReason {
    /// Storage name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Client => "Client",
            Self::Reactivated => "Reactivated",
            Self::Admin => "Admin",
        }
    }

    /// Parses a storage name.
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "Client" => Some(Self::Client),
            "Reactivated" => Some(Self::Reactivated),
            "Admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// Lifecycle of an activation record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordState {
    /// Holds its seat.
    Active,
    /// No longer active since `at`.
    Deactivated {
        /// When.
        at: OffsetDateTime,
        /// Why.
        reason: DeactivationReason,
    },
    /// Banned by an admin (DEA-3); REA-4 refuses its key.
    Banned {
        /// When.
        at: OffsetDateTime,
    },
}

/// One granted activation (an installation), as loaded for a decision.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivationRecord {
    /// Database identity.
    pub id: RecordId,
    /// Installation ID, when the grant holds one.
    pub installation_id: Option<InstallationId>,
    /// The computer key of the grant (C-4).
    pub key: ComputerKey,
    /// Counted, `<TH` or `#DAYS`.
    pub kind: GrantKind,
    /// Whether deactivating it refunds an activation (ACT-5, REA-3, DEA-1).
    pub consumed: bool,
    /// Active, Deactivated or Banned.
    pub state: RecordState,
    /// When it was granted.
    pub granted_at: OffsetDateTime,
    /// Path of the grant (ACT-7).
    pub path: ActivationPath,
    /// Option at grant time (ACT-7).
    pub option_id: OptionId,
    /// Session code of the grant (ACT-7).
    pub session_code: Option<SessionCode>,
    /// Serialized reply of the grant, replayed by ACT-7.
    pub stored_reply: Option<String>,
}
