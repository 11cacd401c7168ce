//! The plain input structs of the admin and demo inserts (every field), with the
//! defaults of the rules OPT table.

use std::net::Ipv4Addr;

use time::{Date, OffsetDateTime};
use unlockd_core::{
    AuthorId, CounterType, CustomerId, IpMode, LicenseId, LicenseStatus, OptionId, OptionType,
    ProductId, TriggerCode, UpgradeBehavior, Version,
};

/// Quantity Mode (rules QTY-1/2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantityMode {
    /// q licenses of quantity 1 (default).
    MultipleLicenses,
    /// One license of quantity q.
    MultipleActivations,
}

impl QuantityMode {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::MultipleLicenses => "MultipleLicenses",
            Self::MultipleActivations => "MultipleActivations",
        }
    }

    pub(crate) fn from_name(s: &str) -> Option<Self> {
        match s {
            "MultipleLicenses" => Some(Self::MultipleLicenses),
            "MultipleActivations" => Some(Self::MultipleActivations),
            _ => None,
        }
    }
}

/// License Counter Source (rules CNT-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterSource {
    /// The counter starts absent.
    None,
    /// Value × quantity.
    SpecifiedValue,
    /// The quantity.
    Quantity,
}

impl CounterSource {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::None => "None",
            Self::SpecifiedValue => "SpecifiedValue",
            Self::Quantity => "Quantity",
        }
    }

    pub(crate) fn from_name(s: &str) -> Option<Self> {
        match s {
            "None" => Some(Self::None),
            "SpecifiedValue" => Some(Self::SpecifiedValue),
            "Quantity" => Some(Self::Quantity),
            _ => None,
        }
    }
}

/// A new author (vendor account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuthor {
    /// Wanted ID; `None` takes the highest + 1.
    pub id: Option<AuthorId>,
    /// Display name.
    pub name: String,
    /// Creation time.
    pub created_at: OffsetDateTime,
}

/// A new back-office API user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiUser {
    /// Owning author.
    pub author_id: AuthorId,
    /// Login name.
    pub user_id: String,
    /// Password hash (the caller hashes; the store never sees the password).
    pub password_hash: String,
    /// Permission names, comma-separated.
    pub permissions: String,
}

/// A new product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProduct {
    /// Wanted ID; `None` takes the highest + 1.
    pub id: Option<ProductId>,
    /// Owning author.
    pub author_id: AuthorId,
    /// Product name.
    pub name: String,
    /// Latest Version, if set.
    pub latest_version: Option<String>,
}

