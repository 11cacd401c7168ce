//! Bulk add (rules BLK-1..3, SEQ-1..3, CON-9, errata E-6).
//!
//! Three steps, so that activations keep flowing while a large batch runs (E-6):
//! 1. **reserve**, one short `BEGIN IMMEDIATE` transaction: check the references,
//!    take the next gap-free license (and customer) ID block after every committed
//!    and reserved ID (SEQ-2), record the batch row that holds the reservation;
//! 2. **stage** the planned rows in chunks of ≤ 10 000, one short transaction each,
//!    into `license_staging` (invisible to every other query);
//! 3. **publish**, one short transaction: copy customers, licenses and parameters
//!    from staging with `INSERT … SELECT`, add the invoice line (INV-1), delete the
//!    staging rows and the reservation.
//!
//! Any failure after step 1 deletes the staging rows and the reservation (BLK-3,
//! SEQ-3): no licenses, no IDs used. The SQL of steps 1 and 3 is SQLite's.

use diesel::prelude::*;
use diesel::sql_types::Integer;
use rand::RngCore;
use time::OffsetDateTime;
use unlockd_core::bulk::{plan_chunk, BulkCount, IdBlock};
use unlockd_core::invoice::{Balance, Money};
use unlockd_core::password::PasswordRules;
use unlockd_core::{AuthorId, CustomerId, LicenseStatus, OptionId};

use crate::admin::copied_fields;
use crate::back_office::{check_distributor, invoice_balance_in};
use crate::convert::to_db_time;
use crate::db::Conn;
use crate::error::StoreError;
use crate::inputs::NewLicense;
use crate::rows::OptionRow;
use crate::schema::{
    bulk_batch_parameters, bulk_batches, customers, invoice_lines, invoices, license_staging,
    licenses, product_options,
};
use crate::Store;

/// Rows per staging transaction (E-6: chunks of ≤ 10 000).
const STAGE_CHUNK: u32 = 10_000;
/// Rows per multi-row INSERT statement (5 binds per row, well under SQLite's limit).
const STATEMENT_ROWS: usize = 1_000;

/// One bulk add request (seed 000 field list), already parsed at the edge.
#[derive(Debug, Clone)]
pub struct BulkAdd {
    /// The product option; it must issue licenses (BLK-1).
    pub option_id: OptionId,
    /// Number of licenses (capped by the caller: SOAP `bulk_max`, CLI none).
    pub count: BulkCount,
    /// An existing customer receiving every license; `None` creates one unregistered
    /// customer per license (BLK-1).
    pub customer_id: Option<CustomerId>,
    /// Owner of the new unregistered customers.
    pub author_id: Option<AuthorId>,
    /// Unit price ≥ 0 (BLK-1); with an invoice, one line N × price (INV-1).
    pub unit_price: Money,
    /// Existing invoice the licenses are linked to (INV-1).
    pub invoice_number: Option<String>,
    /// Enabled distributor stamped on every license (DST-1).
    pub distributor_id: Option<CustomerId>,
    /// License notes.
    pub notes: String,
    /// Custom license parameters (name, value).
    pub parameters: Vec<(String, String)>,
    /// Password settings (PWD-1..3).
    pub passwords: PasswordRules,
    /// Req Sequential (SEQ-2). Every batch gets one gap-free block anyway; the flag is
    /// kept for the caller's report.
    pub sequential: bool,
    /// Entered date of every license.
    pub entered_date: OffsetDateTime,
}

/// What a committed bulk add created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkOutcome {
    /// The license IDs, one gap-free block (SEQ-2).
    pub licenses: IdBlock,
    /// The new unregistered customers' IDs, one block, when no customer was given.
    pub customers: Option<IdBlock>,
    /// INV-1 after adding the line, when an invoice was given.
    pub balance: Option<Balance>,
}

#[derive(Insertable)]
#[diesel(table_name = license_staging)]
struct StagedRow {
    license_id: i32,
    batch_id: i32,
    activation_password: String,
    customer_id: i32,
    customer_password: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = bulk_batches)]
