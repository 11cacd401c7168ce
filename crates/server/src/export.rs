//! CSV export of licenses: exactly the header of errata E-17, RFC 4180 quoting via
//! the `csv` crate, dates `YYYY-MM-DD` (empty when none), one row per license.

use std::io::Write;

use time::Date;
use unlockd_store::LicenseListing;

/// The E-17 header, in order.
pub const HEADER: [&str; 16] = [
    "LicenseID",
    "ActivationPassword",
    "CustomerID",
    "CompanyName",
    "FirstName",
    "LastName",
    "Email",
    "ProductID",
    "ProductOptionID",
    "Quantity",
    "Status",
    "InvoiceNumber",
    "DistributorID",
    "LicenseNotes",
    "EnteredDate",
    "ExpirationDate",
];

/// Writes licenses as E-17 CSV.
pub struct LicenseCsv<W: Write> {
    out: csv::Writer<W>,
}

fn day(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

impl<W: Write> LicenseCsv<W> {
    /// Starts the file with the E-17 header.
    pub fn new(out: W) -> csv::Result<Self> {
        let mut out = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        out.write_record(HEADER)?;
        Ok(Self { out })
    }

    /// Writes one license.
    pub fn write(&mut self, l: &LicenseListing) -> csv::Result<()> {
        self.out.write_record([
            l.license_id.to_string(),
            l.activation_password.clone(),
            l.customer_id.to_string(),
            l.company_name.clone(),
            l.first_name.clone(),
            l.last_name.clone(),
            l.email.clone(),
            l.product_id.to_string(),
            l.option_id.to_string(),
            l.quantity.to_string(),
            l.status.clone(),
            l.invoice_number.clone().unwrap_or_default(),
            l.distributor_id.map(|d| d.to_string()).unwrap_or_default(),
            l.notes.clone(),
            day(l.entered_date.date()),
            l.expiration.map(day).unwrap_or_default(),
        ])
    }

    /// Flushes and returns the writer.
    pub fn finish(self) -> std::io::Result<W> {
        self.out.into_inner().map_err(|e| e.into_error())
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn e17_header_quoting_and_round_trip() {
        let l = LicenseListing {
            license_id: 7,
            activation_password: "a,b\"c".to_owned(),
            customer_id: 3,
            company_name: "ACME, Inc.".to_owned(),
            first_name: "Ada".to_owned(),
            last_name: "Line\nBreak".to_owned(),
            email: String::new(),
            product_id: 1,
            option_id: 2,
            quantity: 1,
            status: "OK".to_owned(),
            invoice_number: None,
            distributor_id: Some(9),
            notes: "n".to_owned(),
            entered_date: datetime!(2025-03-10 12:00 UTC),
            expiration: Some(date!(2026 - 01 - 02)),
        };
        let mut w = LicenseCsv::new(Vec::new()).unwrap();
        w.write(&l).unwrap();
        let bytes = w.finish().unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with(&(HEADER.join(",") + "\r\n")));
        let mut r = csv::Reader::from_reader(bytes.as_slice());
        assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), HEADER);
        let rec = r.records().next().unwrap().unwrap();
        assert_eq!(&rec[1], "a,b\"c");
        assert_eq!(&rec[3], "ACME, Inc.");
        assert_eq!(&rec[5], "Line\nBreak");
        assert_eq!(&rec[11], "");
        assert_eq!(&rec[12], "9");
        assert_eq!(&rec[14], "2025-03-10");
        assert_eq!(&rec[15], "2026-01-02");
    }
}
