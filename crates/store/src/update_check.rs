//! The product update fields (migration `000043_product_updates`), an option's Replaced
//! By, and the version check that reads them (wire.md §3.7 UpdateCheck, §3.11
//! updatecheck.asp; the decision is `unlockd_core::update_check::decide`).

use diesel::prelude::*;
use time::Date;
use unlockd_core::update_check::{self, ProductUpdates, UpdateCheckRequest, UpdateReport};
use unlockd_core::{LicenseId, OptionId, ProductId, UpgradeBehavior, Version};

use crate::db::Conn;
use crate::load::LicenseBundle;
use crate::schema::{product_options, products};
use crate::{Store, StoreError};

/// A change of a product's update fields: `None` leaves a field as it is,
/// `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductUpdatesChange {
    /// Latest Version.
    pub latest_version: Option<Option<Version>>,
    /// Latest Free Version.
    pub latest_free_version: Option<Option<Version>>,
    /// URLInfo.
    pub url_info: Option<Option<String>>,
    /// URLFile.
    pub url_file: Option<Option<String>>,
    /// ReleaseDate.
    pub release_date: Option<Option<Date>>,
    /// ShortMessage.
    pub short_message: Option<Option<String>>,
}

type UpdatesRow = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<Date>,
    Option<String>,
);

impl Store {
    /// The version check of license `id` (A2, A3, then the product's update fields;
    /// rules in `core::update_check`). Reads only.
    pub fn update_check(
        &self,
        id: LicenseId,
        req: &UpdateCheckRequest,
        today: Date,
    ) -> Result<UpdateReport, StoreError> {
        self.read(|conn| {
            let bundle = LicenseBundle::load(conn, id.get())?;
            let Some(bundle) = bundle else {
                let unknown = update_check::decide(
                    None,
                    UpgradeBehavior::Deactivate,
                    None,
                    ProductUpdates::default(),
                    req,
                    today,
                );
                return unknown.map_err(StoreError::Refused);
            };
            let (license, rules) = bundle.state()?;
            let replaced_by = bundle
                .option
                .replaced_by
                .map(|o| OptionId::new(o).map_err(|_| invalid("Replaced By")))
                .transpose()?;
            let updates = product_updates(conn, license.product_id)?;
            update_check::decide(
                Some(&license),
                rules.upgrade_behavior,
                replaced_by,
                updates,
                req,
                today,
            )
            .map_err(StoreError::Refused)
        })
    }

    /// The update fields of product `id`; [`StoreError::NotFound`] if there is none.
    pub fn product_updates(&self, id: ProductId) -> Result<ProductUpdates, StoreError> {
        self.read(|conn| product_updates(conn, id))
    }

    /// Changes the update fields of product `id` (absent fields stay);
    /// [`StoreError::NotFound`] if there is no such product.
    pub fn set_product_updates(
        &self,
        id: ProductId,
        change: &ProductUpdatesChange,
    ) -> Result<(), StoreError> {
        self.write(|conn| {
            let current = product_updates(conn, id)?;
            let text = |v: Option<Version>| v.map(|v| v.to_string());
            let pick = |new: &Option<Option<String>>, old: Option<String>| match new {
                Some(value) => value.clone(),
                None => old,
            };
            diesel::update(products::table.find(id.get()))
                .set((
                    products::latest_version.eq(text(
                        change.latest_version.unwrap_or(current.latest_version),
                    )),
                    products::latest_free_version.eq(text(
                        change
                            .latest_free_version
                            .unwrap_or(current.latest_free_version),
                    )),
                    products::url_info.eq(pick(&change.url_info, current.url_info)),
                    products::url_file.eq(pick(&change.url_file, current.url_file)),
                    products::release_date.eq(change.release_date.unwrap_or(current.release_date)),
                    products::short_message.eq(pick(&change.short_message, current.short_message)),
                ))
                .execute(conn)?;
            Ok(())
        })
    }

    /// Sets (or clears) the option that replaces option `id` (errata E-21, rules OPT
    /// table "Replaced By"); the replacing option must exist and the chain of
    /// replacements may not come back to `id` (ORD-1: a loop is E-CONFIG).
    pub fn set_replaced_by(&self, id: OptionId, by: Option<OptionId>) -> Result<(), StoreError> {
        self.write(|conn| {
            let exists = |conn: &mut Conn, o: OptionId| -> Result<bool, StoreError> {
                Ok(
                    diesel::select(diesel::dsl::exists(product_options::table.find(o.get())))
                        .get_result(conn)?,
                )
            };
            if !exists(conn, id)? {
                return Err(StoreError::NotFound);
            }
            let mut next = by;
            while let Some(step) = next {
                if step == id {
                    return Err(StoreError::Config(format!(
                        "option {id} would replace itself through option {}",
                        by.map_or(0, OptionId::get)
                    )));
                }
                if !exists(conn, step)? {
                    return Err(StoreError::UnknownReference("replacing option"));
                }
                next = product_options::table
                    .find(step.get())
                    .select(product_options::replaced_by)
                    .get_result::<Option<i32>>(conn)?
                    .and_then(|o| OptionId::new(o).ok());
            }
            diesel::update(product_options::table.find(id.get()))
                .set(product_options::replaced_by.eq(by.map(OptionId::get)))
                .execute(conn)?;
            Ok(())
        })
    }
}

fn invalid(what: &str) -> StoreError {
    StoreError::Config(format!("stored {what} is invalid"))
}

fn product_updates(conn: &mut Conn, id: ProductId) -> Result<ProductUpdates, StoreError> {
    let row: Option<UpdatesRow> = products::table
        .find(id.get())
        .select((
            products::latest_version,
            products::latest_free_version,
            products::url_info,
            products::url_file,
            products::release_date,
            products::short_message,
        ))
        .get_result(conn)
        .optional()?;
    let (latest, free, url_info, url_file, release_date, short_message) =
        row.ok_or(StoreError::NotFound)?;
    let version = |text: Option<String>, what: &str| {
        text.map(|t| Version::parse_minimum(&t).map_err(|_| invalid(what)))
            .transpose()
    };
    Ok(ProductUpdates {
        latest_version: version(latest, "Latest Version")?,
        latest_free_version: version(free, "Latest Free Version")?,
        url_info,
        url_file,
        release_date,
        short_message,
    })
}
