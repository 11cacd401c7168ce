//! The one place where rows become core types (and back). A stored value that does
//! not parse is corrupt data: `StoreError::Config` naming the table, row and column.

use std::net::Ipv4Addr;

use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};
use unlockd_core::license_file::{CustomerInfo, LicenseFileData};
use unlockd_core::status_check::InstallationFacts;
use unlockd_core::{
    ActivationPath, ActivationRecord, ComputerId, ComputerKey, CounterType, CustomerId,
    DeactivationReason, GrantKind, InstallationId, IpMode, LicenseId, LicenseState, LicenseStatus,
    OptionId, OptionRules, OptionType, ProductId, RecordState, SessionCode, SystemIdentifier,
    TriggerCode, UpgradeBehavior, Version,
};

use crate::error::StoreError;
use crate::rows::{
    CustomerRow, CustomerRulesRow, LicenseCheckRow, LicenseRow, LicenseRulesRow, OptionRow,
    OptionRulesRow, ProductRow, RecordCheckRow, RecordRow,
};

/// Record states as stored.
pub(crate) const STATE_ACTIVE: &str = "Active";
pub(crate) const STATE_DEACTIVATED: &str = "Deactivated";
pub(crate) const STATE_BANNED: &str = "Banned";

/// A UTC instant as stored (rules C-1: every stored time is UTC).
pub(crate) fn to_db_time(t: OffsetDateTime) -> PrimitiveDateTime {
    let u = t.to_offset(UtcOffset::UTC);
    PrimitiveDateTime::new(u.date(), u.time())
}

/// A stored time back as a UTC instant.
pub(crate) fn from_db_time(t: PrimitiveDateTime) -> OffsetDateTime {
    t.assume_utc()
}

fn corrupt(table: &str, id: impl std::fmt::Display, column: &str, value: &str) -> StoreError {
    StoreError::Config(format!(
        "{table} {id}: stored {column} `{value}` is invalid"
    ))
}

fn id_of<T>(
    make: impl FnOnce(i32) -> Result<T, unlockd_core::ParseError>,
    table: &str,
    column: &str,
    v: i32,
) -> Result<T, StoreError> {
    make(v).map_err(|_| corrupt(table, v, column, &v.to_string()))
}

/// Wraps a stored license ID.
pub(crate) fn license_id(v: i32) -> Result<LicenseId, StoreError> {
    id_of(LicenseId::new, "licenses", "id", v)
}

/// Wraps a stored option ID.
pub(crate) fn option_id(v: i32) -> Result<OptionId, StoreError> {
    id_of(OptionId::new, "product_options", "id", v)
}

