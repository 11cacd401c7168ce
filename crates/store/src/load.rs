//! Loaders used inside transactions: a license with everything around it, and the
//! activation records a decision needs.

use diesel::prelude::*;
use unlockd_core::activation::HistoryQuery;
use unlockd_core::{InstallationId, LicenseState, OptionRules};

use crate::convert::{self, LicenseFileSource};
use crate::db::Conn;
use crate::error::StoreError;
use crate::rows::{CustomerRow, LicenseRow, OptionRow, ProductRow, RecordRow};
use crate::schema::{activation_records, customers, licenses, product_options, products};

/// A license row with its option, product and customer.
pub(crate) struct LicenseBundle {
    pub license: LicenseRow,
    pub option: OptionRow,
    pub product: ProductRow,
    pub customer: CustomerRow,
}

impl LicenseBundle {
    /// Loads license `id`, or `None` if there is no such license.
    pub(crate) fn load(conn: &mut Conn, id: i32) -> Result<Option<Self>, StoreError> {
        // A license of a batch still staging does not exist yet (errata E-6).
        let Some(license) = licenses::table
            .find(id)
            .filter(crate::bulk::visible())
            .select(LicenseRow::as_select())
            .first(conn)
            .optional()?
        else {
            return Ok(None);
        };
        let option = product_options::table
            .find(license.option_id)
            .select(OptionRow::as_select())
            .first(conn)?;
        let product = products::table
            .find(option.product_id)
            .select(ProductRow::as_select())
            .first(conn)?;
        let customer = customers::table
            .find(license.customer_id)
            .select(CustomerRow::as_select())
            .first(conn)?;
        Ok(Some(Self {
            license,
            option,
            product,
            customer,
        }))
    }

    /// The license and option as the rules see them.
    pub(crate) fn state(&self) -> Result<(LicenseState, OptionRules), StoreError> {
        Ok((
            convert::license_state(&self.license, &self.option, &self.customer)?,
            convert::option_rules(&self.option)?,
        ))
    }

    /// The rows a license file is built from.
    pub(crate) fn file_source(&self) -> LicenseFileSource<'_> {
        LicenseFileSource {
            license: &self.license,
            option: &self.option,
            product: &self.product,
            customer: &self.customer,
        }
    }
}

/// The records `q` selects on license `license_id`, each once, in ID order.
pub(crate) fn candidate_records(
    conn: &mut Conn,
    license_id: i32,
    q: &HistoryQuery,
) -> Result<Vec<RecordRow>, StoreError> {
    let mut rows = Vec::new();
    if let Some(fp) = &q.key_fingerprint {
        rows.extend(
            activation_records::table
                .filter(activation_records::license_id.eq(license_id))
                .filter(activation_records::key_fingerprint.eq(fp))
                .select(RecordRow::as_select())
                .load(conn)?,
        );
    }
    if let Some((lo, hi)) = q.computer_id_window {
        rows.extend(
            activation_records::table
                .filter(activation_records::license_id.eq(license_id))
                .filter(activation_records::computer_id.between(lo, hi))
                .select(RecordRow::as_select())
                .load(conn)?,
        );
    }
    rows.sort_by_key(|r| r.id);
    rows.dedup_by_key(|r| r.id);
    Ok(rows)
}

/// The record holding `iid`: the Active one if any, else the latest (DEA-1, CHK-1).
pub(crate) fn record_by_installation(
    conn: &mut Conn,
    iid: &InstallationId,
) -> Result<Option<RecordRow>, StoreError> {
    let text = iid.to_string();
    let rows: Vec<RecordRow> = activation_records::table
        .filter(activation_records::installation_id.eq(&text))
        .select(RecordRow::as_select())
        .order(activation_records::id.desc())
        .load(conn)?;
    let active = rows.iter().position(|r| r.state == convert::STATE_ACTIVE);
    Ok(match active {
        Some(i) => rows.into_iter().nth(i),
        None => rows.into_iter().next(),
    })
}
