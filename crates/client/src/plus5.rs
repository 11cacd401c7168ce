//! The PLUS 5 application side (wire.md §2.5, §3.2, §3.4, §5, §7.2, §7.3).
//!
//! Request shape (the same online and through ManualRequest.aspx):
//! ```text
//! <{Method}><EncryptionKeyID/><RequestMethod>{Method}</RequestMethod>
//!   <EncryptedData Id="PrivateData">…PrivateData: ClientTimestamp, SessionCode, fields…</EncryptedData>
//!   <Signature>… ClientKey …</Signature></{Method}>
//! ```
//! Answer shape: `<{Method}>` with PrivateData encrypted to the ClientKey and signed by
//! the ServerKey; PrivateData holds ResultCode, ErrorMessage, ServerTimestamp,
//! SessionCode (echo), UpdateCounter and, for an activation, `License/SoftwareKey`
//! (the license file, protected on its own, E-10).
//!
//! Floating sessions (§3.10) answer a `NetworkSession` certificate signed on its own;
//! GetLicenseFile (§3.6) answers a license file like an activation.
//!
//! A [`Plus5Client`] accepts an answer only if it verifies, carries the session code
//! of the request it answers (§5.5) and an `UpdateCounter` higher than any it saw for
//! that license (§7.3): a replayed or older answer is refused.

use std::collections::HashMap;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use unlockd_soap::crypto::client::{extract_element, ClientKeys};
use unlockd_soap::crypto::OpenError;
use unlockd_soap::xml::{self, Element, Limits, XmlWriter};

/// Why the client refused a request build or an answer.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The request could not be sealed.
    #[error("cannot build the request: {0}")]
    Build(String),
    /// The answer or license file did not verify or decrypt.
    #[error("answer does not verify or decrypt: {0}")]
    Open(#[from] OpenError),
    /// A protected document arrived unsigned where a signature is required.
    #[error("answer is not signed")]
    Unsigned,
    /// The answer is not the documented shape.
    #[error("answer is malformed: {0}")]
    Malformed(&'static str),
    /// The server refused the request.
    #[error("server refused: {code} {message}")]
    Refused {
        /// The ResultCode.
        code: i32,
        /// The ErrorMessage.
        message: String,
    },
    /// The answer's SessionCode is not the request's (§5.5).
    #[error("answer carries another session code")]
    SessionMismatch,
    /// The answer's UpdateCounter is not higher than the highest seen (§7.3).
    #[error("answer UpdateCounter {got} is not above {highest} (replay or rollback)")]
    Rollback {
        /// The answer's counter.
        got: i64,
        /// The highest counter already accepted for the license.
        highest: i64,
    },
}

/// One system identifier triple (wire.md §3; values arrive hashed by the app).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identifier {
    /// `@type` (10 NIC, 20 computer name, …).
    pub kind: i32,
    /// `@name`.
    pub name: String,
    /// `@value`.
    pub value: String,
}

/// The decrypted, verified license file (§5.4), with the fields an app acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseFile {
    /// The file as received (what the app saves as `LicenseFile.lfx`).
    pub file: String,
    /// `LicenseID`.
    pub license_id: i32,
    /// `InstallationID` (empty for an evaluation).
    pub installation_id: String,
    /// `TriggerCode` 1..=50.
    pub trigger_code: u8,
    /// `UpdateCounter` (§7.3).
    pub update_counter: i64,
    /// `EffectiveEndDate`, if any.
    pub effective_end_date: Option<String>,
    /// `ProductID`.
    pub product_id: i32,
    /// `ProductOptionID`.
    pub product_option_id: i32,
}

/// A verified DeactivateInstallation answer: the offline deactivation receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeactivationReceipt {
    /// `DeactivatedDate`.
    pub deactivated_date: String,
    /// `ActivationsLeft` after the call.
    pub activations_left: i32,
    /// `UpdateCounter` (§7.3).
    pub update_counter: i64,
}

/// A verified `NetworkSession` certificate (§3.10), signed on its own by the
/// ServerKey (errata E-10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionCertificate {
    /// The certificate as received (what the app saves).
    pub certificate: String,
    /// `SessionID`.
    pub session_id: String,
    /// `LicenseID`.
    pub license_id: i32,
    /// `CheckedOut`.
    pub checked_out: bool,
    /// `AllocatedUntilDate`.
    pub allocated_until: String,
    /// `UpdateCounter` (§7.3).
    pub update_counter: i64,
}

