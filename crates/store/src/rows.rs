//! Diesel row structs, one per table as stored. They never leave the crate:
//! `convert.rs` turns them into core types.

use diesel::prelude::*;
use time::{Date, PrimitiveDateTime};

use crate::schema::{
    activation_history, activation_records, api_users, authors, counter_transactions, customers,
    encryption_keys, floating_sessions, licenses, network_floating_sets, product_options, products,
};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = authors)]
pub(crate) struct AuthorRow {
    pub id: i32,
    pub name: String,
    pub created_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = api_users)]
pub(crate) struct NewApiUserRow<'a> {
    pub author_id: i32,
    pub user_id: &'a str,
    pub password_hash: &'a str,
    pub permissions: &'a str,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = products)]
pub(crate) struct ProductRow {
    pub id: i32,
    pub author_id: i32,
    pub name: String,
    pub latest_version: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = product_options)]
pub(crate) struct OptionRow {
    pub id: i32,
    pub product_id: i32,
    pub name: String,
    pub option_type: String,
    pub enabled: bool,
    pub hidden: bool,
    pub quantity_mode: String,
    pub min_quantity: i32,
    pub max_quantity: i32,
    pub activations_per_unit: i32,
    pub issue_license: bool,
    pub issue_installation_id: bool,
    pub allow_deactivations: bool,
    pub deactivations_per_unit: i32,
    pub allow_reactivation: bool,
    pub ip_mode: String,
    pub ip_mask: String,
    pub additional_days: i32,
    pub min_version: Option<String>,
    pub min_version_url: Option<String>,
    pub unlock_threshold: i32,
    pub trigger_code: i32,
    pub tc_seed: i32,
    pub rk2_seed: i32,
    pub tc_fixed_value: i32,
    pub tc_algorithm: String,
    pub offact_key: Option<String>,
    pub days_to_download: i32,
    pub reset_expiration: bool,
    pub upgrade_behavior: String,
    pub upgrade_from: Option<i32>,
    pub upgrade_to: Option<i32>,
    pub replaced_by: Option<i32>,
    pub license_counter_source: String,
    pub license_counter_value: i64,
    pub license_counter_type: String,
    pub network_floating_set_id: Option<i32>,
    pub udf_writable: bool,
    pub custom_data: Option<String>,
    pub track_inventory: bool,
    pub allow_backorder: bool,
    pub stock_quantity: i32,
    pub min_stock_quantity: i32,
    pub threshold_plugin: Option<String>,
    pub pre_activation_plugin: Option<String>,
    pub post_activation_plugin: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = customers)]
pub(crate) struct CustomerRow {
    pub id: i32,
    pub company_name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub state_province: String,
    pub postal_code: String,
    pub country: String,
    pub registered: bool,
    pub password: Option<String>,
    pub created_at: PrimitiveDateTime,
    pub fax: String,
    pub author_id: Option<i32>,
}

/// The license columns the licensing rules decide on (a narrow read: every client
/// call loads these, issue 5).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = licenses)]
pub(crate) struct LicenseRulesRow {
    pub id: i32,
    pub option_id: i32,
    pub customer_id: i32,
    pub status: String,
    pub activation_password: String,
    pub quantity: i32,
    pub activations_left: i32,
    pub activations_allowed: i32,
    pub deactivations_left: i32,
    pub license_counter: Option<i64>,
    pub expiration: Option<Date>,
    pub allowed_ips: Option<String>,
    pub license_update: String,
    pub update_counter: i64,
}

/// The option columns the licensing rules decide on.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = product_options)]
pub(crate) struct OptionRulesRow {
    pub id: i32,
    pub product_id: i32,
    pub option_type: String,
    pub issue_installation_id: bool,
    pub allow_deactivations: bool,
    pub allow_reactivation: bool,
    pub ip_mode: String,
    pub ip_mask: String,
    pub additional_days: i32,
    pub min_version: Option<String>,
    pub min_version_url: Option<String>,
    pub unlock_threshold: i32,
    pub trigger_code: i32,
    pub tc_seed: i32,
    pub rk2_seed: i32,
    pub tc_fixed_value: i32,
    pub tc_algorithm: String,
    pub days_to_download: i32,
    pub reset_expiration: bool,
    pub upgrade_behavior: String,
    pub license_counter_type: String,
}

/// The customer columns the licensing rules decide on (ACT-6 registration, PWD).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = customers)]
pub(crate) struct CustomerRulesRow {
    pub registered: bool,
    pub password: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = licenses)]
