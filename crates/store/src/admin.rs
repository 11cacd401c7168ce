//! Admin and demo inserts (plain structs, every field), plus the few reads the CLI
//! and tests need. Validation of option fields (OPT-1) belongs to the caller; the
//! store applies only the coercions the rules spell out (OPT-1 D, OPT-2 Hidden).

use std::net::Ipv4Addr;

use diesel::prelude::*;
use time::{Date, Duration, OffsetDateTime};
use unlockd_core::{
    ActivationRecord, AuthorId, CounterType, CustomerId, IpMode, LicenseId, LicenseState,
    LicenseStatus, OptionId, OptionType, ProductId, TriggerCode, UpgradeBehavior, Version,
};

use crate::convert::{self, to_db_time};
use crate::db::Conn;
use crate::error::StoreError;
use crate::load::LicenseBundle;
use crate::rows::{
    AuthorRow, CustomerRow, LicenseRow, NewApiUserRow, OptionRow, ProductRow, RecordRow,
};
use crate::schema::{
    activation_records, api_users, authors, customers, licenses, product_options, products,
};
use crate::Store;

/// Quantity Mode (rules QTY-1/2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantityMode {
    /// q licenses of quantity 1 (default).
    MultipleLicenses,
    /// One license of quantity q.
    MultipleActivations,
}

impl QuantityMode {
    fn name(self) -> &'static str {
        match self {
            Self::MultipleLicenses => "MultipleLicenses",
            Self::MultipleActivations => "MultipleActivations",
        }
    }

    fn from_name(s: &str) -> Option<Self> {
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
    fn name(self) -> &'static str {
        match self {
            Self::None => "None",
            Self::SpecifiedValue => "SpecifiedValue",
            Self::Quantity => "Quantity",
        }
    }

    fn from_name(s: &str) -> Option<Self> {
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
        }
    }
}

/// What a license copies from its option (OPT-3, QTY-1..3, CNT-1, EXP-1); checked
/// arithmetic, overflow is E-CONFIG (QTY-4).
fn copied_fields(
    l: &NewLicense,
    o: &OptionRow,
) -> Result<(i32, i32, Option<i64>, Option<Date>), StoreError> {
    let overflow = || {
        StoreError::Config(format!(
            "license quantity {} overflows option {}",
            l.quantity, o.id
        ))
    };
    if l.quantity < 1 {
        return Err(StoreError::Config(format!(
            "license quantity {} is below 1",
            l.quantity
        )));
    }
    let mode = QuantityMode::from_name(&o.quantity_mode).ok_or_else(|| {
        StoreError::Config(format!(
            "option {}: quantity mode `{}`",
            o.id, o.quantity_mode
        ))
    })?;
    let per_quantity = |v: i32| -> Result<i32, StoreError> {
        match mode {
            QuantityMode::MultipleActivations if v >= 0 => {
                v.checked_mul(l.quantity).ok_or_else(overflow)
            }
            _ => Ok(v),
        }
    };
    let with_quantity = o.option_type == OptionType::ActivationCodeWithQuantity.name();
    let left = match l.activations_left {
        Some(v) => v,
        // QTY-3: WithQuantity keeps left = A = 1 for any q.
        None if with_quantity => o.activations_per_unit,
        None => per_quantity(o.activations_per_unit)?,
    };
    let dl = match l.deactivations_left {
        Some(v) => v,
        None => per_quantity(o.deactivations_per_unit)?,
    };
    let source = CounterSource::from_name(&o.license_counter_source).ok_or_else(|| {
        StoreError::Config(format!(
            "option {}: counter source `{}`",
            o.id, o.license_counter_source
        ))
    })?;
    let counter = match (l.license_counter, source) {
        (Some(v), _) => Some(v),
        (None, CounterSource::None) => None,
        (None, CounterSource::SpecifiedValue) => Some(
            o.license_counter_value
                .checked_mul(i64::from(l.quantity))
                .ok_or_else(overflow)?,
        ),
        (None, CounterSource::Quantity) => Some(i64::from(l.quantity)),
    };
    let expiration = match (l.expiration, o.days_to_download) {
        (Some(d), _) => Some(d),
        (None, 0) => None,
        (None, n) => Some(
            l.entered_date
                .date()
                .checked_add(Duration::days(i64::from(n)))
                .ok_or_else(overflow)?,
        ),
    };
    Ok((left, dl, counter, expiration))
}

/// `wanted`, or the highest ID of `table` + 1.
macro_rules! next_id {
    ($conn:expr, $table:ident, $wanted:expr) => {
        match $wanted {
            Some(id) => id,
            None => {
                let max: Option<i32> = $table::table
                    .select(diesel::dsl::max($table::id))
                    .first($conn)?;
                max.unwrap_or(0)
                    .checked_add(1)
                    .ok_or_else(|| StoreError::Config("ID space exhausted".to_owned()))?
            }
        }
    };
}

