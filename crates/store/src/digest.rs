//! Table digests: proof that "the database is unchanged" (errata E-3 excludes the
//! attempt history and last-seen times). The only catalogue SQL of the store, one
//! function per backend; both hash every row as SQL literals in primary-key order.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use sha2::{Digest, Sha256};

use crate::db::Conn;
use crate::error::StoreError;
use crate::Store;

/// Tables that may change without the database counting as changed (E-3), plus
/// diesel's bookkeeping.
const EXCLUDED_TABLES: [&str; 2] = ["activation_history", "__diesel_schema_migrations"];
/// Columns that may change without the database counting as changed (E-3, E-16).
const EXCLUDED_COLUMNS: [&str; 1] = ["last_seen_at"];

/// SQLite: tables of the schema.
const SQLITE_TABLES: &str = "SELECT name FROM sqlite_master WHERE type = 'table' \
     AND name NOT LIKE 'sqlite_%' ORDER BY name";
/// SQLite: columns of table `?` with their position in the primary key (0 = none).
const SQLITE_COLUMNS: &str = "SELECT name, pk FROM pragma_table_info(?) ORDER BY cid";
/// PostgreSQL: tables of the current schema.
const PG_TABLES: &str = "SELECT tablename::text AS name FROM pg_tables \
     WHERE schemaname = current_schema() ORDER BY tablename";
/// PostgreSQL: columns of table `$1` with their position in the primary key.
const PG_COLUMNS: &str = "SELECT a.attname::text AS name, \
     COALESCE((SELECT array_position(i.indkey::int2[], a.attnum) FROM pg_index i \
               WHERE i.indrelid = a.attrelid AND i.indisprimary), 0)::int4 AS pk \
     FROM pg_attribute a \
     WHERE a.attrelid = quote_ident($1)::regclass AND a.attnum > 0 AND NOT a.attisdropped \
     ORDER BY a.attnum";

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

/// `SELECT <every column as a literal, joined by '|'> AS row_text FROM <table>
/// ORDER BY <primary key, else the row text>`; `quote` is the backend's
/// value-to-literal function.
fn rows_query(table: &str, columns: &mut Vec<ColumnInfo>, quote: &str) -> String {
    columns.retain(|c| !EXCLUDED_COLUMNS.contains(&c.name.as_str()));
    let mut keys: Vec<&ColumnInfo> = columns.iter().filter(|c| c.pk > 0).collect();
    keys.sort_by_key(|c| c.pk);
    let select = columns
        .iter()
        .map(|c| format!("{quote}({})", quote_ident(&c.name)))
        .collect::<Vec<_>>()
        .join(" || '|' || ");
    let order = if keys.is_empty() {
        "row_text".to_owned()
    } else {
        keys.iter()
            .map(|c| quote_ident(&c.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "SELECT {select} AS row_text FROM {} ORDER BY {order}",
        quote_ident(table)
    )
}

/// Row count and hex SHA-256 of the rows.
fn digest(rows: &[RowText]) -> Result<(i64, String), StoreError> {
    let mut hash = Sha256::new();
    for row in rows {
        hash.update(row.row_text.as_bytes());
        hash.update(b"\n");
    }
    let hex = hex::encode(hash.finalize());
    let count = i64::try_from(rows.len())
        .map_err(|_| StoreError::Config("row count overflows i64".to_owned()))?;
    Ok((count, hex))
}

fn included(tables: Vec<TableName>) -> impl Iterator<Item = String> {
    tables
        .into_iter()
        .map(|t| t.name)
        .filter(|name| !EXCLUDED_TABLES.contains(&name.as_str()))
}

fn sqlite_digests(
    conn: &mut SqliteConnection,
) -> Result<BTreeMap<String, (i64, String)>, StoreError> {
    let mut out = BTreeMap::new();
    for table in included(diesel::sql_query(SQLITE_TABLES).load(conn)?) {
        let mut columns: Vec<ColumnInfo> = diesel::sql_query(SQLITE_COLUMNS)
            .bind::<Text, _>(&table)
            .load(conn)?;
        let rows: Vec<RowText> =
            diesel::sql_query(rows_query(&table, &mut columns, "quote")).load(conn)?;
        out.insert(table, digest(&rows)?);
    }
    Ok(out)
}

fn pg_digests(conn: &mut PgConnection) -> Result<BTreeMap<String, (i64, String)>, StoreError> {
    let mut out = BTreeMap::new();
    for table in included(diesel::sql_query(PG_TABLES).load(conn)?) {
        let mut columns: Vec<ColumnInfo> = diesel::sql_query(PG_COLUMNS)
            .bind::<Text, _>(&table)
            .load(conn)?;
        let rows: Vec<RowText> =
            diesel::sql_query(rows_query(&table, &mut columns, "quote_nullable")).load(conn)?;
        out.insert(table, digest(&rows)?);
    }
    Ok(out)
}

impl Store {
    /// Per table: row count and a SHA-256 (hex) over every row, all columns as SQL
    /// literals, in primary-key order; without table `activation_history` and column
    /// `last_seen_at`. Equal digests mean "database unchanged" (errata E-3). Digests
    /// compare within one backend only (literal spellings differ).
    pub fn table_digests(&self) -> Result<BTreeMap<String, (i64, String)>, StoreError> {
        self.read(|conn| match conn {
            Conn::Sqlite(c) => sqlite_digests(c),
            Conn::Pg(c) => pg_digests(c),
        })
    }
}
