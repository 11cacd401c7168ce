//! The attempt history: one row per request that did not succeed (errata E-3).

use std::net::IpAddr;

use crate::ids::{InstallationId, LicenseId};

/// One row of the attempt history for a request the façade refused or faulted
/// (errata E-3: exactly one row per refused request).
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// Operation name as dispatched (or `Unknown`).
    pub operation: String,
    /// License, when it was known.
    pub license_id: Option<LicenseId>,
    /// Installation, when it was known.
    pub installation_id: Option<InstallationId>,
    /// The wire result code (or 0 for a fault that has none).
    pub result_code: i32,
    /// Short reason (the fault or refusal name).
    pub reason: String,
    /// Client address.
    pub client_ip: Option<IpAddr>,
}
