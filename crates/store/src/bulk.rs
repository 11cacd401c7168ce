//! Bulk add (rules BLK-1..3, SEQ-1..3, CON-9, errata E-6).
//!
//! Three steps, so that activations keep flowing while a large batch runs (E-6):
//! 1. **reserve**, one short `BEGIN IMMEDIATE` transaction: check the references,
//!    take the next gap-free license (and customer) ID block after every committed
//!    and reserved ID (SEQ-2), insert the `bulk_batches` row that holds the
//!    reservation;
//! 2. **stage**: insert the licenses, their new unregistered customers and custom
//!    parameters in chunks of ≤ 10 000 licenses, one short transaction each, marked
//!    with `bulk_batch_id`. While the batch row exists these rows are invisible to
//!    every read ([`visible`]);
//! 3. **publish**, one short transaction whatever the size: add the invoice line
//!    (INV-1) and delete the batch row, which makes every row visible at once.
//!
//! Any failure after step 1 deletes the batch's rows in chunks, then the batch row
//! (BLK-3, SEQ-3): no licenses, no IDs used.

use diesel::prelude::*;
use rand::RngCore;
use time::OffsetDateTime;
use unlockd_core::bulk::{plan_chunk, BulkCount, IdBlock};
use unlockd_core::invoice::{Balance, Money};
use unlockd_core::password::PasswordRules;
use unlockd_core::{AuthorId, CustomerId, LicenseStatus, OptionId};

use crate::admin::copied_fields;
use crate::back_office::{check_distributor, invoice_balance_in};
use crate::convert::to_db_time;
use crate::db::{self, Conn};
use crate::error::StoreError;
use crate::inputs::NewLicense;
use crate::license_office::{check_customer, option_author};
use crate::rows::OptionRow;
use crate::schema::{
    bulk_batches, customers, invoice_lines, invoices, license_parameters, licenses, product_options,
};
use crate::Store;

/// Rows per staging transaction (E-6: chunks of ≤ 10 000).
const STAGE_CHUNK: u32 = 10_000;
/// Rows per multi-row INSERT statement (16 binds per row, well under SQLite's limit).
const STATEMENT_ROWS: usize = 500;

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
    /// The author calling (SOAP): the option, customer, distributor and invoice must
    /// be theirs (another author's: [`StoreError::UnknownReference`]); also the owner
    /// of the new unregistered customers. `None` (CLI): no author scope.
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

/// One license of a published batch as AddMultiple lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkListed {
    /// License ID.
    pub license_id: i32,
    /// Activation Password.
    pub activation_password: String,
    /// Customer ID.
    pub customer_id: i32,
    /// The customer's password, if set.
    pub customer_password: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = licenses)]
struct StagedLicense<'a> {
    id: i32,
    option_id: i32,
    customer_id: i32,
    status: &'a str,
    activation_password: String,
    quantity: i32,
    activations_left: i32,
    activations_allowed: i32,
    deactivations_left: i32,
    license_counter: Option<i64>,
    expiration: Option<time::Date>,
    entered_date: time::PrimitiveDateTime,
    distributor_id: Option<i32>,
    invoice_number: Option<&'a str>,
    notes: &'a str,
    bulk_batch_id: Option<i32>,
}

#[derive(Insertable)]
#[diesel(table_name = customers)]
struct StagedCustomer {
    id: i32,
    registered: bool,
    password: Option<String>,
    created_at: time::PrimitiveDateTime,
    author_id: Option<i32>,
    bulk_batch_id: Option<i32>,
}

/// The per-license values a batch copies from its option (OPT-3, QTY-1, CNT-1, EXP-1).
#[derive(Clone, Copy)]
struct Copied {
    left: i32,
    dl: i32,
    counter: Option<i64>,
    expiration: Option<time::Date>,
}

#[derive(Insertable)]
#[diesel(table_name = license_parameters)]
struct StagedParameter<'a> {
    license_id: i32,
    name: &'a str,
    value: &'a str,
}

/// Multi-row INSERT of `rows` into `table` in statements of [`STATEMENT_ROWS`]; batch
/// inserts need the concrete backend connection.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        for chunk in $rows.chunks(STATEMENT_ROWS) {
            match &mut *$conn {
                Conn::Sqlite(c) => diesel::insert_into($table).values(chunk).execute(c)?,
                Conn::Pg(c) => diesel::insert_into($table).values(chunk).execute(c)?,
            };
        }
    };
}

/// The reservation made by step 1.
struct Reservation {
    batch_id: i32,
    licenses: IdBlock,
    customers: Option<IdBlock>,
    copied: Copied,
}

/// The batch row of a license, if its batch is still staging.
type StagingBatch = diesel::dsl::Filter<
    bulk_batches::table,
    diesel::dsl::Eq<diesel::dsl::Nullable<bulk_batches::id>, licenses::bulk_batch_id>,
>;

/// The type of [`visible`].
pub(crate) type Visible = diesel::dsl::Or<
    diesel::dsl::IsNull<licenses::bulk_batch_id>,
    diesel::dsl::not<diesel::dsl::exists<StagingBatch>>,
>;