struct BatchRow<'a> {
    id: i32,
    option_id: i32,
    customer_id: Option<i32>,
    customer_author_id: Option<i32>,
    first_license_id: i32,
    last_license_id: i32,
    first_customer_id: Option<i32>,
    last_customer_id: Option<i32>,
    status: &'a str,
    activations_left: i32,
    deactivations_left: i32,
    license_counter: Option<i64>,
    expiration: Option<time::Date>,
    entered_date: time::PrimitiveDateTime,
    distributor_id: Option<i32>,
    invoice_number: Option<&'a str>,
    notes: &'a str,
    created_at: time::PrimitiveDateTime,
}

/// The reservation made by step 1.
struct Reservation {
    batch_id: i32,
    licenses: IdBlock,
    customers: Option<IdBlock>,
}

/// The highest license ID committed or reserved by a running batch (SEQ-2).
pub(crate) fn highest_license_id(conn: &mut Conn) -> Result<i32, StoreError> {
    let committed: Option<i32> = licenses::table
        .select(diesel::dsl::max(licenses::id))
        .first(conn)?;
    let reserved: Option<i32> = bulk_batches::table
        .select(diesel::dsl::max(bulk_batches::last_license_id))
        .first(conn)?;
    Ok(committed.unwrap_or(0).max(reserved.unwrap_or(0)))
}

/// The highest customer ID committed or reserved by a running batch.
pub(crate) fn highest_customer_id(conn: &mut Conn) -> Result<i32, StoreError> {
    let committed: Option<i32> = customers::table
        .select(diesel::dsl::max(customers::id))
        .first(conn)?;
    let reserved: Option<i32> = bulk_batches::table
        .select(diesel::dsl::max(bulk_batches::last_customer_id))
        .first(conn)?;
    Ok(committed.unwrap_or(0).max(reserved.unwrap_or(0)))
}

/// Whether `id` lies in a block reserved by a running batch (5043 for a wanted ID).
pub(crate) fn license_id_reserved(conn: &mut Conn, id: i32) -> Result<bool, StoreError> {
    Ok(diesel::select(diesel::dsl::exists(
        bulk_batches::table
            .filter(bulk_batches::first_license_id.le(id))
            .filter(bulk_batches::last_license_id.ge(id)),
    ))
    .get_result(conn)?)
}

/// Whether customer `id` lies in a block reserved by a running batch.
pub(crate) fn customer_id_reserved(conn: &mut Conn, id: i32) -> Result<bool, StoreError> {
    Ok(diesel::select(diesel::dsl::exists(
        bulk_batches::table
            .filter(bulk_batches::first_customer_id.le(id))
            .filter(bulk_batches::last_customer_id.ge(id)),
    ))
    .get_result(conn)?)
}

impl Store {
    /// Adds `req.count` licenses as one all-or-nothing unit (BLK-3, CON-9) with one
    /// gap-free ID block (SEQ-2) without holding the write lock for the whole batch
    /// (E-6). `progress` is called with the number of rows staged so far after each
    /// chunk; returning `false` cancels the batch ([`StoreError::Cancelled`], nothing
    /// written).
    pub fn bulk_add(
        &self,
        req: &BulkAdd,
        rng: &mut dyn RngCore,
        progress: &mut dyn FnMut(u32) -> bool,
    ) -> Result<BulkOutcome, StoreError> {
        let r = self.write(|conn| reserve(conn, req))?;
        let done = self
            .stage(req, &r, rng, progress)
            .and_then(|()| self.write(|conn| publish(conn, req, &r)));
        match done {
            Ok(balance) => Ok(BulkOutcome {
                licenses: r.licenses,
                customers: r.customers,
                balance,
            }),
            Err(e) => {
                // BLK-3/SEQ-3: drop what was staged and give the IDs back.
                if let Err(cleanup) = self.write(|conn| abandon(conn, r.batch_id)) {
                    tracing::error!(batch = r.batch_id, error = %cleanup, "bulk add cleanup failed");
                }
                Err(e)
            }
        }
    }