/// A new product option: every field of the rules OPT table (seed 001).
#[derive(Debug, Clone, PartialEq)]
pub struct NewOption {
    /// Wanted ID; `None` takes the highest + 1.
    pub id: Option<OptionId>,
    /// The product.
    pub product_id: ProductId,
    /// Option name.
    pub name: String,
    /// Option Type.
    pub option_type: OptionType,
    /// Enabled; clearing it also sets Hidden (OPT-2).
    pub enabled: bool,
    /// Hidden.
    pub hidden: bool,
    /// Quantity Mode.
    pub quantity_mode: QuantityMode,
    /// Minimum Quantity.
    pub min_quantity: i32,
    /// Maximum Quantity (0 = unlimited).
    pub max_quantity: i32,
    /// Activations per U/M (**A**).
    pub activations_per_unit: i32,
    /// Issue License.
    pub issue_license: bool,
    /// Issue Installation ID (**IID**).
    pub issue_installation_id: bool,
    /// Allow Deactivations (**AD**).
    pub allow_deactivations: bool,
    /// Deactivations per U/M (**D**, −1 unlimited); stored as 0 unless IID ∧ AD (OPT-1).
    pub deactivations_per_unit: i32,
    /// Allow Reactivations (**REA**).
    pub allow_reactivation: bool,
    /// IP Activation Mode.
    pub ip_mode: IpMode,
    /// IP Mask.
    pub ip_mask: Ipv4Addr,
    /// Additional Activation Days (**d**).
    pub additional_days: u32,
    /// Minimum Activation Version.
    pub min_version: Option<Version>,
    /// Minimum Activation URL.
    pub min_version_url: Option<String>,
    /// Unlock Threshold.
    pub unlock_threshold: i32,
    /// Trigger Code #.
    pub trigger_code: TriggerCode,
    /// TC Seed (≤ i32::MAX).
    pub tc_seed: u32,
    /// RegKey2 Seed.
    pub rk2_seed: u8,
    /// TC Fixed Value (0..=16383).
    pub tc_fixed_value: u16,
    /// Trigger-code algorithm id (wire.md §6.2).
    pub tc_algorithm: String,
    /// OffAct Key.
    pub offact_key: Option<String>,
    /// Days to D/L (**n**).
    pub days_to_download: u32,
    /// Reset Expiration at Activation.
    pub reset_expiration: bool,
    /// Upgrade Behavior.
    pub upgrade_behavior: UpgradeBehavior,
    /// Upgrade From.
    pub upgrade_from: Option<OptionId>,
    /// Upgrade To.
    pub upgrade_to: Option<OptionId>,
    /// Replaced By.
    pub replaced_by: Option<OptionId>,
    /// License Counter Source.
    pub counter_source: CounterSource,
    /// License Counter Value.
    pub counter_value: i64,
    /// License Counter Type.
    pub counter_type: CounterType,
    /// Network Floating Options set.
    pub network_floating_set_id: Option<i32>,
    /// User Defined Fields Writable.
    pub udf_writable: bool,
    /// Custom Data for license files.
    pub custom_data: Option<String>,
    /// Track Inventory.
    pub track_inventory: bool,
    /// Allow Backorder.
    pub allow_backorder: bool,
    /// Stock Quantity.
    pub stock_quantity: i32,
    /// Minimum Stock Quantity.
    pub min_stock_quantity: i32,
    /// Activation Threshold Plugin.
    pub threshold_plugin: Option<String>,
    /// Pre-Activation Plugin.
    pub pre_activation_plugin: Option<String>,
    /// Post-Activation Plugin.
    pub post_activation_plugin: Option<String>,
}

impl NewOption {
    /// An option with the OPT table's defaults: enabled, A = 1, D = 0, no IID, IP
    /// NoRestrictions with mask 255.255.255.255, threshold −1, seeds 0, `unlockd-tc1`,
    /// counter None/Static, Upgrade Behavior Deactivate.
    pub fn new(
        product_id: ProductId,
        name: &str,
        option_type: OptionType,
        trigger_code: TriggerCode,
    ) -> Self {
        Self {
            id: None,
            product_id,
            name: name.to_owned(),
            option_type,
            enabled: true,
            hidden: false,
            quantity_mode: QuantityMode::MultipleLicenses,
            min_quantity: 1,
            max_quantity: 0,
            activations_per_unit: 1,
            issue_license: true,
            issue_installation_id: false,
            allow_deactivations: false,
            deactivations_per_unit: 0,
            allow_reactivation: false,
            ip_mode: IpMode::NoRestrictions,
            ip_mask: Ipv4Addr::BROADCAST,
            additional_days: 0,
            min_version: None,
            min_version_url: None,
            unlock_threshold: -1,
            trigger_code,
            tc_seed: 0,
            rk2_seed: 0,
            tc_fixed_value: 0,
            tc_algorithm: "unlockd-tc1".to_owned(),
            offact_key: None,
            days_to_download: 0,
            reset_expiration: false,
            upgrade_behavior: UpgradeBehavior::Deactivate,
            upgrade_from: None,
            upgrade_to: None,
            replaced_by: None,
            counter_source: CounterSource::None,
            counter_value: 0,
            counter_type: CounterType::Static,
            network_floating_set_id: None,
            udf_writable: false,
            custom_data: None,
            track_inventory: false,
            allow_backorder: false,
            stock_quantity: 0,
            min_stock_quantity: 0,
            threshold_plugin: None,
            pre_activation_plugin: None,
            post_activation_plugin: None,
        }
    }
}