pub(crate) struct LicenseRow {
    pub id: i32,
    pub option_id: i32,
    pub customer_id: i32,
    pub status: String,
    pub activation_password: String,
    pub quantity: i32,
    pub activations_left: i32,
    pub activations_allowed: i32,
    pub deactivations_left: i32,
    pub license_counter: Option<i64>,
    pub expiration: Option<Date>,
    pub allowed_ips: Option<String>,
    pub license_update: String,
    pub update_counter: i64,
    pub serial_number: Option<i32>,
    pub entered_date: PrimitiveDateTime,
    pub distributor_id: Option<i32>,
    pub invoice_number: Option<String>,
    pub notes: String,
    pub custom_data: Option<String>,
    pub udef_char1: Option<String>,
    pub udef_char2: Option<String>,
    pub udef_char3: Option<String>,
    pub udef_char4: Option<String>,
    pub udef_char5: Option<String>,
    pub udef_char6: Option<String>,
    pub udef_char7: Option<String>,
    pub udef_char8: Option<String>,
    pub udef_char9: Option<String>,
    pub udef_char10: Option<String>,
    pub udef_num1: Option<i64>,
    pub udef_num2: Option<i64>,
    pub udef_num3: Option<i64>,
    pub udef_num4: Option<i64>,
    pub udef_num5: Option<i64>,
    pub download_until: Option<Date>,
}

/// The record columns decisions read (provenance columns stay in the table).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = activation_records)]
pub(crate) struct RecordRow {
    pub id: i64,
    pub license_id: i32,
    pub installation_id: Option<String>,
    pub computer_id: Option<i64>,
    pub identifiers: String,
    pub kind: String,
    pub consumed: bool,
    pub state: String,
    pub deactivated_at: Option<PrimitiveDateTime>,
    pub deactivation_reason: Option<String>,
    pub granted_at: PrimitiveDateTime,
    pub path: String,
    pub option_id: i32,
    pub session_code: Option<String>,
    pub stored_reply: Option<String>,
}

/// The record columns a status check reads (CHK-1).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = activation_records)]
pub(crate) struct RecordCheckRow {
    pub id: i64,
    pub key_fingerprint: Option<String>,
    pub state: String,
    pub deactivated_at: Option<PrimitiveDateTime>,
    pub deactivation_reason: Option<String>,
}

/// The license and option columns a status check reads (CHK-1).
#[derive(Debug, Clone, Queryable)]
pub(crate) struct LicenseCheckRow {
    pub id: i32,
    pub option_id: i32,
    pub status: String,
    pub expiration: Option<Date>,
    pub license_update: String,
    pub upgrade_behavior: String,
}

/// `None` binds NULL (no column has another default), so every insert has one
/// statement shape that stays prepared (issue 5).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = activation_records, treat_none_as_default_value = false)]
pub(crate) struct NewRecordRow {
    pub license_id: i32,
    pub installation_id: Option<String>,
    pub key_fingerprint: Option<String>,
    pub computer_id: Option<i64>,
    pub identifiers: String,
    pub kind: String,
    pub consumed: bool,
    pub state: String,
    pub granted_at: PrimitiveDateTime,
    pub path: String,
    pub option_id: i32,
    pub session_code: Option<String>,
    pub stored_reply: Option<String>,
    pub ip: Option<String>,
    pub version: Option<String>,
}

/// `None` binds NULL, as for [`NewRecordRow`].
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = activation_history, treat_none_as_default_value = false)]
pub(crate) struct NewHistoryRow {
    pub at: PrimitiveDateTime,
    pub operation: String,
    pub license_id: Option<i32>,
    pub installation_id: Option<String>,
    pub result_code: i32,
    pub reason: String,
    pub ip: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = encryption_keys)]
pub(crate) struct KeyRowDb {
    pub id: String,
    pub author_id: i32,
    pub algorithm: String,
    pub created_at: PrimitiveDateTime,
    pub retired_at: Option<PrimitiveDateTime>,
    pub revoked_at: Option<PrimitiveDateTime>,
    pub client_private_pem: String,
    pub client_public_pem: String,
    pub server_private_pem: String,
    pub server_public_pem: String,
    pub envelope: String,
    pub envelope_key: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = counter_transactions)]
pub(crate) struct CounterTxRow {
    pub counter: i64,
    pub update_counter: i64,
    pub at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = counter_transactions)]
pub(crate) struct NewCounterTxRow<'a> {
    pub license_id: i32,
    pub transaction_id: &'a str,
    pub counter: i64,
    pub update_counter: i64,
    pub at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = network_floating_sets)]
pub(crate) struct FloatingSetRow {
    pub id: i32,
    pub name: String,
    pub poll_frequency: i32,
    pub poll_retry_frequency: i32,
    pub poll_retry_count: i32,
    pub allow_overages: bool,
    pub overage_seconds: i32,
    pub checkout_min_hours: i32,
    pub checkout_max_hours: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = floating_sessions)]
pub(crate) struct SessionRow {
    pub id: String,
    pub license_id: i32,
    pub opened_at: PrimitiveDateTime,
    pub last_poll_at: PrimitiveDateTime,
    pub allocated_until: PrimitiveDateTime,
    pub checked_out: bool,
    pub closed: bool,
    pub installation_name: Option<String>,
    pub identifiers: String,
}