    fn stage(
        &self,
        req: &BulkAdd,
        r: &Reservation,
        rng: &mut dyn RngCore,
        progress: &mut dyn FnMut(u32) -> bool,
    ) -> Result<(), StoreError> {
        let first = r.licenses.first();
        let mut staged = 0u32;
        while staged < r.licenses.len() {
            let n = STAGE_CHUNK.min(r.licenses.len() - staged);
            let from = first + i32::try_from(staged).map_err(|_| id_space())?;
            let to = from + i32::try_from(n).map_err(|_| id_space())? - 1;
            let planned = plan_chunk(from..=to, &req.passwords, r.customers.is_some(), rng);
            let rows: Vec<StagedRow> = planned
                .into_iter()
                .map(|p| StagedRow {
                    license_id: p.id,
                    batch_id: r.batch_id,
                    customer_id: match (r.customers, req.customer_id) {
                        (Some(block), _) => block.first() + (p.id - first),
                        (None, Some(c)) => c.get(),
                        (None, None) => 0,
                    },
                    activation_password: p.activation_password,
                    customer_password: p.customer_password,
                })
                .collect();
            self.write(|conn| {
                for chunk in rows.chunks(STATEMENT_ROWS) {
                    diesel::insert_into(license_staging::table)
                        .values(chunk)
                        .execute(conn)?;
                }
                Ok(())
            })?;
            staged += n;
            if !progress(staged) {
                return Err(StoreError::Cancelled);
            }
        }
        Ok(())
    }
}

fn id_space() -> StoreError {
    StoreError::Config("license ID space exhausted".to_owned())
}

/// Step 1: references, copied option fields (OPT-3, QTY-1, CNT-1, EXP-1), ID blocks.
fn reserve(conn: &mut Conn, req: &BulkAdd) -> Result<Reservation, StoreError> {
    let option: OptionRow = product_options::table
        .find(req.option_id.get())
        .select(OptionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::UnknownReference("product option"))?;
    if !option.issue_license || !option.enabled {
        // BLK-1: the option must issue licenses; ORD-1: a disabled option is declined.
        return Err(StoreError::UnknownReference("product option"));
    }
    if let Some(c) = req.customer_id {
        let exists: bool =
            diesel::select(diesel::dsl::exists(customers::table.find(c.get()))).get_result(conn)?;
        if !exists {
            return Err(StoreError::UnknownReference("customer"));
        }
    }
    if let Some(d) = req.distributor_id {
        check_distributor(conn, d)?;
    }
    if let Some(inv) = &req.invoice_number {
        let exists: bool =
            diesel::select(diesel::dsl::exists(invoices::table.find(inv))).get_result(conn)?;
        if !exists {
            return Err(StoreError::UnknownReference("invoice"));
        }
    }
    // BLK-2: each license is a q = 1 purchase; the customer ID is a placeholder here.
    let template = NewLicense::new(
        req.option_id,
        req.customer_id
            .unwrap_or(CustomerId::new(1).map_err(|_| id_space())?),
        "",
        req.entered_date,
    );
    let (left, dl, counter, expiration) = copied_fields(&template, &option)?;
    let licenses = IdBlock::after(highest_license_id(conn)?, req.count).map_err(|_| id_space())?;
    let customers = match req.customer_id {
        Some(_) => None,
        None => {
            Some(IdBlock::after(highest_customer_id(conn)?, req.count).map_err(|_| id_space())?)
        }
    };
    let batch_id: Option<i32> = bulk_batches::table
        .select(diesel::dsl::max(bulk_batches::id))
        .first(conn)?;
    let batch_id = batch_id.unwrap_or(0) + 1;
    diesel::insert_into(bulk_batches::table)
        .values(BatchRow {
            id: batch_id,
            option_id: req.option_id.get(),
            customer_id: req.customer_id.map(CustomerId::get),
            customer_author_id: req.author_id.map(AuthorId::get),
            first_license_id: licenses.first(),
            last_license_id: licenses.last(),
            first_customer_id: customers.map(IdBlock::first),
            last_customer_id: customers.map(IdBlock::last),
            status: LicenseStatus::Ok.name(),
            activations_left: left,
            deactivations_left: dl,
            license_counter: counter,
            expiration,
            entered_date: to_db_time(req.entered_date),
            distributor_id: req.distributor_id.map(CustomerId::get),
            invoice_number: req.invoice_number.as_deref(),
            notes: &req.notes,
            created_at: to_db_time(req.entered_date),
        })
        .execute(conn)?;
    for (name, value) in &req.parameters {
        diesel::insert_into(bulk_batch_parameters::table)
            .values((
                bulk_batch_parameters::batch_id.eq(batch_id),
                bulk_batch_parameters::name.eq(name),
                bulk_batch_parameters::value.eq(value),
            ))
            .execute(conn)?;
    }
    Ok(Reservation {
        batch_id,
        licenses,
        customers,
    })
}

