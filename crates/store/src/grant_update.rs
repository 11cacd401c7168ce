//! The license update of a grant as one statement the databases keep prepared.
//!
//! diesel marks every `UPDATE` unsafe to cache (a changeset may skip `None` fields, so
//! its shape can vary), which made SQLite parse and PostgreSQL plan this statement on
//! every activation (issue 5: about 30,000 instructions of a PP4 activation on SQLite).
//! This one always writes the same four columns, so its shape is fixed and its
//! prepared form is found by type.

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Date, HasSqlType, Integer, Nullable, Text};
use diesel::{QueryResult, RunQueryDsl};

/// `UPDATE licenses SET activations_left, update_counter, allowed_ips, expiration
/// WHERE id`: what a grant changes on its license (A17; IP-5 and EXP-2 pass the value
/// read under the lock when the grant sets none).
#[derive(Debug)]
pub(crate) struct GrantUpdate {
    pub license_id: i32,
    pub activations_left: i32,
    pub update_counter: i64,
    pub allowed_ips: Option<String>,
    pub expiration: Option<time::Date>,
}

impl QueryId for GrantUpdate {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<DB> QueryFragment<DB> for GrantUpdate
where
    DB: Backend + HasSqlType<Integer> + HasSqlType<BigInt> + HasSqlType<Text> + HasSqlType<Date>,
    i32: ToSql<Integer, DB>,
    i64: ToSql<BigInt, DB>,
    Option<String>: ToSql<Nullable<Text>, DB>,
    Option<time::Date>: ToSql<Nullable<Date>, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("UPDATE licenses SET activations_left = ");
        out.push_bind_param::<Integer, _>(&self.activations_left)?;
        out.push_sql(", update_counter = ");
        out.push_bind_param::<BigInt, _>(&self.update_counter)?;
        out.push_sql(", allowed_ips = ");
        out.push_bind_param::<Nullable<Text>, _>(&self.allowed_ips)?;
        out.push_sql(", expiration = ");
        out.push_bind_param::<Nullable<Date>, _>(&self.expiration)?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<Integer, _>(&self.license_id)?;
        Ok(())
    }
}

impl<Conn> RunQueryDsl<Conn> for GrantUpdate {}
