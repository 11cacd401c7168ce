//! The only mapping from outcomes to XmlActivationService `ResultCode` numbers and
//! `ErrorMessage` texts (wire.md §4.1, errata E-12). Every arm is explicit: adding a
//! refusal to core fails to compile here until it has a number.

use unlockd_core::Refusal;

use crate::error::{OpError, Refused};
use crate::service::BackOfficeRefusal;

/// A `ResultCode` with its fixed English `ErrorMessage` and a short reason for the
/// attempt history (never any internal detail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireCode {
    /// The `ResultCode`.
    pub number: i32,
    /// The `ErrorMessage`.
    pub text: &'static str,
    /// The outcome name for logs and history (`E-CRED`, …).
    pub reason: &'static str,
}

const fn code(number: i32, reason: &'static str, text: &'static str) -> WireCode {
    WireCode {
        number,
        text,
        reason,
    }
}

/// `ResultCode` 0.
pub const OK: WireCode = code(0, "OK", "");

/// updatecheck.asp's `Error Response` with VerifyDaysToDL = 1 once downloads are over
/// (rules EXP-3).
pub const PP4_DOWNLOADS_OVER: WireCode = code(300, "E-DOWNLOAD", "Downloads have ended.");

/// The wire code of an operation failure.
pub fn of(error: &OpError) -> WireCode {
    match error {
        OpError::Input(_) => code(5002, "E-PARAM", "A field is missing, repeated or invalid."),
        OpError::Internal(_) => code(5099, "E-INTERNAL", "Internal error; nothing was changed."),
        OpError::Refused(refused) => match refused {
            Refused::Document => code(5001, "E-PARAM", "The request document could not be read."),
            Refused::Key => code(
                5003,
                "E-KEY",
                "The encryption key is unknown or not valid for this request.",
            ),
            Refused::Decrypt => code(5004, "E-DECRYPT", "The request could not be decrypted."),
            Refused::Signature => code(
                5005,
                "E-SIGNATURE",
                "The request signature is missing or invalid.",
            ),
            Refused::RequestMethod => code(
                5006,
                "E-METHOD",
                "RequestMethod does not match the method called.",
            ),
            Refused::OfflineReused => code(
                5029,
                "E-OFFLINE-REUSED",
                "This offline request has already been used.",
            ),
            Refused::OfflineTooOld => code(
                5030,
                "E-OFFLINE-OLD",
                "This offline request is too old; create a new one.",
            ),
            Refused::Rules(refusal) => of_refusal(refusal),
            Refused::BackOffice(refusal) => of_back_office(*refusal),
        },
    }
}

/// XmlLicenseService refusals (wire.md §3, §4.1: 5040-5044).
fn of_back_office(refusal: BackOfficeRefusal) -> WireCode {
    match refusal {
        BackOfficeRefusal::BadCredentials => code(
            5040,
            "E-AUTH",
            "Invalid author ID, user ID or user password.",
        ),
        BackOfficeRefusal::Denied => code(
            5041,
            "E-DENIED",
            "The user does not have permission for this call.",
        ),
        BackOfficeRefusal::UnknownReference => {
            code(5042, "E-UNKNOWN", "A referenced object does not exist.")
        }
        BackOfficeRefusal::IdTaken => code(5043, "E-IDTAKEN", "The license ID is already taken."),
        BackOfficeRefusal::Throttled => code(
            5044,
            "E-THROTTLED",
            "Too many failed logins; try again later.",
        ),
    }
}