/// Step 3: everything staged becomes visible at once.
fn publish(conn: &mut Conn, req: &BulkAdd, r: &Reservation) -> Result<Option<Balance>, StoreError> {
    let batch = r.batch_id;
    if r.customers.is_some() {
        diesel::sql_query(
            "INSERT INTO customers (id, registered, password, created_at, author_id) \
             SELECT s.customer_id, 0, s.customer_password, b.entered_date, b.customer_author_id \
             FROM license_staging s JOIN bulk_batches b ON b.id = s.batch_id \
             WHERE s.batch_id = ? ORDER BY s.license_id",
        )
        .bind::<Integer, _>(batch)
        .execute(conn)?;
    }
    let inserted = diesel::sql_query(
        "INSERT INTO licenses (id, option_id, customer_id, status, activation_password, \
         quantity, activations_left, activations_allowed, deactivations_left, license_counter, \
         expiration, license_update, update_counter, entered_date, distributor_id, \
         invoice_number, notes) \
         SELECT s.license_id, b.option_id, s.customer_id, b.status, s.activation_password, 1, \
         b.activations_left, b.activations_left, b.deactivations_left, b.license_counter, \
         b.expiration, '', 0, b.entered_date, b.distributor_id, b.invoice_number, b.notes \
         FROM license_staging s JOIN bulk_batches b ON b.id = s.batch_id \
         WHERE s.batch_id = ? ORDER BY s.license_id",
    )
    .bind::<Integer, _>(batch)
    .execute(conn)?;
    if u32::try_from(inserted).ok() != Some(r.licenses.len()) {
        return Err(StoreError::Config(format!(
            "bulk batch {batch}: {inserted} staged rows, {} expected",
            r.licenses.len()
        )));
    }
    diesel::sql_query(
        "INSERT INTO license_parameters (license_id, name, value) \
         SELECT s.license_id, p.name, p.value \
         FROM license_staging s JOIN bulk_batch_parameters p ON p.batch_id = s.batch_id \
         WHERE s.batch_id = ?",
    )
    .bind::<Integer, _>(batch)
    .execute(conn)?;
    let balance = match &req.invoice_number {
        Some(number) => {
            diesel::insert_into(invoice_lines::table)
                .values((
                    invoice_lines::invoice_number.eq(number),
                    invoice_lines::option_id.eq(req.option_id.get()),
                    invoice_lines::unit_price.eq(req.unit_price.ten_thousandths()),
                    invoice_lines::quantity.eq(i64::from(r.licenses.len())),
                ))
                .execute(conn)?;
            Some(invoice_balance_in(conn, number)?)
        }
        None => None,
    };
    abandon(conn, batch)?;
    Ok(balance)
}

/// Deletes a batch's staging rows, parameters and reservation.
fn abandon(conn: &mut Conn, batch: i32) -> Result<(), StoreError> {
    diesel::delete(license_staging::table.filter(license_staging::batch_id.eq(batch)))
        .execute(conn)?;
    diesel::delete(bulk_batch_parameters::table.filter(bulk_batch_parameters::batch_id.eq(batch)))
        .execute(conn)?;
    diesel::delete(bulk_batches::table.find(batch)).execute(conn)?;
    Ok(())
}
