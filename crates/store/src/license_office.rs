//! XmlLicenseService persistence (wire.md §3.7): API-user lookup and login throttling,
//! license creation on one author's option, custom data. Every call is scoped to one
//! author: an object of another author answers [`StoreError::UnknownReference`]
//! exactly like an unknown one (5042), so one author never learns of another's data.

use diesel::prelude::*;
use time::{Duration, OffsetDateTime};
use unlockd_core::license_record::{
    CustomData, CustomDataFormat, LicenseRecord, UserDefinedFields,
};
use unlockd_core::{AuthorId, CustomerId, LicenseId, LicenseStatus, OptionId, ProductId};

use crate::admin::insert_license_in;
use crate::convert::{from_db_time, to_db_time};
use crate::db::{self, Conn};
use crate::rows::LicenseRow;
use crate::schema::{api_users, customers, licenses, product_options, products};
use crate::{NewLicense, Store, StoreError};

/// An API user as authentication needs it (wire.md §3: AuthorID + UserID).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiUserRecord {
    /// Row ID, for [`Store::record_login`].
    pub id: i32,
    /// The PHC string of the password hash (argon2id).
    pub password_hash: String,
    /// Comma-separated permission names.
    pub permissions: String,
    /// Consecutive failed logins.
    pub failed_logins: i32,
    /// Logins are refused (5044) until then.
    pub throttled_until: Option<OffsetDateTime>,
}

/// How many consecutive failures throttle an API user, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures that start the throttle.
    pub max_failures: i32,
    /// How long the throttle lasts.
    pub duration: Duration,
}

impl Store {
    /// The API user `user_id` of `author`, if any. Reads only.
    pub fn api_user(
        &self,
        author: AuthorId,
        user_id: &str,
    ) -> Result<Option<ApiUserRecord>, StoreError> {
        self.read(|conn| {
            let row: Option<(i32, String, String, i32, Option<time::PrimitiveDateTime>)> =
                api_users::table
                    .filter(api_users::author_id.eq(author.get()))
                    .filter(api_users::user_id.eq(user_id))
                    .select((
                        api_users::id,
                        api_users::password_hash,
                        api_users::permissions,
                        api_users::failed_logins,
                        api_users::throttled_until,
                    ))
                    .get_result(conn)
                    .optional()?;
            Ok(row.map(
                |(id, password_hash, permissions, failed_logins, until)| ApiUserRecord {
                    id,
                    password_hash,
                    permissions,
                    failed_logins,
                    throttled_until: until.map(from_db_time),
                },
            ))
        })
    }

    /// Records a login of API user `id`: a success clears the failure count, a failure
    /// adds one and, at `policy.max_failures`, throttles until `now + policy.duration`.
    pub fn record_login(
        &self,
        id: i32,
        succeeded: bool,
        now: OffsetDateTime,
        policy: ThrottlePolicy,
    ) -> Result<(), StoreError> {
        self.write(|conn| {
            let target = api_users::table.find(id);
            if succeeded {
                diesel::update(target.filter(api_users::failed_logins.ne(0)))
                    .set((
                        api_users::failed_logins.eq(0),
                        api_users::throttled_until.eq(None::<time::PrimitiveDateTime>),
                    ))
                    .execute(conn)?;
                return Ok(());
            }
            let failures: i32 = target.select(api_users::failed_logins).get_result(conn)?;
            let failures = failures.saturating_add(1);
            let until =
                (failures >= policy.max_failures).then(|| to_db_time(now + policy.duration));
            diesel::update(target)
                .set((
                    api_users::failed_logins.eq(failures),
                    api_users::throttled_until.eq(until),
                ))
                .execute(conn)?;
            Ok(())
        })
    }

    /// Creates one license (wire.md §3.7 Add) on an option of `author` for a customer
    /// `author` may use; returns it as stored. Another author's option or customer, or
    /// an unknown distributor: [`StoreError::UnknownReference`]; a taken wanted ID:
    /// [`StoreError::IdTaken`] (SEQ-1). One transaction; IDs under the allocation lock.
    pub fn add_license_for(
        &self,
        author: AuthorId,
        l: &NewLicense,
        format: CustomDataFormat,
    ) -> Result<LicenseRecord, StoreError> {
        self.write(|conn| {
            if option_author(conn, l.option_id)? != Some(author.get()) {
                return Err(StoreError::UnknownReference("product option"));
            }
            check_customer(conn, author, l.customer_id, "customer")?;
            if let Some(distributor) = l.distributor_id {
                check_customer(conn, author, distributor, "distributor")?;
            }
            let id = insert_license_in(conn, l)?;
            diesel::update(licenses::table.find(id.get()))
                .set(licenses::custom_data_format.eq(format.name()))
                .execute(conn)?;
            load_record(conn, author, id)
        })
    }

    /// A license of `author` (wire.md §3.7 InfoCheck, Add's answer). Reads only.
    pub fn license_record(
        &self,
        author: AuthorId,
        id: LicenseId,
    ) -> Result<LicenseRecord, StoreError> {
        self.read(|conn| load_record(conn, author, id))
    }