/// The option fields the rules read live (rules OPT-3).
pub(crate) fn option_rules(o: &OptionRulesRow) -> Result<OptionRules, StoreError> {
    let bad = |column: &str, value: &str| corrupt("product_options", o.id, column, value);
    let min_version = match o.min_version.as_deref() {
        None | Some("") => None,
        Some(s) => Some(Version::parse_minimum(s).map_err(|_| bad("min_version", s))?),
    };
    Ok(OptionRules {
        option_id: option_id(o.id)?,
        product_id: ProductId::new(o.product_id)
            .map_err(|_| bad("product_id", &o.product_id.to_string()))?,
        option_type: OptionType::from_name(&o.option_type)
            .ok_or_else(|| bad("option_type", &o.option_type))?,
        issue_installation_id: o.issue_installation_id,
        allow_deactivations: o.allow_deactivations,
        allow_reactivation: o.allow_reactivation,
        ip_mode: IpMode::from_name(&o.ip_mode).ok_or_else(|| bad("ip_mode", &o.ip_mode))?,
        ip_mask: o
            .ip_mask
            .parse::<Ipv4Addr>()
            .map_err(|_| bad("ip_mask", &o.ip_mask))?,
        additional_days: u32::try_from(o.additional_days)
            .map_err(|_| bad("additional_days", &o.additional_days.to_string()))?,
        min_version,
        min_version_url: o.min_version_url.clone().filter(|u| !u.is_empty()),
        unlock_threshold: o.unlock_threshold,
        trigger_code: TriggerCode::new(i64::from(o.trigger_code))
            .map_err(|_| bad("trigger_code", &o.trigger_code.to_string()))?,
        tc_seed: u32::try_from(o.tc_seed).map_err(|_| bad("tc_seed", &o.tc_seed.to_string()))?,
        rk2_seed: u8::try_from(o.rk2_seed).map_err(|_| bad("rk2_seed", &o.rk2_seed.to_string()))?,
        tc_fixed_value: u16::try_from(o.tc_fixed_value)
            .ok()
            .filter(|v| *v <= 16_383)
            .ok_or_else(|| bad("tc_fixed_value", &o.tc_fixed_value.to_string()))?,
        days_to_download: u32::try_from(o.days_to_download)
            .map_err(|_| bad("days_to_download", &o.days_to_download.to_string()))?,
        reset_expiration: o.reset_expiration,
        upgrade_behavior: UpgradeBehavior::from_name(&o.upgrade_behavior)
            .ok_or_else(|| bad("upgrade_behavior", &o.upgrade_behavior))?,
        counter_type: CounterType::from_name(&o.license_counter_type)
            .ok_or_else(|| bad("license_counter_type", &o.license_counter_type))?,
        tc_algorithm: o.tc_algorithm.clone(),
    })
}

/// The license as the rules see it: its row, its option's product, its customer.
pub(crate) fn license_state(
    l: &LicenseRulesRow,
    o: &OptionRulesRow,
    c: &CustomerRulesRow,
) -> Result<LicenseState, StoreError> {
    let bad = |column: &str, value: &str| corrupt("licenses", l.id, column, value);
    Ok(LicenseState {
        id: license_id(l.id)?,
        product_id: ProductId::new(o.product_id)
            .map_err(|_| bad("product_id", &o.product_id.to_string()))?,
        option_id: option_id(l.option_id)?,
        customer_id: CustomerId::new(l.customer_id)
            .map_err(|_| bad("customer_id", &l.customer_id.to_string()))?,
        status: LicenseStatus::from_name(&l.status).ok_or_else(|| bad("status", &l.status))?,
        activation_password: l.activation_password.clone(),
        customer_password: c.password.clone().filter(|p| !p.is_empty()),
        customer_registered: c.registered,
        quantity: l.quantity,
        activations_left: l.activations_left,
        activations_allowed: l.activations_allowed,
        deactivations_left: l.deactivations_left,
        license_counter: l.license_counter,
        expiration: l.expiration,
        allowed_ips: l.allowed_ips.clone(),
        license_update: l.license_update.clone(),
        update_counter: l.update_counter,
    })
}

/// A stored activation record.
pub(crate) fn record(r: &RecordRow) -> Result<ActivationRecord, StoreError> {
    let bad = |column: &str, value: &str| corrupt("activation_records", r.id, column, value);
    let key = record_key(r.id, r.computer_id, &r.identifiers)?;
    let state = record_state(
        r.id,
        &r.state,
        r.deactivated_at,
        r.deactivation_reason.as_deref(),
    )?;
    Ok(ActivationRecord {
        id: r.id,
        installation_id: r
            .installation_id
            .as_deref()
            .map(|s| InstallationId::parse(s).map_err(|_| bad("installation_id", s)))
            .transpose()?,
        key,
        kind: GrantKind::from_name(&r.kind).ok_or_else(|| bad("kind", &r.kind))?,
        consumed: r.consumed,
        state,
        granted_at: from_db_time(r.granted_at),
        path: ActivationPath::from_name(&r.path).ok_or_else(|| bad("path", &r.path))?,
        option_id: option_id(r.option_id)?,
        session_code: r
            .session_code
            .as_deref()
            .map(|s| SessionCode::parse(s).map_err(|_| bad("session_code", s)))
            .transpose()?,
        stored_reply: r.stored_reply.clone(),
    })
}

