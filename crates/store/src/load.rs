//! Loaders used inside transactions: a license with everything around it, and the
//! activation records a decision needs.

use diesel::prelude::*;
use unlockd_core::activation::HistoryQuery;
use unlockd_core::status_check::InstallationFacts;
use unlockd_core::{InstallationId, LicenseState, OptionRules};

use crate::convert::{self, LicenseFileSource};
use crate::db::{direct, Conn};
use crate::error::StoreError;
use crate::rows::{
    CustomerRow, CustomerRulesRow, LicenseCheckRow, LicenseRow, LicenseRulesRow, OptionRow,
    OptionRulesRow, ProductRow, RecordCheckRow, RecordRow,
};
use crate::schema::{activation_records, customers, licenses, product_options, products};

/// The rows the licensing rules decide on: a license's rules columns, its option's,
/// its customer's, and its product.
type FactRows = (
    LicenseRulesRow,
    OptionRulesRow,
    ProductRow,
    CustomerRulesRow,
);

/// A license as the rules see it, with its product (author and name): what every
/// client call decides on, read in one narrow statement (a join on the foreign keys
/// whose prepared form the database keeps; issue 5: reading and converting every
/// column of the four rows was half the cost of a CheckInstallationStatus).
pub(crate) struct LicenseFacts {
    pub license: LicenseState,
    pub rules: OptionRules,
    pub product: ProductRow,
}

impl LicenseFacts {
    /// Loads license `id`, or `None` if there is no such license.
    pub(crate) fn load(conn: &mut Conn, id: i32) -> Result<Option<Self>, StoreError> {
        let found: Option<FactRows> = direct!(conn, |c| licenses::table
            .inner_join(product_options::table.inner_join(products::table))
            .inner_join(customers::table)
            .filter(licenses::id.eq(id))
            // A license of a batch still staging does not exist yet (errata E-6).
            .filter(crate::bulk::visible())
            .select((
                LicenseRulesRow::as_select(),
                OptionRulesRow::as_select(),
                ProductRow::as_select(),
                CustomerRulesRow::as_select(),
            ))
            .get_result(c)
            .optional())?;
        found.map(Self::from_rows).transpose()
    }

    fn from_rows((license, option, product, customer): FactRows) -> Result<Self, StoreError> {
        Ok(Self {
            license: convert::license_state(&license, &option, &customer)?,
            rules: convert::option_rules(&option)?,
            product,
        })
    }
}

/// A license with its option, product and customer rows in full, for what shows them
/// (license files, back office); decisions need only [`LicenseFacts`].
pub(crate) struct LicenseBundle {
    pub license: LicenseRow,
    pub option: OptionRow,
    pub product: ProductRow,
    pub customer: CustomerRow,
    /// The option's rules columns, read in the same statement.
    option_rules: OptionRulesRow,
    /// The license and customer as the rules see them.
    state: LicenseState,
}

impl LicenseBundle {
    /// Loads license `id`, or `None` if there is no such license.
    pub(crate) fn load(conn: &mut Conn, id: i32) -> Result<Option<Self>, StoreError> {
        type Rows = (
            LicenseRow,
            OptionRow,
            ProductRow,
            CustomerRow,
            (LicenseRulesRow, OptionRulesRow, CustomerRulesRow),
        );
        let found: Option<Rows> = direct!(conn, |c| licenses::table
            .inner_join(product_options::table.inner_join(products::table))
            .inner_join(customers::table)
            .filter(licenses::id.eq(id))
            // A license of a batch still staging does not exist yet (errata E-6).
            .filter(crate::bulk::visible())
            .select((
                LicenseRow::as_select(),
                OptionRow::as_select(),
                ProductRow::as_select(),
                CustomerRow::as_select(),
                (
                    LicenseRulesRow::as_select(),
                    OptionRulesRow::as_select(),
                    CustomerRulesRow::as_select(),
                ),
            ))
            .get_result(c)
            .optional())?;
        let Some((license, option, product, customer, (l, o, c))) = found else {
            return Ok(None);
        };
        Ok(Some(Self {
            state: convert::license_state(&l, &o, &c)?,
            license,
            option,
            product,
            customer,
            option_rules: o,
        }))
    }

    /// The license and option as the rules see them.
    pub(crate) fn state(&self) -> Result<(LicenseState, OptionRules), StoreError> {
        Ok((
            self.state.clone(),
            convert::option_rules(&self.option_rules)?,
        ))
    }

    /// The rows a license file is built from.
    pub(crate) fn file_source(&self) -> LicenseFileSource<'_> {
        LicenseFileSource {
            license: &self.license,
            option: &self.option,
            rules: &self.option_rules,
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
        rows.extend(direct!(conn, |c| activation_records::table
            .filter(activation_records::license_id.eq(license_id))
            .filter(activation_records::key_fingerprint.eq(fp))
            .select(RecordRow::as_select())
            .load(c))?);
    }
    if let Some((lo, hi)) = q.computer_id_window {
        rows.extend(direct!(conn, |c| activation_records::table
            .filter(activation_records::license_id.eq(license_id))
            .filter(activation_records::computer_id.between(lo, hi))
            .select(RecordRow::as_select())
            .load(c))?);
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
    let rows: Vec<RecordRow> = direct!(conn, |c| activation_records::table
        .filter(activation_records::installation_id.eq(&text))
        .select(RecordRow::as_select())
        .order(activation_records::id.desc())
        .load(c))?;
    Ok(holder(rows, |r| &r.state))
}

/// What CheckInstallationStatus decides on (CHK-1) for the record holding `iid`
/// (see [`record_by_installation`]), with that record's ID. One statement reading
/// only the dozen columns the check uses: one consistent snapshot without a
/// transaction around it (on PostgreSQL no BEGIN and COMMIT round trips), and the
/// cheapest read of the most frequent call (issue 5).
pub(crate) fn installation_facts(
    conn: &mut Conn,
    iid: &InstallationId,
) -> Result<Option<(i64, InstallationFacts)>, StoreError> {
    let text = iid.to_string();
    let rows: Vec<(RecordCheckRow, LicenseCheckRow)> =
        direct!(conn, |c| activation_records::table
            .inner_join(licenses::table.inner_join(product_options::table))
            .filter(activation_records::installation_id.eq(&text))
            .filter(crate::bulk::visible())
            .select((
                RecordCheckRow::as_select(),
                (
                    licenses::id,
                    licenses::option_id,
                    licenses::status,
                    licenses::expiration,
                    licenses::license_update,
                    product_options::upgrade_behavior,
                ),
            ))
            .order(activation_records::id.desc())
            .load(c))?;
    holder(rows, |(r, _)| &r.state)
        .map(|(record, license)| Ok((record.id, convert::installation_facts(&record, &license)?)))
        .transpose()
}

/// Of rows in descending record ID order, the Active record's, else the first.
fn holder<T>(rows: Vec<T>, state: impl Fn(&T) -> &str) -> Option<T> {
    let active = rows.iter().position(|r| state(r) == convert::STATE_ACTIVE);
    rows.into_iter().nth(active.unwrap_or(0))
}
