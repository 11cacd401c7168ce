//! The back-office view of one license (wire.md §3.7 `License` record), shared by the
//! store that reads it and the façade that writes it.

use time::{Date, OffsetDateTime};

use crate::ids::{CustomerId, LicenseId, OptionId, ProductId};
use crate::model::LicenseStatus;

/// `UserDefinedFields` (wire.md §3.7): UDefChar1..10, UDefNum1..5 (i64, errata E-19).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserDefinedFields {
    /// UDefChar1..UDefChar10 (string(255) each).
    pub chars: [Option<String>; 10],
    /// UDefNum1..UDefNum5.
    pub nums: [Option<i64>; 5],
}

impl UserDefinedFields {
    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        self.chars.iter().all(Option::is_none) && self.nums.iter().all(Option::is_none)
    }
}

/// How `CustomData` is to be read (wire.md §3.7 `Format`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CustomDataFormat {
    /// Plain text (the default).
    #[default]
    Text,
    /// A well-formed XML fragment.
    Xml,
}

impl CustomDataFormat {
    /// The wire spelling.
    pub fn name(self) -> &'static str {
        match self {
            Self::Text => "Text",
            Self::Xml => "Xml",
        }
    }

    /// Parses the wire spelling (exact, names are case-sensitive per wire.md §0).
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "Text" => Some(Self::Text),
            "Xml" => Some(Self::Xml),
            _ => None,
        }
    }
}

/// A license's custom data with its format.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomData {
    /// The text; `None` when never set.
    pub data: Option<String>,
    /// Its format.
    pub format: CustomDataFormat,
}

/// One license as the back office reports it (wire.md §3.7 `License`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseRecord {
    /// LicenseID.
    pub license_id: LicenseId,
    /// ActivationPassword.
    pub activation_password: String,
    /// CustomerID.
    pub customer_id: CustomerId,
    /// ProductID.
    pub product_id: ProductId,
    /// ProductOptionID.
    pub option_id: OptionId,
    /// Quantity.
    pub quantity: i32,
    /// Status.
    pub status: LicenseStatus,
    /// ActivationsLeft.
    pub activations_left: i32,
    /// DeactivationsLeft.
    pub deactivations_left: i32,
    /// LicenseCounter.
    pub license_counter: Option<i64>,
    /// ExpirationDate (a day, errata E-19).
    pub expiration: Option<Date>,
    /// EnteredDate.
    pub entered_date: OffsetDateTime,
    /// DistributorID.
    pub distributor_id: Option<CustomerId>,
    /// InvoiceNumber.
    pub invoice_number: Option<String>,
    /// LicenseUpdate.
    pub license_update: String,
    /// AllowedActivationIPs.
    pub allowed_ips: Option<String>,
    /// UserDefinedFields.
    pub user_defined_fields: UserDefinedFields,
    /// CustomData.
    pub custom_data: Option<String>,
}

/// What UpdateActivationFields changes (wire.md §3.7): `None` leaves a field
/// unchanged; for the date and the IPs `Some(None)` clears it (an empty element).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivationFieldChanges {
    /// Status, subject to errata E-18 (`status::check_transition`).
    pub status: Option<LicenseStatus>,
    /// ActivationsLeft (≥ 0, CON-2).
    pub activations_left: Option<i32>,
    /// DeactivationsLeft (≥ −1, CON-2).
    pub deactivations_left: Option<i32>,
    /// LicenseCounter (≥ 0, CON-2).
    pub license_counter: Option<i64>,
    /// ExpirationDate (a day, errata E-19).
    pub expiration: Option<Option<Date>>,
    /// AllowedActivationIPs, already checked against IP-1.
    pub allowed_ips: Option<Option<String>>,
    /// LicenseUpdate (string(55)).
    pub license_update: Option<String>,
}
