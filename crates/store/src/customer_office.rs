//! XmlCustomerService and licenseserver.asmx persistence (wire.md §3.8): customers of
//! one author read, searched by e-mail, added and updated, and the one-transaction
//! license + unregistered customer. A customer is the author's when the author's back
//! office created it, or when it has no owning author and holds one of the author's
//! licenses; any other customer answers [`StoreError::UnknownReference`] exactly like
//! an unknown one (5042), so one author never sees another's customers.

use diesel::prelude::*;
use time::OffsetDateTime;
use unlockd_core::customer_record::{CustomerChanges, CustomerRecord};
use unlockd_core::license_record::{CustomDataFormat, LicenseRecord};
use unlockd_core::pp4_post::ContactData;
use unlockd_core::{AuthorId, CustomerId};

use crate::convert::{from_db_time, to_db_time};
use crate::db::{self, Conn};
use crate::rows::CustomerRow;
use crate::schema::{bulk_batches, customers, licenses, product_options, products};
use crate::{NewLicense, Store, StoreError};

/// Most customers one CustomerSearch answers (wire.md §3.8: up to 100).
pub const SEARCH_LIMIT: usize = 100;

diesel::define_sql_function! {
    /// SQL `lower(text)` (ASCII letters on SQLite, all letters on PostgreSQL).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// What AddLicenseAndUnregisteredCustomer created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseWithCustomer {
    /// The new license, as stored.
    pub license: LicenseRecord,
    /// The new customer's password (ACT-3: it unlocks the license too).
    pub customer_password: String,
}

impl Store {
    /// Customer `id` of `author`; [`StoreError::UnknownReference`] if unknown or not
    /// the author's. Reads only.
    pub fn customer_of(
        &self,
        author: AuthorId,
        id: CustomerId,
    ) -> Result<CustomerRecord, StoreError> {
        self.read(|conn| load_visible(conn, author, id))
    }

    /// The author's customers whose e-mail equals `email` ignoring case, lowest ID
    /// first, at most [`SEARCH_LIMIT`]. Reads only.
    pub fn customers_by_email(
        &self,
        author: AuthorId,
        email: &str,
    ) -> Result<Vec<CustomerRecord>, StoreError> {
        self.read(|conn| {
            let candidates: Vec<CustomerRow> = customers::table
                .filter(lower(customers::email).eq(lower(email)))
                .order(customers::id)
                .select(CustomerRow::as_select())
                .load(conn)?;
            let mut found = Vec::new();
            for row in candidates {
                if found.len() == SEARCH_LIMIT {
                    break;
                }
                if is_visible(conn, author, row.id)? {
                    found.push(record(row)?);
                }
            }
            Ok(found)
        })
    }

    /// Creates a customer owned by `author` from `changes` (absent fields empty;
    /// ACT-6 decides Registered) with the next customer ID; returns it as stored.
    pub fn add_customer_for(
        &self,
        author: AuthorId,
        changes: CustomerChanges,
        now: OffsetDateTime,
    ) -> Result<CustomerRecord, StoreError> {
        let (contact, registered) = changes
            .apply(ContactData::default(), false)
            .map_err(StoreError::Refused)?;
        self.write(|conn| {
            let id = insert_customer_in(conn, author, &contact, registered, None, now)?;
            load_visible(conn, author, id)
        })
    }

    /// Applies `changes` to customer `id` of `author` (absent fields unchanged,
    /// ACT-6); returns it as stored. One transaction.
    pub fn update_customer_for(
        &self,
        author: AuthorId,
        id: CustomerId,
        changes: CustomerChanges,
    ) -> Result<CustomerRecord, StoreError> {
        self.write(|conn| {
            let current = load_visible(conn, author, id)?;
            let (c, registered) = changes
                .clone()
                .apply(current.contact, current.registered)
                .map_err(StoreError::Refused)?;
            diesel::update(customers::table.find(id.get()))
                .set((
                    customers::company_name.eq(c.company_name),
                    customers::first_name.eq(c.first_name),
                    customers::last_name.eq(c.last_name),
                    customers::address1.eq(c.address1),
                    customers::address2.eq(c.address2),
                    customers::city.eq(c.city),
                    customers::state_province.eq(c.state),
                    customers::postal_code.eq(c.postal_code),
                    customers::country.eq(c.country),
                    customers::phone.eq(c.phone),
                    customers::fax.eq(c.fax),
                    customers::email.eq(c.email),
                    customers::registered.eq(registered),
                ))
                .execute(conn)?;
            load_visible(conn, author, id)
        })
    }