/// A new customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCustomer {
    /// Wanted ID; `None` takes the highest + 1.
    pub id: Option<CustomerId>,
    /// Company name.
    pub company_name: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E-mail.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// Address line 1.
    pub address1: String,
    /// Address line 2.
    pub address2: String,
    /// City.
    pub city: String,
    /// State or province.
    pub state_province: String,
    /// Postal code.
    pub postal_code: String,
    /// Country.
    pub country: String,
    /// Registered (ACT-6).
    pub registered: bool,
    /// Customer password (ACT-3), if set.
    pub password: Option<String>,
    /// Fax.
    pub fax: String,
    /// The author whose back office created the customer (owner for authorisation).
    pub author_id: Option<AuthorId>,
    /// Creation time.
    pub created_at: OffsetDateTime,
}

impl NewCustomer {
    /// An unregistered customer without contact data or password.
    pub fn new(created_at: OffsetDateTime) -> Self {
        Self {
            id: None,
            company_name: String::new(),
            first_name: String::new(),
            last_name: String::new(),
            email: String::new(),
            phone: String::new(),
            address1: String::new(),
            address2: String::new(),
            city: String::new(),
            state_province: String::new(),
            postal_code: String::new(),
            country: String::new(),
            registered: false,
            password: None,
            fax: String::new(),
            author_id: None,
            created_at,
        }
    }
}

/// A new license. `None` in the copied fields applies the option (OPT-3): left per
/// QTY-1/2/3, dl per QTY-2, counter per CNT-1, expiration per EXP-1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLicense {
    /// Wanted ID; `None` takes the highest + 1 (SEQ-1).
    pub id: Option<LicenseId>,
    /// The option.
    pub option_id: OptionId,
    /// The owner.
    pub customer_id: CustomerId,
    /// Status.
    pub status: LicenseStatus,
    /// Activation Password.
    pub activation_password: String,
    /// Quantity (≥ 1).
    pub quantity: i32,
    /// activations_left; `None` copies A (× quantity for MultipleActivations).
    pub activations_left: Option<i32>,
    /// deactivations_left; `None` copies D (× quantity for MultipleActivations).
    pub deactivations_left: Option<i32>,
    /// License Counter; `None` applies CNT-1.
    pub license_counter: Option<i64>,
    /// Expiration date; `None` applies EXP-1 (entered + n, none when n = 0).
    pub expiration: Option<Date>,
    /// Allowed Activation IPs.
    pub allowed_ips: Option<String>,
    /// License Update text.
    pub license_update: String,
    /// Serial number (errata E-21).
    pub serial_number: Option<i32>,
    /// Entered date.
    pub entered_date: OffsetDateTime,
    /// Distributor (a customer).
    pub distributor_id: Option<CustomerId>,
    /// Invoice number.
    pub invoice_number: Option<String>,
    /// Notes.
    pub notes: String,
    /// Custom data.
    pub custom_data: Option<String>,
    /// UDefChar1..10.
    pub udef_chars: [Option<String>; 10],
    /// UDefNum1..5 (i64, errata E-19).
    pub udef_nums: [Option<i64>; 5],
    /// Download-until date (seed 001 [varExpirationDate]).
    pub download_until: Option<Date>,
}

impl NewLicense {
    /// A status-OK license of quantity 1 whose copied fields follow the option.
    pub fn new(
        option_id: OptionId,
        customer_id: CustomerId,
        activation_password: &str,
        entered_date: OffsetDateTime,
    ) -> Self {
        Self {
            id: None,
            option_id,
            customer_id,
            status: LicenseStatus::Ok,
            activation_password: activation_password.to_owned(),
            quantity: 1,
            activations_left: None,
            deactivations_left: None,
            license_counter: None,
            expiration: None,
            allowed_ips: None,
            license_update: String::new(),
            serial_number: None,
            entered_date,
            distributor_id: None,
            invoice_number: None,
            notes: String::new(),
            custom_data: None,
            udef_chars: Default::default(),
            udef_nums: [None; 5],
            download_until: None,
        }
    }
}
