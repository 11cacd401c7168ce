//! Invoices (INV-1), distributors (DST-1) and the license listing behind
//! `unlockd license list/export` (errata E-17 fields).

use diesel::prelude::*;
use time::{Date, OffsetDateTime};
use unlockd_core::invoice::{balance, Balance, InvoiceLine, InvoiceTotals, Money};
use unlockd_core::{CustomerId, LicenseStatus, OptionId, ProductId};

use crate::convert::from_db_time;
use crate::db::Conn;
use crate::error::StoreError;
use crate::schema::{customers, distributors, invoice_lines, invoices, licenses, product_options};
use crate::Store;

/// A new invoice (amounts exact, INV-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvoice {
    /// Invoice number, unique.
    pub number: String,
    /// The customer billed.
    pub customer_id: CustomerId,
    /// Invoice date.
    pub date: Date,
    /// Amount Tax, Shipping, Discount and Charged.
    pub totals: InvoiceTotals,
}

/// A new distributor: an existing customer with discount and cost (DST-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewDistributor {
    /// The customer that is the distributor.
    pub customer_id: CustomerId,
    /// Whether licenses may be stamped with it.
    pub enabled: bool,
    /// Discount percentage.
    pub discount_percent: Money,
    /// Cost.
    pub cost: Money,
}

/// Filters of the license listing; `None` matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LicenseFilter {
    /// Product option.
    pub option_id: Option<OptionId>,
    /// Product.
    pub product_id: Option<ProductId>,
    /// Customer.
    pub customer_id: Option<CustomerId>,
    /// Distributor.
    pub distributor_id: Option<CustomerId>,
    /// Invoice number.
    pub invoice_number: Option<String>,
    /// Status.
    pub status: Option<LicenseStatus>,
    /// Lowest license ID.
    pub from_id: Option<i32>,
    /// Highest license ID.
    pub to_id: Option<i32>,
}

/// One license as exported (errata E-17 columns, in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseListing {
    /// LicenseID.
    pub license_id: i32,
    /// ActivationPassword.
    pub activation_password: String,
    /// CustomerID.
    pub customer_id: i32,
    /// CompanyName.
    pub company_name: String,
    /// FirstName.
    pub first_name: String,
    /// LastName.
    pub last_name: String,
    /// Email.
    pub email: String,
    /// ProductID.
    pub product_id: i32,
    /// ProductOptionID.
    pub option_id: i32,
    /// Quantity.
    pub quantity: i32,
    /// Status name (wire.md §4.2).
    pub status: String,
    /// InvoiceNumber.
    pub invoice_number: Option<String>,
    /// DistributorID.
    pub distributor_id: Option<i32>,
    /// LicenseNotes.
    pub notes: String,
    /// EnteredDate.
    pub entered_date: OffsetDateTime,
    /// ExpirationDate.
    pub expiration: Option<Date>,
}

/// Rows fetched per page of the listing (keyset pagination keeps memory flat).
const PAGE: i64 = 10_000;

type ListingTuple = (
    i32,
    String,
    i32,
    String,
    String,
    String,
    String,
    i32,
    i32,
    i32,
    String,
    Option<String>,
    Option<i32>,
    String,
    time::PrimitiveDateTime,
    Option<Date>,
);

/// DST-1: the distributor must exist and be enabled.
pub(crate) fn check_distributor(conn: &mut Conn, id: CustomerId) -> Result<(), StoreError> {
    let enabled: Option<bool> = distributors::table
        .find(id.get())
        .select(distributors::enabled)
        .get_result(conn)
        .optional()?;
    match enabled {
        Some(true) => Ok(()),
        _ => Err(StoreError::UnknownReference("distributor")),
    }
}

/// INV-1 over every line of invoice `number`.
pub(crate) fn invoice_balance_in(conn: &mut Conn, number: &str) -> Result<Balance, StoreError> {
    let (tax, shipping, discount, charged): (i64, i64, i64, i64) = invoices::table
        .find(number)
        .select((
            invoices::amount_tax,
            invoices::amount_shipping,
            invoices::amount_discount,
            invoices::amount_charged,
        ))
        .get_result(conn)
        .optional()?
        .ok_or(StoreError::UnknownReference("invoice"))?;
    let lines: Vec<(i64, i64)> = invoice_lines::table
        .filter(invoice_lines::invoice_number.eq(number))
        .select((invoice_lines::unit_price, invoice_lines::quantity))
        .load(conn)?;
    let lines: Vec<InvoiceLine> = lines
        .into_iter()
        .map(|(p, q)| InvoiceLine {
            unit_price: Money::from_ten_thousandths(p),
            quantity: q,
        })
        .collect();
    let totals = InvoiceTotals {
        tax: Money::from_ten_thousandths(tax),
        shipping: Money::from_ten_thousandths(shipping),
        discount: Money::from_ten_thousandths(discount),
        charged: Money::from_ten_thousandths(charged),
    };
    balance(&lines, &totals)
        .ok_or_else(|| StoreError::Config(format!("invoice {number}: amounts overflow")))
}