fn positive<T>(
    make: impl FnOnce(i32) -> Result<T, unlockd_core::ParseError>,
    v: i32,
) -> Result<T, StoreError> {
    make(v).map_err(|_| StoreError::Config(format!("ID {v} is not positive")))
}

impl Store {
    /// Inserts an author; returns its ID.
    pub fn insert_author(&self, a: &NewAuthor) -> Result<AuthorId, StoreError> {
        self.write(|conn| {
            let id = next_id!(conn, authors, a.id.map(AuthorId::get));
            diesel::insert_into(authors::table)
                .values(AuthorRow {
                    id,
                    name: a.name.clone(),
                    created_at: to_db_time(a.created_at),
                })
                .execute(conn)?;
            positive(AuthorId::new, id)
        })
    }

    /// Inserts a back-office API user.
    pub fn insert_api_user(&self, u: &NewApiUser) -> Result<(), StoreError> {
        self.write(|conn| {
            diesel::insert_into(api_users::table)
                .values(NewApiUserRow {
                    author_id: u.author_id.get(),
                    user_id: &u.user_id,
                    password_hash: &u.password_hash,
                    permissions: &u.permissions,
                })
                .execute(conn)?;
            Ok(())
        })
    }

    /// Inserts a product; returns its ID.
    pub fn insert_product(&self, p: &NewProduct) -> Result<ProductId, StoreError> {
        self.write(|conn| {
            let id = next_id!(conn, products, p.id.map(ProductId::get));
            diesel::insert_into(products::table)
                .values(ProductRow {
                    id,
                    author_id: p.author_id.get(),
                    name: p.name.clone(),
                    latest_version: p.latest_version.clone(),
                })
                .execute(conn)?;
            positive(ProductId::new, id)
        })
    }

    /// Inserts an option; returns its ID. Applies OPT-1 (D is 0 unless IID ∧ AD) and
    /// OPT-2 (not enabled ⇒ hidden).
    pub fn insert_option(&self, o: &NewOption) -> Result<OptionId, StoreError> {
        self.write(|conn| {
            let id = next_id!(conn, product_options, o.id.map(OptionId::get));
            let row = option_row(id, o)?;
            diesel::insert_into(product_options::table)
                .values(row)
                .execute(conn)?;
            positive(OptionId::new, id)
        })
    }

    /// Inserts a customer; returns its ID.
    pub fn insert_customer(&self, c: &NewCustomer) -> Result<CustomerId, StoreError> {
        self.write(|conn| {
            let id = next_id!(conn, customers, c.id.map(CustomerId::get));
            diesel::insert_into(customers::table)
                .values(CustomerRow {
                    id,
                    company_name: c.company_name.clone(),
                    first_name: c.first_name.clone(),
                    last_name: c.last_name.clone(),
                    email: c.email.clone(),
                    phone: c.phone.clone(),
                    address1: c.address1.clone(),
                    address2: c.address2.clone(),
                    city: c.city.clone(),
                    state_province: c.state_province.clone(),
                    postal_code: c.postal_code.clone(),
                    country: c.country.clone(),
                    registered: c.registered,
                    password: c.password.clone(),
                    created_at: to_db_time(c.created_at),
                })
                .execute(conn)?;
            positive(CustomerId::new, id)
        })
    }

    /// Inserts a license; returns its ID. Fields left `None` are copied from the
    /// option (see [`NewLicense`]); activations_allowed starts at activations_left.
    pub fn insert_license(&self, l: &NewLicense) -> Result<LicenseId, StoreError> {
        self.write(|conn| insert_license_in(conn, l))
    }

    /// Whether license `id` exists.
    pub fn license_exists(&self, id: LicenseId) -> Result<bool, StoreError> {
        let mut conn = self.conn()?;
        Ok(
            diesel::select(diesel::dsl::exists(licenses::table.find(id.get())))
                .get_result(&mut conn)?,
        )
    }

    /// Sets a license's status; [`StoreError::NotFound`] if there is no such license.
    /// Transition rules (errata E-18) are the caller's.
    pub fn set_license_status(
        &self,
        id: LicenseId,
        status: LicenseStatus,
    ) -> Result<(), StoreError> {
        self.write(|conn| {
            let changed = diesel::update(licenses::table.find(id.get()))
                .set(licenses::status.eq(status.name()))
                .execute(conn)?;
            if changed == 1 {
                Ok(())
            } else {
                Err(StoreError::NotFound)
            }
        })
    }

    /// License `id` as the rules see it, or `None`.
    pub fn license_state(&self, id: LicenseId) -> Result<Option<LicenseState>, StoreError> {
        self.read(|conn| {
            LicenseBundle::load(conn, id.get())?
                .map(|b| b.state().map(|(l, _)| l))
                .transpose()
        })
    }

