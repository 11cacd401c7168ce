//! Table digests: proof that "the database is unchanged" (errata E-3 excludes the
//! attempt history and last-seen times). SQLite-specific SQL, kept in this one file.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use sha2::{Digest, Sha256};

use crate::error::StoreError;
use crate::Store;

/// Tables that may change without the database counting as changed (E-3), plus
/// diesel's bookkeeping.
const EXCLUDED_TABLES: [&str; 2] = ["activation_history", "__diesel_schema_migrations"];
/// Columns that may change without the database counting as changed (E-3, E-16).
const EXCLUDED_COLUMNS: [&str; 1] = ["last_seen_at"];

#[derive(QueryableByName)]
struct TableName {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct ColumnInfo {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct RowText {
    #[diesel(sql_type = Text)]
    row_text: String,
}

fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

impl Store {
    /// Per table: row count and a SHA-256 (hex) over every row, all columns as SQL
    /// literals, in primary-key order; without table `activation_history` and column
    /// `last_seen_at`. Equal digests mean "database unchanged" (errata E-3).
    pub fn table_digests(&self) -> Result<BTreeMap<String, (i64, String)>, StoreError> {
        self.read(|conn| {
            let tables: Vec<TableName> = diesel::sql_query(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .load(conn)?;
            let mut out = BTreeMap::new();
            for table in tables
                .into_iter()
                .filter(|t| !EXCLUDED_TABLES.contains(&t.name.as_str()))
            {
                let mut columns: Vec<ColumnInfo> =
                    diesel::sql_query("SELECT name, pk FROM pragma_table_info(?) ORDER BY cid")
                        .bind::<Text, _>(&table.name)
                        .load(conn)?;
                columns.retain(|c| !EXCLUDED_COLUMNS.contains(&c.name.as_str()));
                let mut keys: Vec<&ColumnInfo> = columns.iter().filter(|c| c.pk > 0).collect();
                keys.sort_by_key(|c| c.pk);
                let select = columns
                    .iter()
                    .map(|c| format!("quote({})", quote_ident(&c.name)))
                    .collect::<Vec<_>>()
                    .join(" || '|' || ");
                let order = if keys.is_empty() {
                    "rowid".to_owned()
                } else {
                    keys.iter()
                        .map(|c| quote_ident(&c.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let rows: Vec<RowText> = diesel::sql_query(format!(
                    "SELECT {select} AS row_text FROM {} ORDER BY {order}",
                    quote_ident(&table.name)
                ))
                .load(conn)?;
                let mut hash = Sha256::new();
                for row in &rows {
                    hash.update(row.row_text.as_bytes());
                    hash.update(b"\n");
                }
                let hex = hash
                    .finalize()
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>();
                let count = i64::try_from(rows.len())
                    .map_err(|_| StoreError::Config("row count overflows i64".to_owned()))?;
                out.insert(table.name, (count, hex));
            }
            Ok(out)
        })
    }
}
