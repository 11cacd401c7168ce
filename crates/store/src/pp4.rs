//! The PP4 posting scripts (wire.md §3.11): postregdata.asp registers the license's
//! customer (rules ACT-6), countpost.asp stores the last five usage counters. Both run
//! in [`Store::write`] after [`db::lock_license`] (CON-1) and check the credentials
//! (A2: ACT-3, ERR-1) on the license re-read under the lock; a refusal changes nothing.

use diesel::prelude::*;
use time::OffsetDateTime;
use unlockd_core::pp4_post::{ContactData, UsageCounters};
use unlockd_core::{LicenseId, Password, Refusal};

use crate::convert::to_db_time;
use crate::db::{self, Conn};
use crate::error::StoreError;
use crate::load::LicenseBundle;
use crate::schema::{customers, license_usage_counters};
use crate::Store;

impl Store {
    /// postregdata.asp: with matching credentials, writes `contact` to the license's
    /// customer and marks it registered (ACT-6). Unknown license or wrong password:
    /// [`Refusal::Credentials`].
    pub fn register_customer(
        &self,
        id: LicenseId,
        password: &Password,
        contact: &ContactData,
    ) -> Result<(), StoreError> {
        self.write(|conn| {
            let bundle = locked(conn, id)?;
            let state = bundle.as_ref().map(|b| b.state()).transpose()?;
            unlockd_core::credentials::check(state.as_ref().map(|(l, _)| l), password)?;
            let customer_id = bundle.map(|b| b.customer.id).ok_or(Refusal::Credentials)?;
            diesel::update(customers::table.find(customer_id))
                .set((
                    customers::company_name.eq(&contact.company_name),
                    customers::first_name.eq(&contact.first_name),
                    customers::last_name.eq(&contact.last_name),
                    customers::address1.eq(&contact.address1),
                    customers::address2.eq(&contact.address2),
                    customers::city.eq(&contact.city),
                    customers::state_province.eq(&contact.state),
                    customers::postal_code.eq(&contact.postal_code),
                    customers::country.eq(&contact.country),
                    customers::phone.eq(&contact.phone),
                    customers::fax.eq(&contact.fax),
                    customers::email.eq(&contact.email),
                    customers::registered.eq(true),
                ))
                .execute(conn)?;
            Ok(())
        })
    }

    /// countpost.asp: stores `counters` as license `id`'s last usage counters and
    /// returns its License Update. `password`, when given, must match (A2); without
    /// it the license must exist. Either failure: [`Refusal::Credentials`].
    pub fn post_usage_counters(
        &self,
        id: LicenseId,
        password: Option<&Password>,
        counters: UsageCounters,
        now: OffsetDateTime,
    ) -> Result<String, StoreError> {
        self.write(|conn| {
            let bundle = locked(conn, id)?;
            if let Some(password) = password {
                let state = bundle.as_ref().map(|b| b.state()).transpose()?;
                unlockd_core::credentials::check(state.as_ref().map(|(l, _)| l), password)?;
            }
            let license = bundle.ok_or(Refusal::Credentials)?.license;
            let [c1, c2, c3, c4, c5] = counters.values();
            diesel::delete(license_usage_counters::table.find(license.id)).execute(conn)?;
            diesel::insert_into(license_usage_counters::table)
                .values((
                    license_usage_counters::license_id.eq(license.id),
                    license_usage_counters::counter1.eq(c1),
                    license_usage_counters::counter2.eq(c2),
                    license_usage_counters::counter3.eq(c3),
                    license_usage_counters::counter4.eq(c4),
                    license_usage_counters::counter5.eq(c5),
                    license_usage_counters::posted_at.eq(to_db_time(now)),
                ))
                .execute(conn)?;
            Ok(license.license_update)
        })
    }

    /// The last usage counters posted for license `id` (countpost.asp), if any.
    pub fn usage_counters(&self, id: LicenseId) -> Result<Option<[i64; 5]>, StoreError> {
        self.read(|conn| {
            Ok(license_usage_counters::table
                .find(id.get())
                .select((
                    license_usage_counters::counter1,
                    license_usage_counters::counter2,
                    license_usage_counters::counter3,
                    license_usage_counters::counter4,
                    license_usage_counters::counter5,
                ))
                .get_result::<(i64, i64, i64, i64, i64)>(conn)
                .optional()?
                .map(|(a, b, c, d, e)| [a, b, c, d, e]))
        })
    }
}

/// Locks license `id` (CON-1), then re-reads it with its customer.
fn locked(conn: &mut Conn, id: LicenseId) -> Result<Option<LicenseBundle>, StoreError> {
    db::lock_license(conn, id.get())?;
    LicenseBundle::load(conn, id.get())
}