/// An application instance: its keys and the highest UpdateCounter per license.
#[derive(Debug)]
pub struct Plus5Client {
    keys: ClientKeys,
    highest: HashMap<i32, i64>,
}

impl Plus5Client {
    /// A client holding `keys` (taken from the Envelope, E-9).
    pub fn new(keys: ClientKeys) -> Self {
        Self {
            keys,
            highest: HashMap::new(),
        }
    }

    /// The key material.
    pub fn keys(&self) -> &ClientKeys {
        &self.keys
    }

    /// The highest UpdateCounter accepted for `license_id`, if any.
    pub fn highest_update_counter(&self, license_id: i32) -> Option<i64> {
        self.highest.get(&license_id).copied()
    }

    /// An ActivateInstallationLicenseFile request (§3.2), encrypted and signed, with
    /// RequestMethod, SessionCode and ClientTimestamp, so it also serves offline
    /// (§7.2).
    pub fn activation_request(
        &self,
        license_id: i32,
        password: &str,
        session_code: &str,
        identifiers: &[Identifier],
        now: OffsetDateTime,
    ) -> Result<String, ClientError> {
        let inner = credential_data(license_id, password, session_code, identifiers, now)?;
        self.seal("ActivateInstallationLicenseFile", &inner)
    }

    /// A GetLicenseFile request (§3.6, XmlLicenseFileService), encrypted and signed,
    /// with RequestMethod, SessionCode and ClientTimestamp, so it also serves offline
    /// (§7.2): the license file again for `installation_id`.
    pub fn refresh_request(
        &self,
        installation_id: &str,
        license_id: Option<i32>,
        session_code: &str,
        identifiers: &[Identifier],
        now: OffsetDateTime,
    ) -> Result<String, ClientError> {
        let mut w = XmlWriter::fragment();
        w.start("PrivateData", &[])
            .element("ClientTimestamp", &timestamp(now)?)
            .element("InstallationID", installation_id);
        if let Some(id) = license_id {
            w.element("LicenseID", &id.to_string());
        }
        w.element("SessionCode", session_code);
        // SystemIdentifiers is optional here (§3.6); when sent it holds 1..=32 triples.
        if !identifiers.is_empty() {
            write_identifiers(&mut w, identifiers);
        }
        w.end("PrivateData");
        self.seal("GetLicenseFile", &w.finish())
    }

    /// A DeactivateInstallation request (§3.4), encrypted and signed: online, or the
    /// offline deactivation proof of §7.2.
    pub fn deactivation_request(
        &self,
        installation_id: &str,
        session_code: &str,
        identifiers: &[Identifier],
        now: OffsetDateTime,
    ) -> Result<String, ClientError> {
        let mut w = XmlWriter::fragment();
        w.start("PrivateData", &[])
            .element("ClientTimestamp", &timestamp(now)?)
            .element("InstallationID", installation_id)
            .element("SessionCode", session_code);
        write_identifiers(&mut w, identifiers);
        w.end("PrivateData");
        self.seal("DeactivateInstallation", &w.finish())
    }

    /// An OpenSession request (§3.10), encrypted and signed, usable offline (§7.2).
    pub fn open_session_request(
        &self,
        license_id: i32,
        password: &str,
        session_code: &str,
        identifiers: &[Identifier],
        now: OffsetDateTime,
    ) -> Result<String, ClientError> {
        let inner = credential_data(license_id, password, session_code, identifiers, now)?;
        self.seal("OpenSession", &inner)
    }

    /// A CheckoutSession request for `hours` (§3.10), encrypted and signed, usable
    /// offline (§7.2): borrow the seat before leaving the network.
    pub fn checkout_request(
        &self,
        session_id: &str,
        license_id: i32,
        hours: u32,
        session_code: &str,
        now: OffsetDateTime,
    ) -> Result<String, ClientError> {
        let mut w = XmlWriter::fragment();
        w.start("PrivateData", &[])
            .element("ClientTimestamp", &timestamp(now)?)
            .element("SessionID", session_id)
            .element("LicenseID", &license_id.to_string())
            .element("CheckoutHours", &hours.to_string())
            .element("SessionCode", session_code)
            .end("PrivateData");
        self.seal("CheckoutSession", &w.finish())
    }