    /// The custom data of a license of `author` (GetLicenseCustomData). Reads only.
    pub fn license_custom_data(
        &self,
        author: AuthorId,
        id: LicenseId,
    ) -> Result<CustomData, StoreError> {
        self.read(|conn| {
            license_author_guard(conn, author, id)?;
            let (data, format): (Option<String>, String) = licenses::table
                .find(id.get())
                .select((licenses::custom_data, licenses::custom_data_format))
                .get_result(conn)?;
            Ok(CustomData {
                data,
                format: CustomDataFormat::from_name(&format).unwrap_or_default(),
            })
        })
    }

    /// Replaces the custom data of a license of `author` (UpdateLicenseCustomData),
    /// under the license lock (CON-1).
    pub fn set_license_custom_data(
        &self,
        author: AuthorId,
        id: LicenseId,
        custom: &CustomData,
    ) -> Result<(), StoreError> {
        self.write(|conn| {
            db::lock_license(conn, id.get())?;
            license_author_guard(conn, author, id)?;
            diesel::update(licenses::table.find(id.get()))
                .set((
                    licenses::custom_data.eq(custom.data.clone()),
                    licenses::custom_data_format.eq(custom.format.name()),
                ))
                .execute(conn)?;
            Ok(())
        })
    }
}

/// The author owning option `id`, `None` if unknown.
pub(crate) fn option_author(conn: &mut Conn, id: OptionId) -> Result<Option<i32>, StoreError> {
    Ok(product_options::table
        .inner_join(products::table)
        .filter(product_options::id.eq(id.get()))
        .select(products::author_id)
        .get_result(conn)
        .optional()?)
}

/// A customer `author` may reference: it exists and belongs to no other author.
pub(crate) fn check_customer(
    conn: &mut Conn,
    author: AuthorId,
    id: CustomerId,
    what: &'static str,
) -> Result<(), StoreError> {
    let owner: Option<Option<i32>> = customers::table
        .find(id.get())
        .select(customers::author_id)
        .get_result(conn)
        .optional()?;
    match owner {
        Some(None) => Ok(()),
        Some(Some(a)) if a == author.get() => Ok(()),
        _ => Err(StoreError::UnknownReference(what)),
    }
}

/// Whether license `id` exists, is visible and belongs to `author`; else 5042.
pub(crate) fn license_author_guard(
    conn: &mut Conn,
    author: AuthorId,
    id: LicenseId,
) -> Result<(), StoreError> {
    let owner: Option<i32> = licenses::table
        .inner_join(product_options::table.inner_join(products::table))
        .filter(licenses::id.eq(id.get()))
        .filter(crate::bulk::visible())
        .select(products::author_id)
        .get_result(conn)
        .optional()?;
    if owner == Some(author.get()) {
        Ok(())
    } else {
        Err(StoreError::UnknownReference("license"))
    }
}

pub(crate) fn load_record(
    conn: &mut Conn,
    author: AuthorId,
    id: LicenseId,
) -> Result<LicenseRecord, StoreError> {
    license_author_guard(conn, author, id)?;
    let (l, product): (LicenseRow, i32) = licenses::table
        .inner_join(product_options::table)
        .filter(licenses::id.eq(id.get()))
        .select((LicenseRow::as_select(), product_options::product_id))
        .get_result(conn)?;
    record(l, product)
}

pub(crate) fn record(l: LicenseRow, product: i32) -> Result<LicenseRecord, StoreError> {
    let bad = |what: &str| StoreError::Config(format!("stored license has an invalid {what}"));
    Ok(LicenseRecord {
        license_id: LicenseId::new(l.id).map_err(|_| bad("ID"))?,
        activation_password: l.activation_password,
        customer_id: CustomerId::new(l.customer_id).map_err(|_| bad("customer"))?,
        product_id: ProductId::new(product).map_err(|_| bad("product"))?,
        option_id: OptionId::new(l.option_id).map_err(|_| bad("option"))?,
        quantity: l.quantity,
        status: LicenseStatus::from_name(&l.status).ok_or_else(|| bad("status"))?,
        activations_left: l.activations_left,
        deactivations_left: l.deactivations_left,
        license_counter: l.license_counter,
        expiration: l.expiration,
        entered_date: from_db_time(l.entered_date),
        distributor_id: l.distributor_id.and_then(|d| CustomerId::new(d).ok()),
        invoice_number: l.invoice_number,
        license_update: l.license_update,
        allowed_ips: l.allowed_ips,
        user_defined_fields: UserDefinedFields {
            chars: [
                l.udef_char1,
                l.udef_char2,
                l.udef_char3,
                l.udef_char4,
                l.udef_char5,
                l.udef_char6,
                l.udef_char7,
                l.udef_char8,
                l.udef_char9,
                l.udef_char10,
            ],
            nums: [
                l.udef_num1,
                l.udef_num2,
                l.udef_num3,
                l.udef_num4,
                l.udef_num5,
            ],
        },
        custom_data: l.custom_data,
    })
}
