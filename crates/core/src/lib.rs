//! unlockd-core: the licensing rules of `../shared/spec/rules.md`, pure.
//!
//! Every decision is a function of (state loaded under the license lock, request,
//! `now`, RNG) to one outcome plus staged effects. This crate does no I/O, owns no
//! clock and knows nothing of XML, SQL or async; the store commits what it stages
//! and the SOAP façade spells it on the wire.

pub mod activation;
pub mod bulk;
pub mod clock;
pub mod counter;
pub mod credentials;
pub mod customer_record;
pub mod deactivation;
pub mod floating;
pub mod history;
pub mod ids;
pub mod invoice;
pub mod ip;
pub mod license_file;
pub mod license_record;
pub mod model;
pub mod offact;
pub mod password;
pub mod pp4_post;
pub mod refresh;
pub mod refusal;
pub mod status;
pub mod status_check;
pub mod trigger;
pub mod udf;
pub mod update_check;
pub mod version;

#[cfg(test)]
mod test_support;

pub use ids::{
    AuthorId, ComputerId, ComputerKey, CustomerId, EncryptionKeyId, Guid, InstallationId,
    LicenseId, OptionId, ParseError, Password, ProductId, SessionCode, SystemIdentifier,
    TriggerCode,
};
pub use model::{
    ActivationPath, ActivationRecord, CounterType, DeactivationReason, GrantKind, IpMode,
    LicenseState, LicenseStatus, OptionRules, OptionType, RecordId, RecordState, UpgradeBehavior,
};
pub use refusal::Refusal;
pub use version::Version;