/// Whether a license row is visible: not part of a batch that is still staging (E-6).
/// Every read of licenses goes through this filter.
pub(crate) fn visible() -> Visible {
    licenses::bulk_batch_id
        .is_null()
        .or(diesel::dsl::not(diesel::dsl::exists(
            bulk_batches::table.filter(bulk_batches::id.nullable().eq(licenses::bulk_batch_id)),
        )))
}

/// The highest license ID committed or reserved by a running batch (SEQ-2).
pub(crate) fn highest_license_id(conn: &mut Conn) -> Result<i32, StoreError> {
    let committed: Option<i32> = licenses::table
        .select(diesel::dsl::max(licenses::id))
        .get_result(conn)?;
    let reserved: Option<i32> = bulk_batches::table
        .select(diesel::dsl::max(bulk_batches::last_license_id))
        .get_result(conn)?;
    Ok(committed.unwrap_or(0).max(reserved.unwrap_or(0)))
}

/// The highest customer ID committed or reserved by a running batch.
pub(crate) fn highest_customer_id(conn: &mut Conn) -> Result<i32, StoreError> {
    let committed: Option<i32> = customers::table
        .select(diesel::dsl::max(customers::id))
        .get_result(conn)?;
    let reserved: Option<i32> = bulk_batches::table
        .select(diesel::dsl::max(bulk_batches::last_customer_id))
        .get_result(conn)?;
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
                if let Err(cleanup) = abandon(self, r.batch_id) {
                    tracing::error!(batch = r.batch_id, error = %cleanup, "bulk add cleanup failed");
                }
                Err(e)
            }
        }
    }

    /// The licenses of a published block with their customers, in ID order
    /// (AddMultiple's listing, BLK-4). Reads only.
    pub fn bulk_listing(&self, block: IdBlock) -> Result<Vec<BulkListed>, StoreError> {
        let rows: Vec<(i32, String, i32, Option<String>)> = self.read(|conn| {
            Ok(licenses::table
                .inner_join(customers::table)
                .filter(licenses::id.between(block.first(), block.last()))
                .filter(visible())
                .select((
                    licenses::id,
                    licenses::activation_password,
                    licenses::customer_id,
                    customers::password,
                ))
                .order(licenses::id)
                .load(conn)?)
        })?;
        Ok(rows
            .into_iter()
            .map(
                |(license_id, activation_password, customer_id, customer_password)| BulkListed {
                    license_id,
                    activation_password,
                    customer_id,
                    customer_password,
                },
            )
            .collect())
    }

    /// Batches still reserved: running now, or left behind by a crashed process
    /// (first and last license ID of each).
    pub fn pending_batches(&self) -> Result<Vec<(i32, IdBlock)>, StoreError> {
        let rows: Vec<(i32, i32, i32)> = self.read(|conn| {
            Ok(bulk_batches::table
                .select((
                    bulk_batches::id,
                    bulk_batches::first_license_id,
                    bulk_batches::last_license_id,
                ))
                .order(bulk_batches::id)
                .load(conn)?)
        })?;
        rows.into_iter()
            .map(|(id, first, last)| {
                let count = BulkCount::new(i64::from(last) - i64::from(first) + 1, None)
                    .map_err(|_| StoreError::Config(format!("bulk batch {id}: bad range")))?;
                let block = IdBlock::after(first - 1, count).map_err(|_| id_space())?;
                Ok((id, block))
            })
            .collect()
    }

    /// Deletes a batch left behind by a crashed process: its staged rows, then its
    /// reservation (BLK-3, SEQ-3). Only for batches no process is running.
    pub fn abandon_batch(&self, batch: i32) -> Result<(), StoreError> {
        let exists: bool = self.read(|conn| {
            Ok(
                diesel::select(diesel::dsl::exists(bulk_batches::table.find(batch)))
                    .get_result(conn)?,
            )
        })?;
        if !exists {
            return Err(StoreError::NotFound);
        }
        abandon(self, batch)
    }

    fn stage(
        &self,
        req: &BulkAdd,
        r: &Reservation,
        rng: &mut dyn RngCore,
        progress: &mut dyn FnMut(u32) -> bool,
    ) -> Result<(), StoreError> {
        let first = r.licenses.first();
        let entered = to_db_time(req.entered_date);
        let status = LicenseStatus::Ok.name();
        let mut staged = 0u32;
        while staged < r.licenses.len() {
            let n = STAGE_CHUNK.min(r.licenses.len() - staged);
            let from = first + i32::try_from(staged).map_err(|_| id_space())?;
            let to = from + i32::try_from(n).map_err(|_| id_space())? - 1;
            let planned = plan_chunk(from..=to, &req.passwords, r.customers.is_some(), rng);
            let mut new_customers = Vec::new();
            let mut rows = Vec::with_capacity(planned.len());
            for p in planned {
                let customer_id = match (r.customers, req.customer_id) {
                    (Some(block), _) => block.first() + (p.id - first),
                    (None, Some(c)) => c.get(),
                    (None, None) => return Err(id_space()),
                };
                if r.customers.is_some() {
                    new_customers.push(StagedCustomer {
                        id: customer_id,
                        registered: false,
                        password: p.customer_password,
                        created_at: entered,
                        author_id: req.author_id.map(AuthorId::get),
                        bulk_batch_id: Some(r.batch_id),
                    });
                }
                rows.push(StagedLicense {
                    id: p.id,
                    option_id: req.option_id.get(),
                    customer_id,
                    status,
                    activation_password: p.activation_password,
                    quantity: 1,
                    activations_left: r.copied.left,
                    activations_allowed: r.copied.left,
                    deactivations_left: r.copied.dl,
                    license_counter: r.copied.counter,
                    expiration: r.copied.expiration,
                    entered_date: entered,
                    distributor_id: req.distributor_id.map(CustomerId::get),
                    invoice_number: req.invoice_number.as_deref(),
                    notes: &req.notes,
                    bulk_batch_id: Some(r.batch_id),
                });
            }
            let parameters: Vec<StagedParameter<'_>> = rows
                .iter()
                .flat_map(|l| {
                    req.parameters.iter().map(|(name, value)| StagedParameter {
                        license_id: l.id,
                        name,
                        value,
                    })
                })
                .collect();
            self.write(|conn| {
                insert_rows!(conn, customers::table, new_customers);
                insert_rows!(conn, licenses::table, rows);
                insert_rows!(conn, license_parameters::table, parameters);
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
    db::lock_id_allocation(conn)?;
    let option: OptionRow = product_options::table
        .find(req.option_id.get())
        .select(OptionRow::as_select())
        .get_result(conn)
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
    if let Some(author) = req.author_id {
        check_author_scope(conn, req, author)?;
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
        .get_result(conn)?;
    let batch_id = batch_id.unwrap_or(0) + 1;
    diesel::insert_into(bulk_batches::table)
        .values((
            bulk_batches::id.eq(batch_id),
            bulk_batches::option_id.eq(req.option_id.get()),
            bulk_batches::first_license_id.eq(licenses.first()),
            bulk_batches::last_license_id.eq(licenses.last()),
            bulk_batches::first_customer_id.eq(customers.map(IdBlock::first)),
            bulk_batches::last_customer_id.eq(customers.map(IdBlock::last)),
            bulk_batches::created_at.eq(to_db_time(req.entered_date)),
        ))
        .execute(conn)?;
    Ok(Reservation {
        batch_id,
        licenses,
        customers,
        copied: Copied {
            left,
            dl,
            counter,
            expiration,
        },
    })
}

/// Everything a SOAP batch names belongs to `author` (wire.md §3.7: 5042 otherwise).
fn check_author_scope(conn: &mut Conn, req: &BulkAdd, author: AuthorId) -> Result<(), StoreError> {
    if option_author(conn, req.option_id)? != Some(author.get()) {
        return Err(StoreError::UnknownReference("product option"));
    }
    if let Some(c) = req.customer_id {
        check_customer(conn, author, c, "customer")?;
    }
    if let Some(d) = req.distributor_id {
        check_customer(conn, author, d, "distributor")?;
    }
    if let Some(number) = &req.invoice_number {
        let customer: i32 = invoices::table
            .find(number)
            .select(invoices::customer_id)
            .get_result(conn)?;
        let customer =
            CustomerId::new(customer).map_err(|_| StoreError::UnknownReference("invoice"))?;
        check_customer(conn, author, customer, "invoice")?;
    }
    Ok(())
}

/// Step 3: everything staged becomes visible at once; O(1) in the batch size.
fn publish(conn: &mut Conn, req: &BulkAdd, r: &Reservation) -> Result<Option<Balance>, StoreError> {
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
    diesel::delete(bulk_batches::table.find(r.batch_id)).execute(conn)?;
    Ok(balance)
}

/// Deletes a failed batch's rows in chunks (short transactions, E-6), then its
/// reservation, so the rows stay invisible until they are gone.
fn abandon(store: &Store, batch: i32) -> Result<(), StoreError> {
    loop {
        let deleted = store.write(|conn| {
            let ids: Vec<i32> = licenses::table
                .filter(licenses::bulk_batch_id.eq(batch))
                .select(licenses::id)
                .limit(i64::from(STAGE_CHUNK))
                .load(conn)?;
            diesel::delete(
                license_parameters::table.filter(license_parameters::license_id.eq_any(&ids)),
            )
            .execute(conn)?;
            diesel::delete(licenses::table.filter(licenses::id.eq_any(&ids))).execute(conn)?;
            Ok(ids.len())
        })?;
        if deleted == 0 {
            break;
        }
    }
    loop {
        let deleted = store.write(|conn| {
            let ids: Vec<i32> = customers::table
                .filter(customers::bulk_batch_id.eq(batch))
                .select(customers::id)
                .limit(i64::from(STAGE_CHUNK))
                .load(conn)?;
            diesel::delete(customers::table.filter(customers::id.eq_any(&ids))).execute(conn)?;
            Ok(ids.len())
        })?;
        if deleted == 0 {
            break;
        }
    }
    store.write(|conn| {
        diesel::delete(bulk_batches::table.find(batch)).execute(conn)?;
        Ok(())
    })
}