fn of_refusal(refusal: &Refusal) -> WireCode {
    match refusal {
        Refusal::Param => code(5002, "E-PARAM", "A field is missing, repeated or invalid."),
        Refusal::ComputerId => code(5007, "E-COMPID", "Invalid computer ID."),
        Refusal::Product => code(
            5008,
            "E-PRODUCT",
            "The product or option does not match the license.",
        ),
        Refusal::OptionType => code(
            5009,
            "E-OPTTYPE",
            "The license cannot be activated this way.",
        ),
        Refusal::Credentials => code(5010, "E-CRED", "Invalid license ID or password."),
        Refusal::NoActivations => code(5011, "E-NOACT", "No activations left."),
        Refusal::Expired => code(5012, "E-EXPIRED", "The license has expired."),
        Refusal::Version { .. } => code(
            5013,
            "E-VERSION",
            "This version is below the required minimum.",
        ),
        Refusal::Ip => code(5014, "E-IP", "Activation is not allowed from this address."),
        Refusal::InstallationNotFound => code(5015, "E-INSTNOTFOUND", "Installation not found."),
        Refusal::InstallationDeactivated { .. } => code(
            5016,
            "E-INSTDEACT",
            "The installation has been deactivated.",
        ),
        Refusal::Status => code(5017, "E-STATUS", "The license status does not allow this."),
        Refusal::NoDeactivations => code(5018, "E-NODEACT", "No deactivations allowed or left."),
        Refusal::Unregistered => code(5019, "E-UNREG", "Registration is required."),
        Refusal::Banned => code(5020, "E-BANNED", "This computer is not allowed."),
        Refusal::Counter => code(5021, "E-COUNTER", "The license counter is too low."),
        Refusal::Clock => code(5022, "E-CLOCK", "The client clock is out of tolerance."),
        Refusal::Config => code(
            5026,
            "E-CONFIG",
            "The license configuration does not allow this.",
        ),
        Refusal::Seats => code(5024, "E-SEATS", "No network seat is available."),
        Refusal::Session => code(
            5027,
            "E-SESSION",
            "The network session is closed or expired.",
        ),
        Refusal::Busy => code(5028, "E-BUSY", "The license is busy; try again."),
        Refusal::UdfReadOnly => code(
            5023,
            "E-UDF",
            "The user-defined fields of this license are read-only.",
        ),
        Refusal::Transition => code(5045, "E-STATE", "This status change is not allowed."),
    }
}

/// An ActivateLicense `ErrorCode` with its [confirmed] `ErrorMessage` (wire.md §3.9,
/// §4.1). `status` is the license status behind an E-STATUS refusal.
pub fn activate_license(
    refusal: Option<&Refusal>,
    status: Option<unlockd_core::LicenseStatus>,
) -> (i32, &'static str) {
    let Some(refusal) = refusal else {
        return (500, "Unknown Error"); // internal error, nothing changed (5099)
    };
    match refusal {
        Refusal::Param => (50, "Invalid Parameters"),
        Refusal::ComputerId => (75, "Invalid Computer ID"),
        Refusal::Credentials => (100, "Invalid License ID / Password / SerialNumber"),
        Refusal::Unregistered => (150, "Unregistered Customers"),
        Refusal::Product => (200, "Invalid Product ID"),
        Refusal::NoActivations => (300, "No More Keys Available"),
        Refusal::OptionType => (400, "Invalid Option Type"),
        Refusal::Expired => (450, "License Expired"),
        Refusal::Status if status == Some(unlockd_core::LicenseStatus::Expired) => {
            (450, "License Expired")
        }
        Refusal::Ip | Refusal::Banned | Refusal::Clock => (40, "Security Check Failure"),
        _ => (500, "Unknown Error"),
    }
}

/// A PP4 script's failure answer (wire.md §3.11, §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pp4Error {
    /// `Error Response = N`.
    Code(i32),
    /// The bare line `No More Keys available!` (E-NOACT, errata E-21).
    NoMoreKeys,
}