/// The stored form of a computer key: (Computer ID, identifiers JSON).
pub(crate) fn key_columns(key: &ComputerKey) -> (Option<i64>, String) {
    match key {
        ComputerKey::ComputerId(c) => (Some(i64::from(c.get())), "[]".to_owned()),
        ComputerKey::Identifiers(ids) => (None, identifiers_json(ids)),
    }
}

/// A record's computer key: its Computer ID, else its identifier triples.
fn record_key(
    id: i64,
    computer_id: Option<i64>,
    identifiers: &str,
) -> Result<ComputerKey, StoreError> {
    let bad = |column: &str, value: &str| corrupt("activation_records", id, column, value);
    Ok(match computer_id {
        Some(c) => ComputerKey::ComputerId(ComputerId::new(
            i32::try_from(c).map_err(|_| bad("computer_id", &c.to_string()))?,
        )),
        None => ComputerKey::from_identifiers(
            parse_identifiers(identifiers).ok_or_else(|| bad("identifiers", identifiers))?,
        ),
    })
}

/// A record's lifecycle state from its state, deactivated_at and reason columns.
fn record_state(
    id: i64,
    state: &str,
    deactivated_at: Option<PrimitiveDateTime>,
    reason: Option<&str>,
) -> Result<RecordState, StoreError> {
    let bad = |column: &str, value: &str| corrupt("activation_records", id, column, value);
    let at = || {
        deactivated_at
            .map(from_db_time)
            .ok_or_else(|| bad("deactivated_at", "NULL"))
    };
    Ok(match state {
        STATE_ACTIVE => RecordState::Active,
        STATE_DEACTIVATED => RecordState::Deactivated {
            at: at()?,
            reason: reason
                .and_then(DeactivationReason::from_name)
                .ok_or_else(|| bad("deactivation_reason", reason.unwrap_or("NULL")))?,
        },
        STATE_BANNED => RecordState::Banned { at: at()? },
        other => return Err(bad("state", other)),
    })
}

/// What CHK-1 decides on, from the narrow rows of the status check.
pub(crate) fn installation_facts(
    r: &RecordCheckRow,
    l: &LicenseCheckRow,
) -> Result<InstallationFacts, StoreError> {
    let bad = |column: &str, value: &str| corrupt("licenses", l.id, column, value);
    Ok(InstallationFacts {
        license_id: license_id(l.id)?,
        status: LicenseStatus::from_name(&l.status).ok_or_else(|| bad("status", &l.status))?,
        expiration: l.expiration,
        license_update: l.license_update.clone(),
        upgrade_behavior: UpgradeBehavior::from_name(&l.upgrade_behavior).ok_or_else(|| {
            corrupt(
                "product_options",
                l.option_id,
                "upgrade_behavior",
                &l.upgrade_behavior,
            )
        })?,
        record_state: record_state(
            r.id,
            &r.state,
            r.deactivated_at,
            r.deactivation_reason.as_deref(),
        )?,
        record_key_fingerprint: r.key_fingerprint.clone(),
    })
}

/// Identifier triples as a JSON array of `[type, name, value]`.
pub(crate) fn identifiers_json(ids: &[SystemIdentifier]) -> String {
    let triples: Vec<(i32, &str, &str)> = ids
        .iter()
        .map(|i| (i.kind(), i.name(), i.value()))
        .collect();
    // A vector of (integer, string, string) always serialises.
    serde_json::to_string(&triples).unwrap_or_else(|_| "[]".to_owned())
}

/// The triples of [`identifiers_json`]; `None` if `s` is not that shape.
pub(crate) fn parse_identifiers(s: &str) -> Option<Vec<SystemIdentifier>> {
    // Typed, not through serde_json::Value: this runs on every status check of an
    // identifier-keyed installation (issue 5).
    // Owned strings: a borrowed one cannot hold an escaped character.
    serde_json::from_str::<Vec<(i32, String, String)>>(s)
        .ok()?
        .into_iter()
        .map(|(kind, name, value)| SystemIdentifier::new(kind, &name, &value).ok())
        .collect()
}

