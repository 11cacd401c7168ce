//! What a PLUS 5 license file says (wire.md §5.4), independent of how it is spelled.

use time::{Date, OffsetDateTime};

use crate::ids::{
    CustomerId, InstallationId, LicenseId, OptionId, ProductId, SystemIdentifier, TriggerCode,
};
use crate::model::OptionType;

/// The content of a PLUS 5 license file (wire.md §5.4), read in the grant's
/// transaction so it matches the committed state.
#[derive(Debug, Clone, PartialEq)]
pub struct LicenseFileData {
    /// License number.
    pub license_id: LicenseId,
    /// Installation of the grant, if it holds one.
    pub installation_id: Option<InstallationId>,
    /// Trigger Code #.
    pub trigger_code: TriggerCode,
    /// TC-2 event data.
    pub trigger_code_data: Option<u16>,
    /// This activation's time.
    pub effective_start: OffsetDateTime,
    /// License expiration, if any.
    pub effective_end: Option<Date>,
    /// Quantity.
    pub quantity: i32,
    /// License Counter, if set.
    pub license_counter: Option<i64>,
    /// Update counter after the grant.
    pub update_counter: i64,
    /// Product.
    pub product_id: ProductId,
    /// Product name.
    pub product_name: String,
    /// Product latest version, if set.
    pub latest_version: Option<String>,
    /// Option.
    pub option_id: OptionId,
    /// Option name.
    pub option_name: String,
    /// Option type.
    pub option_type: OptionType,
    /// Option custom data (string or XML text), if set.
    pub option_custom_data: Option<String>,
    /// Customer.
    pub customer: CustomerInfo,
    /// User-defined fields: (name, value) in wire order, only those set.
    pub user_defined_fields: Vec<(String, String)>,
    /// License custom data, if set.
    pub custom_data: Option<String>,
    /// The identifiers the client sent.
    pub identifiers: Vec<SystemIdentifier>,
}

/// The customer block of a license file.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerInfo {
    /// Customer number.
    pub id: CustomerId,
    /// Company name.
    pub company_name: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E-mail.
    pub email: String,
    /// Registered (rules ACT-6).
    pub registered: bool,
}