    /// licenseserver.asmx AddLicenseAndUnregisteredCustomer (wire.md §3.8): in one
    /// transaction, a new unregistered customer of `author` with `customer_password`
    /// (ACT-6) and the license `l` on one of the author's options for it (its
    /// `customer_id` is replaced). Another author's option, or a distributor that is
    /// not the author's or not enabled (DST-1): [`StoreError::UnknownReference`] and
    /// nothing written.
    pub fn add_license_and_customer(
        &self,
        author: AuthorId,
        l: &NewLicense,
        customer_password: &str,
    ) -> Result<LicenseWithCustomer, StoreError> {
        self.write(|conn| {
            if crate::license_office::option_author(conn, l.option_id)? != Some(author.get()) {
                return Err(StoreError::UnknownReference("product option"));
            }
            if let Some(distributor) = l.distributor_id {
                crate::license_office::check_customer(conn, author, distributor, "distributor")?;
                crate::back_office::check_distributor(conn, distributor)?;
            }
            let customer = insert_customer_in(
                conn,
                author,
                &ContactData::default(),
                false,
                Some(customer_password),
                l.entered_date,
            )?;
            let license = NewLicense {
                customer_id: customer,
                ..l.clone()
            };
            let id = crate::admin::insert_license_in(conn, &license)?;
            diesel::update(licenses::table.find(id.get()))
                .set(licenses::custom_data_format.eq(CustomDataFormat::Text.name()))
                .execute(conn)?;
            Ok(LicenseWithCustomer {
                license: crate::license_office::load_record(conn, author, id)?,
                customer_password: customer_password.to_owned(),
            })
        })
    }
}

/// Inserts a customer owned by `author` with the next free ID (under the ID
/// allocation lock, CON-5; never inside a block a running bulk add reserved).
fn insert_customer_in(
    conn: &mut Conn,
    author: AuthorId,
    c: &ContactData,
    registered: bool,
    password: Option<&str>,
    now: OffsetDateTime,
) -> Result<CustomerId, StoreError> {
    db::lock_id_allocation(conn)?;
    let id = crate::bulk::highest_customer_id(conn)?
        .checked_add(1)
        .ok_or_else(|| StoreError::Config("ID space exhausted".to_owned()))?;
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
            state_province: c.state.clone(),
            postal_code: c.postal_code.clone(),
            country: c.country.clone(),
            registered,
            password: password.map(str::to_owned),
            created_at: to_db_time(now),
            fax: c.fax.clone(),
            author_id: Some(author.get()),
        })
        .execute(conn)?;
    CustomerId::new(id).map_err(|_| StoreError::Config("ID space exhausted".to_owned()))
}

/// Whether customer `id` is `author`'s: created by the author's back office, or
/// without owner and holding one of the author's visible licenses; never a customer
/// a still-staging bulk batch created (E-6).
fn is_visible(conn: &mut Conn, author: AuthorId, id: i32) -> Result<bool, StoreError> {
    let row: Option<(Option<i32>, Option<i32>)> = customers::table
        .find(id)
        .select((customers::author_id, customers::bulk_batch_id))
        .get_result(conn)
        .optional()?;
    let Some((owner, batch)) = row else {
        return Ok(false);
    };
    if let Some(batch) = batch {
        let staging: bool = diesel::select(diesel::dsl::exists(bulk_batches::table.find(batch)))
            .get_result(conn)?;
        if staging {
            return Ok(false);
        }
    }
    match owner {
        Some(owner) => Ok(owner == author.get()),
        None => Ok(diesel::select(diesel::dsl::exists(
            licenses::table
                .inner_join(product_options::table.inner_join(products::table))
                .filter(licenses::customer_id.eq(id))
                .filter(products::author_id.eq(author.get()))
                .filter(crate::bulk::visible()),
        ))
        .get_result(conn)?),
    }
}

fn load_visible(
    conn: &mut Conn,
    author: AuthorId,
    id: CustomerId,
) -> Result<CustomerRecord, StoreError> {
    if !is_visible(conn, author, id.get())? {
        return Err(StoreError::UnknownReference("customer"));
    }
    let row: CustomerRow = customers::table
        .find(id.get())
        .select(CustomerRow::as_select())
        .get_result(conn)?;
    record(row)
}

fn record(row: CustomerRow) -> Result<CustomerRecord, StoreError> {
    Ok(CustomerRecord {
        customer_id: CustomerId::new(row.id)
            .map_err(|_| StoreError::Config("stored customer has an invalid ID".to_owned()))?,
        contact: ContactData {
            company_name: row.company_name,
            first_name: row.first_name,
            last_name: row.last_name,
            address1: row.address1,
            address2: row.address2,
            city: row.city,
            state: row.state_province,
            postal_code: row.postal_code,
            country: row.country,
            phone: row.phone,
            fax: row.fax,
            email: row.email,
        },
        registered: row.registered,
        entered_date: from_db_time(row.created_at),
    })
}
