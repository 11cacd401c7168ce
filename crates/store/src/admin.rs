//! Admin and demo inserts (inputs in `inputs.rs`), plus the few reads the CLI and
//! tests need. Validation of option fields (OPT-1) belongs to the caller; the
//! store applies only the coercions the rules spell out (OPT-1 D, OPT-2 Hidden).

use diesel::prelude::*;
use time::{Date, Duration};
use unlockd_core::{
    ActivationRecord, AuthorId, CustomerId, LicenseId, LicenseState, LicenseStatus, OptionId,
    OptionType, ProductId,
};

use crate::convert::{self, to_db_time};
use crate::db::{self, Conn};
use crate::error::StoreError;
use crate::inputs::{
    CounterSource, NewApiUser, NewAuthor, NewCustomer, NewLicense, NewOption, NewProduct,
    QuantityMode,
};
use crate::load::LicenseBundle;
use crate::rows::{
    AuthorRow, CustomerRow, LicenseRow, NewApiUserRow, OptionRow, ProductRow, RecordRow,
};
use crate::schema::{
    activation_records, api_users, authors, customers, licenses, product_options, products,
};
use crate::Store;

/// What a license copies from its option (OPT-3, QTY-1..3, CNT-1, EXP-1); checked
/// arithmetic, overflow is E-CONFIG (QTY-4).
pub(crate) fn copied_fields(
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

/// `wanted`, or the highest ID of `table` + 1 under the allocation lock
/// (`db::lock_id_allocation`, CON-5), so concurrent creators never clash.
macro_rules! next_id {
    ($conn:expr, $table:ident, $wanted:expr) => {
        match $wanted {
            Some(id) => id,
            None => {
                crate::db::lock_id_allocation($conn)?;
                let max: Option<i32> = $table::table
                    .select(diesel::dsl::max($table::id))
                    .get_result($conn)?;
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
            db::lock_id_allocation(conn)?;
            let id = match c.id {
                Some(id) if crate::bulk::customer_id_reserved(conn, id.get())? => {
                    return Err(StoreError::Config(format!("customer ID {id} is reserved")));
                }
                Some(id) => id.get(),
                None => crate::bulk::highest_customer_id(conn)?
                    .checked_add(1)
                    .ok_or_else(|| StoreError::Config("ID space exhausted".to_owned()))?,
            };
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
                    fax: c.fax.clone(),
                    author_id: c.author_id.map(AuthorId::get),
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

    /// The PP4 status query (getlicensestatus.asp; rules ACT-3/ERR-1 and A3 in core):
    /// the license's status, its option's Replaced By (errata E-21, 0 none) and License
    /// Update. Reads only.
    pub fn license_status_query(
        &self,
        id: LicenseId,
        password: &unlockd_core::Password,
        product_id: Option<ProductId>,
    ) -> Result<(unlockd_core::LicenseStatus, i32, String), StoreError> {
        self.read(|conn| {
            let bundle = LicenseBundle::load(conn, id.get())?;
            let state = bundle.as_ref().map(|b| b.state()).transpose()?;
            let license =
                unlockd_core::status::query(state.as_ref().map(|(l, _)| l), password, product_id)?;
            let replaced_by = bundle.and_then(|b| b.option.replaced_by).unwrap_or(0);
            Ok((license.status, replaced_by, license.license_update.clone()))
        })
    }

    /// Whether license `id` exists.
    pub fn license_exists(&self, id: LicenseId) -> Result<bool, StoreError> {
        let mut conn = self.conn()?;
        Ok(diesel::select(diesel::dsl::exists(
            licenses::table
                .find(id.get())
                .filter(crate::bulk::visible()),
        ))
        .get_result(&mut conn)?)
    }

    /// Sets a license's status; [`StoreError::NotFound`] if there is no such license.
    /// Transition rules (errata E-18) are the caller's.
    pub fn set_license_status(
        &self,
        id: LicenseId,
        status: LicenseStatus,
    ) -> Result<(), StoreError> {
        self.write(|conn| {
            db::lock_license(conn, id.get())?;
            let changed = diesel::update(
                licenses::table
                    .find(id.get())
                    .filter(crate::bulk::visible()),
            )
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

pub(crate) fn insert_license_in(conn: &mut Conn, l: &NewLicense) -> Result<LicenseId, StoreError> {
    let option: OptionRow = product_options::table
        .find(l.option_id.get())
        .select(OptionRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    let (left, dl, counter, expiration) = copied_fields(l, &option)?;
    // SEQ-1/SEQ-2: a new ID never falls into a block a running bulk add reserved;
    // a wanted ID that is taken or reserved is 5043.
    db::lock_id_allocation(conn)?;
    let id = match l.id {
        Some(id) => {
            let taken: bool = diesel::select(diesel::dsl::exists(licenses::table.find(id.get())))
                .get_result(conn)?;
            if taken || crate::bulk::license_id_reserved(conn, id.get())? {
                return Err(StoreError::IdTaken);
            }
            id.get()
        }
        None => crate::bulk::highest_license_id(conn)?
            .checked_add(1)
            .ok_or_else(|| StoreError::Config("ID space exhausted".to_owned()))?,
    };
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
            download_until: l.download_until,
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