/// The getcode.asp answer of a refusal (`None`: internal error); `blank` tells E-PARAM
/// whether the License ID or password was blank (100) or something else was bad (500).
pub fn pp4(refusal: Option<&Refusal>, blank: bool) -> Pp4Error {
    match refusal {
        Some(Refusal::Param) if blank => Pp4Error::Code(100),
        Some(Refusal::Credentials) => Pp4Error::Code(100),
        Some(Refusal::OptionType) => Pp4Error::Code(101),
        Some(Refusal::ComputerId) => Pp4Error::Code(103),
        Some(Refusal::Product) => Pp4Error::Code(200),
        Some(Refusal::NoActivations) => Pp4Error::NoMoreKeys,
        _ => Pp4Error::Code(500),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::InputError;
    use crate::service::ServiceError;

    #[test]
    fn facade_checks_use_their_own_codes_e_12() {
        let numbers: Vec<i32> = [
            Refused::Document,
            Refused::Key,
            Refused::Decrypt,
            Refused::Signature,
            Refused::RequestMethod,
            Refused::OfflineReused,
            Refused::OfflineTooOld,
        ]
        .into_iter()
        .map(|r| of(&OpError::Refused(r)).number)
        .collect();
        assert_eq!(numbers, [5001, 5003, 5004, 5005, 5006, 5029, 5030]);
        assert_eq!(of(&InputError::Missing("LicenseID").into()).number, 5002);
        assert_eq!(of(&ServiceError::KeyNotForLicense.into()).number, 5003);
        assert_eq!(of(&ServiceError::Internal("db".into()).into()).number, 5099);
    }

    #[test]
    fn confirmed_numbers_of_wire_4_1() {
        assert_eq!(of(&Refusal::Status.into()).number, 5017);
        assert_eq!(of(&Refusal::Clock.into()).number, 5022);
        assert_eq!(of(&Refusal::Credentials.into()).number, 5010);
        assert_eq!(of(&Refusal::InstallationNotFound.into()).number, 5015);
        assert_eq!(of(&Refusal::Session.into()).number, 5027);
        assert_eq!(of(&Refusal::Seats.into()).number, 5024);
    }

    #[test]
    fn legacy_codes_of_wire_4_1() {
        use unlockd_core::LicenseStatus;
        let al = |r: Refusal| activate_license(Some(&r), None).0;
        assert_eq!(al(Refusal::Param), 50);
        assert_eq!(al(Refusal::ComputerId), 75);
        assert_eq!(al(Refusal::Credentials), 100);
        assert_eq!(al(Refusal::Unregistered), 150);
        assert_eq!(al(Refusal::Product), 200);
        assert_eq!(al(Refusal::NoActivations), 300);
        assert_eq!(al(Refusal::OptionType), 400);
        assert_eq!(al(Refusal::Expired), 450);
        assert_eq!(al(Refusal::Clock), 40);
        assert_eq!(al(Refusal::Status), 500);
        let expired = activate_license(Some(&Refusal::Status), Some(LicenseStatus::Expired));
        assert_eq!(expired.0, 450, "rules EX 10");
        assert_eq!(activate_license(None, None).0, 500);
        assert_eq!(pp4(Some(&Refusal::Param), true), Pp4Error::Code(100));
        assert_eq!(pp4(Some(&Refusal::Param), false), Pp4Error::Code(500));
        assert_eq!(
            pp4(Some(&Refusal::NoActivations), false),
            Pp4Error::NoMoreKeys
        );
        assert_eq!(pp4(Some(&Refusal::ComputerId), false), Pp4Error::Code(103));
        assert_eq!(pp4(Some(&Refusal::OptionType), false), Pp4Error::Code(101));
    }

    #[test]
    fn back_office_numbers_of_wire_3() {
        let n = |r| of(&ServiceError::BackOffice(r).into()).number;
        assert_eq!(n(BackOfficeRefusal::BadCredentials), 5040);
        assert_eq!(n(BackOfficeRefusal::Denied), 5041);
        assert_eq!(n(BackOfficeRefusal::UnknownReference), 5042);
        assert_eq!(n(BackOfficeRefusal::IdTaken), 5043);
        assert_eq!(n(BackOfficeRefusal::Throttled), 5044);
    }

    #[test]
    fn texts_carry_no_internal_detail() {
        let e = of(&ServiceError::Internal("secret path /var/db".into()).into());
        assert!(!e.text.contains("secret"));
    }
}
