//! Outcomes other than OK (rules §2). The façade maps each to a wire code in
//! exactly one place (`crates/soap/src/result_code.rs`).

use time::OffsetDateTime;

use crate::version::Version;

/// Why a request was refused (rules §2 outcome names in the variant docs).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// E-PARAM: bad or missing input.
    #[error("invalid parameters")]
    Param,
    /// E-CRED: unknown license or wrong password (ERR-1).
    #[error("invalid license ID or password")]
    Credentials,
    /// E-PRODUCT: product or option is not the license's.
    #[error("product or option does not match the license")]
    Product,
    /// E-OPTTYPE: option type cannot be activated on this path.
    #[error("option type cannot be activated this way")]
    OptionType,
    /// E-COMPID: Computer ID is 0, or the computer key differs.
    #[error("invalid computer ID")]
    ComputerId,
    /// E-UNREG: registration required.
    #[error("customer is not registered")]
    Unregistered,
    /// E-STATUS: license status does not allow this (STS-2/3, UPG-1).
    #[error("license status does not allow this")]
    Status,
    /// E-EXPIRED: days left < 0 (TC-2 WithDaysLeft).
    #[error("license expired")]
    Expired,
    /// E-NOACT: no activations left.
    #[error("no activations left")]
    NoActivations,
    /// E-VERSION: below the minimum; the reply carries minimum and URL.
    #[error("version below minimum")]
    Version {
        /// The configured minimum version.
        minimum: Version,
        /// The Minimum Activation URL, if any.
        url: Option<String>,
    },
    /// E-IP: client address not allowed.
    #[error("IP address not allowed")]
    Ip,
    /// E-BANNED: computer banned (REA-4).
    #[error("computer banned")]
    Banned,
    /// E-CLOCK: client clock off (CLK-1).
    #[error("client clock out of tolerance")]
    Clock,
    /// E-NODEACT: no deactivation allowed or left.
    #[error("no deactivations allowed or left")]
    NoDeactivations,
    /// E-INSTNOTFOUND: unknown installation.
    #[error("installation not found")]
    InstallationNotFound,
    /// E-INSTDEACT: installation deactivated or banned, since `at`.
    #[error("installation deactivated")]
    InstallationDeactivated {
        /// The original deactivation (or ban) time.
        at: OffsetDateTime,
    },
    /// E-COUNTER: counter too low.
    #[error("license counter too low")]
    Counter,
    /// E-CONFIG: data invalid for the type.
    #[error("license or option configuration invalid")]
    Config,
    /// E-SEATS: no floating seat free (FLT-4).
    #[error("no floating seat available")]
    Seats,
    /// E-SESSION: floating session unknown, another license's, closed or expired
    /// (FLT-5, errata E-5).
    #[error("floating session closed or expired")]
    Session,
    /// E-BUSY: lock timeout.
    #[error("license busy")]
    Busy,
    /// E-UDF: the option's user-defined fields are read-only (UDF-1).
    #[error("user-defined fields are read-only")]
    UdfReadOnly,
    /// E-STATE: the status transition is not allowed (errata E-18).
    #[error("status transition not allowed")]
    Transition,
}