impl Store {
    /// Inserts an invoice; its customer must exist (5042 otherwise).
    pub fn insert_invoice(&self, inv: &NewInvoice) -> Result<(), StoreError> {
        self.write(|conn| {
            let exists: bool = diesel::select(diesel::dsl::exists(
                customers::table.find(inv.customer_id.get()),
            ))
            .get_result(conn)?;
            if !exists {
                return Err(StoreError::UnknownReference("customer"));
            }
            diesel::insert_into(invoices::table)
                .values((
                    invoices::invoice_number.eq(&inv.number),
                    invoices::customer_id.eq(inv.customer_id.get()),
                    invoices::invoice_date.eq(inv.date),
                    invoices::amount_tax.eq(inv.totals.tax.ten_thousandths()),
                    invoices::amount_shipping.eq(inv.totals.shipping.ten_thousandths()),
                    invoices::amount_discount.eq(inv.totals.discount.ten_thousandths()),
                    invoices::amount_charged.eq(inv.totals.charged.ten_thousandths()),
                ))
                .execute(conn)?;
            Ok(())
        })
    }

    /// INV-1 for invoice `number` (a warning, never a block).
    pub fn invoice_balance(&self, number: &str) -> Result<Balance, StoreError> {
        self.read(|conn| invoice_balance_in(conn, number))
    }

    /// Makes an existing customer a distributor (DST-1).
    pub fn insert_distributor(&self, d: &NewDistributor) -> Result<(), StoreError> {
        self.write(|conn| {
            let exists: bool = diesel::select(diesel::dsl::exists(
                customers::table.find(d.customer_id.get()),
            ))
            .get_result(conn)?;
            if !exists {
                return Err(StoreError::UnknownReference("customer"));
            }
            diesel::insert_into(distributors::table)
                .values((
                    distributors::customer_id.eq(d.customer_id.get()),
                    distributors::enabled.eq(d.enabled),
                    distributors::discount_percent.eq(d.discount_percent.ten_thousandths()),
                    distributors::cost.eq(d.cost.ten_thousandths()),
                ))
                .execute(conn)?;
            Ok(())
        })
    }

    /// Streams the licenses matching `filter` in ID order to `sink`, one page of
    /// 10 000 rows at a time (memory stays flat for a million rows).
    pub fn for_each_license(
        &self,
        filter: &LicenseFilter,
        sink: &mut dyn FnMut(LicenseListing) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        let mut after = filter.from_id.map_or(0, |f| f.saturating_sub(1));
        let mut total = 0u64;
        loop {
            let page = self.read(|conn| listing_page(conn, filter, after))?;
            let Some(last) = page.last().map(|r| r.0) else {
                return Ok(total);
            };
            for t in page {
                total += 1;
                sink(listing(t))?;
            }
            after = last;
        }
    }
}

fn listing(t: ListingTuple) -> LicenseListing {
    LicenseListing {
        license_id: t.0,
        activation_password: t.1,
        customer_id: t.2,
        company_name: t.3,
        first_name: t.4,
        last_name: t.5,
        email: t.6,
        product_id: t.7,
        option_id: t.8,
        quantity: t.9,
        status: t.10,
        invoice_number: t.11,
        distributor_id: t.12,
        notes: t.13,
        entered_date: from_db_time(t.14),
        expiration: t.15,
    }
}

fn listing_page(
    conn: &mut Conn,
    f: &LicenseFilter,
    after: i32,
) -> Result<Vec<ListingTuple>, StoreError> {
    let mut q = licenses::table
        .inner_join(customers::table)
        .inner_join(product_options::table)
        .filter(licenses::id.gt(after))
        .filter(crate::bulk::visible())
        .select((
            licenses::id,
            licenses::activation_password,
            licenses::customer_id,
            customers::company_name,
            customers::first_name,
            customers::last_name,
            customers::email,
            product_options::product_id,
            licenses::option_id,
            licenses::quantity,
            licenses::status,
            licenses::invoice_number,
            licenses::distributor_id,
            licenses::notes,
            licenses::entered_date,
            licenses::expiration,
        ))
        .order(licenses::id)
        .limit(PAGE)
        .into_boxed();
    if let Some(v) = f.option_id {
        q = q.filter(licenses::option_id.eq(v.get()));
    }
    if let Some(v) = f.product_id {
        q = q.filter(product_options::product_id.eq(v.get()));
    }
    if let Some(v) = f.customer_id {
        q = q.filter(licenses::customer_id.eq(v.get()));
    }
    if let Some(v) = f.distributor_id {
        q = q.filter(licenses::distributor_id.eq(v.get()));
    }
    if let Some(v) = &f.invoice_number {
        q = q.filter(licenses::invoice_number.eq(v.clone()));
    }
    if let Some(v) = f.status {
        q = q.filter(licenses::status.eq(v.name()));
    }
    if let Some(v) = f.to_id {
        q = q.filter(licenses::id.le(v));
    }
    Ok(q.load(conn)?)
}