    /// Every activation record of license `id`, in grant order.
    pub fn records(&self, id: LicenseId) -> Result<Vec<ActivationRecord>, StoreError> {
        let mut conn = self.conn()?;
        activation_records::table
            .filter(activation_records::license_id.eq(id.get()))
            .order(activation_records::id)
            .select(RecordRow::as_select())
            .load(&mut conn)?
            .iter()
            .map(convert::record)
            .collect()
    }
}

fn insert_license_in(conn: &mut Conn, l: &NewLicense) -> Result<LicenseId, StoreError> {
    let option: OptionRow = product_options::table
        .find(l.option_id.get())
        .select(OptionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    let (left, dl, counter, expiration) = copied_fields(l, &option)?;
    let id = next_id!(conn, licenses, l.id.map(LicenseId::get));
    let [c1, c2, c3, c4, c5, c6, c7, c8, c9, c10] = l.udef_chars.clone();
    let [n1, n2, n3, n4, n5] = l.udef_nums;
    diesel::insert_into(licenses::table)
        .values(LicenseRow {
            id,
            option_id: l.option_id.get(),
            customer_id: l.customer_id.get(),
            status: l.status.name().to_owned(),
            activation_password: l.activation_password.clone(),
            quantity: l.quantity,
            activations_left: left,
            activations_allowed: left,
            deactivations_left: dl,
            license_counter: counter,
            expiration,
            allowed_ips: l.allowed_ips.clone(),
            license_update: l.license_update.clone(),
            update_counter: 0,
            serial_number: l.serial_number,
            entered_date: to_db_time(l.entered_date),
            distributor_id: l.distributor_id.map(CustomerId::get),
            invoice_number: l.invoice_number.clone(),
            notes: l.notes.clone(),
            custom_data: l.custom_data.clone(),
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
        })
        .execute(conn)?;
    positive(LicenseId::new, id)
}

fn option_row(id: i32, o: &NewOption) -> Result<OptionRow, StoreError> {
    let tc_seed = i32::try_from(o.tc_seed)
        .map_err(|_| StoreError::Config(format!("TC seed {} exceeds i32::MAX", o.tc_seed)))?;
    Ok(OptionRow {
        id,
        product_id: o.product_id.get(),
        name: o.name.clone(),
        option_type: o.option_type.name().to_owned(),
        enabled: o.enabled,
        hidden: o.hidden || !o.enabled,
        quantity_mode: o.quantity_mode.name().to_owned(),
        min_quantity: o.min_quantity,
        max_quantity: o.max_quantity,
        activations_per_unit: o.activations_per_unit,
        issue_license: o.issue_license,
        issue_installation_id: o.issue_installation_id,
        allow_deactivations: o.allow_deactivations,
        deactivations_per_unit: if o.issue_installation_id && o.allow_deactivations {
            o.deactivations_per_unit
        } else {
            0
        },
        allow_reactivation: o.allow_reactivation,
        ip_mode: o.ip_mode.name().to_owned(),
        ip_mask: o.ip_mask.to_string(),
        additional_days: i32::try_from(o.additional_days)
            .map_err(|_| StoreError::Config("additional days out of range".to_owned()))?,
        min_version: o.min_version.map(|v| v.to_string()),
        min_version_url: o.min_version_url.clone(),
        unlock_threshold: o.unlock_threshold,
        trigger_code: i32::from(o.trigger_code.get()),
        tc_seed,
        rk2_seed: i32::from(o.rk2_seed),
        tc_fixed_value: i32::from(o.tc_fixed_value),
        tc_algorithm: o.tc_algorithm.clone(),
        offact_key: o.offact_key.clone(),
        days_to_download: i32::try_from(o.days_to_download)
            .map_err(|_| StoreError::Config("days to download out of range".to_owned()))?,
        reset_expiration: o.reset_expiration,
        upgrade_behavior: o.upgrade_behavior.name().to_owned(),
        upgrade_from: o.upgrade_from.map(OptionId::get),
        upgrade_to: o.upgrade_to.map(OptionId::get),
        replaced_by: o.replaced_by.map(OptionId::get),
        license_counter_source: o.counter_source.name().to_owned(),
        license_counter_value: o.counter_value,
        license_counter_type: o.counter_type.name().to_owned(),
        network_floating_set_id: o.network_floating_set_id,
        udf_writable: o.udf_writable,
        custom_data: o.custom_data.clone(),
        track_inventory: o.track_inventory,
        allow_backorder: o.allow_backorder,
        stock_quantity: o.stock_quantity,
        min_stock_quantity: o.min_stock_quantity,
        threshold_plugin: o.threshold_plugin.clone(),
        pre_activation_plugin: o.pre_activation_plugin.clone(),
        post_activation_plugin: o.post_activation_plugin.clone(),
    })
}