    /// A CheckinSession request (§3.10), encrypted and signed, usable offline (§7.2):
    /// give a borrowed seat back.
    pub fn checkin_request(
        &self,
        session_id: &str,
        license_id: i32,
        session_code: &str,
        now: OffsetDateTime,
    ) -> Result<String, ClientError> {
        let mut w = XmlWriter::fragment();
        w.start("PrivateData", &[])
            .element("ClientTimestamp", &timestamp(now)?)
            .element("SessionID", session_id)
            .element("LicenseID", &license_id.to_string())
            .element("SessionCode", session_code)
            .end("PrivateData");
        self.seal("CheckinSession", &w.finish())
    }

    fn seal(&self, method: &str, private_data: &str) -> Result<String, ClientError> {
        self.keys
            .seal_request(method, private_data, true, true)
            .map_err(|e| ClientError::Build(e.to_string()))
    }

    /// Imports an ActivateInstallationLicenseFile answer: verifies and decrypts it,
    /// requires ResultCode 0 and the request's `session_code`, opens the license file,
    /// and requires an UpdateCounter above every one seen for the license. Only then is
    /// the counter remembered.
    pub fn import_activation(
        &mut self,
        answer: &str,
        session_code: &str,
    ) -> Result<LicenseFile, ClientError> {
        let private_data = self.open_answer(answer, session_code)?;
        let answer_counter: i64 = number(&private_data, "UpdateCounter")?;
        let license_xml = self.keys.open(answer).map(|o| o.private_data_xml)?;
        let software_key = extract_element(&license_xml, "SoftwareKey")?;
        let license = self.read_license_file(software_key)?;
        if license.update_counter != answer_counter {
            return Err(ClientError::Malformed(
                "UpdateCounter of answer and file differ",
            ));
        }
        self.advance(license.license_id, license.update_counter)?;
        Ok(license)
    }

    /// Imports a GetLicenseFile answer (§3.6) with the checks of
    /// [`Plus5Client::import_activation`]: the refreshed file must carry a higher
    /// UpdateCounter than any file or answer accepted before (§7.3).
    pub fn import_refresh(
        &mut self,
        answer: &str,
        session_code: &str,
    ) -> Result<LicenseFile, ClientError> {
        self.import_activation(answer, session_code)
    }

    /// Imports a DeactivateInstallation answer for `license_id` (the receipt of an
    /// offline deactivation), with the same checks as [`Plus5Client::import_activation`].
    pub fn import_deactivation(
        &mut self,
        answer: &str,
        session_code: &str,
        license_id: i32,
    ) -> Result<DeactivationReceipt, ClientError> {
        let private_data = self.open_answer(answer, session_code)?;
        let receipt = DeactivationReceipt {
            deactivated_date: text(&private_data, "DeactivatedDate")?.to_owned(),
            activations_left: number(&private_data, "ActivationsLeft")?,
            update_counter: number(&private_data, "UpdateCounter")?,
        };
        self.advance(license_id, receipt.update_counter)?;
        Ok(receipt)
    }

    /// Imports an OpenSession, CheckoutSession or CheckinSession answer: the frame
    /// checks of [`Plus5Client::import_activation`], then the `NetworkSession`
    /// certificate must verify on its own (E-10) and carry the answer's UpdateCounter,
    /// which must be above every one seen for the license (§7.3).
    pub fn import_session(
        &mut self,
        answer: &str,
        session_code: &str,
    ) -> Result<SessionCertificate, ClientError> {
        let private_data = self.open_answer(answer, session_code)?;
        let answer_counter: i64 = number(&private_data, "UpdateCounter")?;
        let opened = self.keys.open(answer)?;
        let certificate = extract_element(&opened.private_data_xml, "NetworkSession")?;
        self.keys.verify_signed(certificate)?;
        let root = parse(certificate)?;
        let session = SessionCertificate {
            certificate: certificate.to_owned(),
            session_id: text(&root, "SessionID")?.to_owned(),
            license_id: number(&root, "LicenseID")?,
            checked_out: text(&root, "CheckedOut")? == "true",
            allocated_until: text(&root, "AllocatedUntilDate")?.to_owned(),
            update_counter: number(&root, "UpdateCounter")?,
        };
        if session.update_counter != answer_counter {
            return Err(ClientError::Malformed(
                "UpdateCounter of answer and certificate differ",
            ));
        }
        self.advance(session.license_id, session.update_counter)?;
        Ok(session)
    }