/// Everything a license file says, from rows read in the grant's transaction.
pub(crate) struct LicenseFileSource<'a> {
    pub license: &'a LicenseRow,
    pub option: &'a OptionRow,
    /// The option's rules columns (read with the full row).
    pub rules: &'a OptionRulesRow,
    pub product: &'a ProductRow,
    pub customer: &'a CustomerRow,
}

impl LicenseFileSource<'_> {
    /// Builds the file content for one grant.
    pub(crate) fn file_data(
        &self,
        installation_id: Option<InstallationId>,
        trigger_code_data: Option<u16>,
        effective_start: OffsetDateTime,
        update_counter: i64,
        identifiers: Vec<SystemIdentifier>,
    ) -> Result<LicenseFileData, StoreError> {
        let rules = option_rules(self.rules)?;
        let l = self.license;
        Ok(LicenseFileData {
            license_id: license_id(l.id)?,
            installation_id,
            trigger_code: rules.trigger_code,
            trigger_code_data,
            effective_start,
            effective_end: l.expiration,
            quantity: l.quantity,
            license_counter: l.license_counter,
            update_counter,
            product_id: rules.product_id,
            product_name: self.product.name.clone(),
            latest_version: self.product.latest_version.clone(),
            option_id: rules.option_id,
            option_name: self.option.name.clone(),
            option_type: rules.option_type,
            option_custom_data: self.option.custom_data.clone(),
            customer: CustomerInfo {
                id: CustomerId::new(self.customer.id)
                    .map_err(|_| corrupt("customers", self.customer.id, "id", "0"))?,
                company_name: self.customer.company_name.clone(),
                first_name: self.customer.first_name.clone(),
                last_name: self.customer.last_name.clone(),
                email: self.customer.email.clone(),
                registered: self.customer.registered,
            },
            user_defined_fields: user_defined_fields(l),
            custom_data: l.custom_data.clone(),
            identifiers,
        })
    }
}

/// The license's set UDFs as (wire name, value), in wire order (wire.md §3.7).
fn user_defined_fields(l: &LicenseRow) -> Vec<(String, String)> {
    let chars = [
        &l.udef_char1,
        &l.udef_char2,
        &l.udef_char3,
        &l.udef_char4,
        &l.udef_char5,
        &l.udef_char6,
        &l.udef_char7,
        &l.udef_char8,
        &l.udef_char9,
        &l.udef_char10,
    ];
    let nums = [
        l.udef_num1,
        l.udef_num2,
        l.udef_num3,
        l.udef_num4,
        l.udef_num5,
    ];
    let chars = chars.into_iter().enumerate().filter_map(|(i, v)| {
        v.as_ref()
            .map(|v| (format!("UDefChar{}", i + 1), v.clone()))
    });
    let nums = nums
        .into_iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (format!("UDefNum{}", i + 1), v.to_string())));
    chars.chain(nums).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_round_trip_through_json() {
        let ids = vec![
            SystemIdentifier::new(10, "NIC", "a\"b\\c").unwrap(),
            SystemIdentifier::new(20, "Name", "ü").unwrap(),
        ];
        // The stored text is unchanged by the move from serde_json::Value to tuples.
        assert_eq!(
            identifiers_json(&ids),
            r#"[[10,"NIC","a\"b\\c"],[20,"Name","ü"]]"#
        );
        assert_eq!(parse_identifiers(&identifiers_json(&ids)), Some(ids));
        assert_eq!(parse_identifiers("[[1,2]]"), None);
        assert_eq!(parse_identifiers("{}"), None);
    }

    #[test]
    fn stored_times_are_utc() {
        let t = time::macros::datetime!(2025-03-10 14:00 +02:00);
        assert_eq!(from_db_time(to_db_time(t)), t);
        assert_eq!(to_db_time(t).hour(), 12);
    }
}