    /// Verifies and decrypts a saved license file (`SoftwareKey` document), without
    /// touching the UpdateCounter book.
    pub fn read_license_file(&self, software_key: &str) -> Result<LicenseFile, ClientError> {
        let opened = self.keys.open(software_key)?;
        if !opened.signed || !opened.encrypted {
            return Err(ClientError::Unsigned);
        }
        let root = parse(&opened.private_data_xml)?;
        let license = child(&root, "License")?;
        let product = child(license, "Product")?;
        let option = child(license, "ProductOption")?;
        Ok(LicenseFile {
            file: software_key.to_owned(),
            license_id: number(license, "LicenseID")?,
            installation_id: text(license, "InstallationID")?.to_owned(),
            trigger_code: number(license, "TriggerCode")?,
            update_counter: number(license, "UpdateCounter")?,
            effective_end_date: text(license, "EffectiveEndDate").ok().map(str::to_owned),
            product_id: number(product, "ProductID")?,
            product_option_id: number(option, "ProductOptionID")?,
        })
    }

    /// Opens an answer and runs the frame checks: signed, ResultCode 0, SessionCode.
    fn open_answer(&self, answer: &str, session_code: &str) -> Result<Element, ClientError> {
        let opened = self.keys.open(answer)?;
        if !opened.signed {
            return Err(ClientError::Unsigned);
        }
        let private_data = parse(&opened.private_data_xml)?;
        let code: i32 = number(&private_data, "ResultCode")?;
        if code != 0 {
            return Err(ClientError::Refused {
                code,
                message: text(&private_data, "ErrorMessage")
                    .unwrap_or_default()
                    .to_owned(),
            });
        }
        if text(&private_data, "SessionCode")? != session_code {
            return Err(ClientError::SessionMismatch);
        }
        Ok(private_data)
    }

    /// Remembers `counter` for `license_id` if it is above the highest seen (§7.3).
    fn advance(&mut self, license_id: i32, counter: i64) -> Result<(), ClientError> {
        let highest = self.highest.entry(license_id).or_insert(i64::MIN);
        if counter <= *highest {
            return Err(ClientError::Rollback {
                got: counter,
                highest: *highest,
            });
        }
        *highest = counter;
        Ok(())
    }
}

/// The PrivateData of a call that presents the license's credentials
/// (ActivateInstallationLicenseFile §3.2, OpenSession §3.10).
fn credential_data(
    license_id: i32,
    password: &str,
    session_code: &str,
    identifiers: &[Identifier],
    now: OffsetDateTime,
) -> Result<String, ClientError> {
    let mut w = XmlWriter::fragment();
    w.start("PrivateData", &[])
        .element("ClientTimestamp", &timestamp(now)?)
        .element("LicenseID", &license_id.to_string())
        .element("Password", password)
        .element("SessionCode", session_code);
    write_identifiers(&mut w, identifiers);
    w.end("PrivateData");
    Ok(w.finish())
}

fn write_identifiers(w: &mut XmlWriter, identifiers: &[Identifier]) {
    w.start("SystemIdentifiers", &[]);
    for id in identifiers {
        let kind = id.kind.to_string();
        w.empty(
            "SystemIdentifier",
            &[("name", &id.name), ("type", &kind), ("value", &id.value)],
        );
    }
    w.end("SystemIdentifiers");
}

fn timestamp(now: OffsetDateTime) -> Result<String, ClientError> {
    now.replace_nanosecond(0)
        .map_err(|e| ClientError::Build(e.to_string()))?
        .format(&Rfc3339)
        .map_err(|e| ClientError::Build(e.to_string()))
}

fn parse(xml_text: &str) -> Result<Element, ClientError> {
    xml::parse(xml_text.as_bytes(), &Limits::default())
        .map_err(|_| ClientError::Malformed("not well-formed XML"))
}

fn child<'a>(e: &'a Element, name: &'static str) -> Result<&'a Element, ClientError> {
    e.children_named(name)
        .next()
        .ok_or(ClientError::Malformed(name))
}

fn text<'a>(e: &'a Element, name: &'static str) -> Result<&'a str, ClientError> {
    child(e, name).map(|c| c.text.as_str())
}

fn number<T: std::str::FromStr>(e: &Element, name: &'static str) -> Result<T, ClientError> {
    text(e, name)?
        .parse()
        .map_err(|_| ClientError::Malformed(name))
}
