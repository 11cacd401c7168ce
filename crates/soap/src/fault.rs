//! Envelope-level failures (wire.md §2.6): SOAP 1.1/1.2 faults and their HTTP POST
//! `text/plain` form. A fault never carries a ResultCode.

use crate::xml::XmlError;

/// The detail codes of wire.md §2.6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultCode {
    /// Envelope namespace unknown or contradicting the Content-Type.
    VersionMismatch,
    /// A header with `mustUnderstand` true.
    MustUnderstand,
    /// An internal error before a ResultCode could be framed.
    Internal,
    /// Not well-formed.
    MalformedXml,
    /// A DOCTYPE.
    DtdForbidden,
    /// A processing instruction.
    PiForbidden,
    /// A non-predefined entity reference.
    EntityForbidden,
    /// Nested too deeply.
    TooDeep,
    /// Too many elements.
    TooManyElements,
    /// Not UTF-8.
    UnsupportedEncoding,
    /// The body's operation is not one of the service.
    UnknownOperation,
    /// SOAPAction / `action` names another operation.
    SoapActionMismatch,
    /// No `xml` parameter and not exactly one parameter.
    MissingParameter,
    /// A typed parameter does not parse as its type (wire.md §2.4).
    InvalidParameter,
}

/// Who is to blame, which picks the SOAP code and the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Version,
    Understand,
    Receiver,
    Sender,
}

impl FaultCode {
    /// The detail code as spelled on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Self::VersionMismatch => "VersionMismatch",
            Self::MustUnderstand => "MustUnderstand",
            Self::Internal => "Internal",
            Self::MalformedXml => "MalformedXml",
            Self::DtdForbidden => "DtdForbidden",
            Self::PiForbidden => "PiForbidden",
            Self::EntityForbidden => "EntityForbidden",
            Self::TooDeep => "TooDeep",
            Self::TooManyElements => "TooManyElements",
            Self::UnsupportedEncoding => "UnsupportedEncoding",
            Self::UnknownOperation => "UnknownOperation",
            Self::SoapActionMismatch => "SoapActionMismatch",
            Self::MissingParameter => "MissingParameter",
            Self::InvalidParameter => "InvalidParameter",
        }
    }

    /// The fixed English text after `{code}: `.
    pub fn text(self) -> &'static str {
        match self {
            Self::VersionMismatch => {
                "the envelope version is not supported or contradicts the Content-Type"
            }
            Self::MustUnderstand => "a mandatory header is not understood",
            Self::Internal => "internal error; nothing was changed",
            Self::MalformedXml => "the request is not well-formed XML",
            Self::DtdForbidden => "DOCTYPE declarations are not allowed",
            Self::PiForbidden => "processing instructions are not allowed",
            Self::EntityForbidden => "entity references are not allowed",
            Self::TooDeep => "the document is nested too deeply",
            Self::TooManyElements => "the document has too many elements",
            Self::UnsupportedEncoding => "the request is not UTF-8",
            Self::UnknownOperation => "the operation is not offered by this service",
            Self::SoapActionMismatch => "the SOAP action does not match the operation",
            Self::MissingParameter => "a required parameter is missing",
            Self::InvalidParameter => "a parameter does not parse as its type",
        }
    }

    fn class(self) -> Class {
        match self {
            Self::VersionMismatch => Class::Version,
            Self::MustUnderstand => Class::Understand,
            Self::Internal => Class::Receiver,
            Self::MalformedXml
            | Self::DtdForbidden
            | Self::PiForbidden
            | Self::EntityForbidden
            | Self::TooDeep
            | Self::TooManyElements
            | Self::UnsupportedEncoding
            | Self::UnknownOperation
            | Self::SoapActionMismatch
            | Self::MissingParameter
            | Self::InvalidParameter => Class::Sender,
        }
    }

    /// `{code}: {text}`: the faultstring, the 1.2 Reason and the POST body.
    pub fn message(self) -> String {
        format!("{}: {}", self.name(), self.text())
    }

    /// HTTP status under SOAP 1.1 (500 for every fault).
    pub fn soap11_status(self) -> u16 {
        500
    }

    /// HTTP status under SOAP 1.2 (400 for sender faults, else 500).
    pub fn soap12_status(self) -> u16 {
        if self.class() == Class::Sender {
            400
        } else {
            500
        }
    }

    /// HTTP status of the POST `text/plain` answer (500 for Internal, else 400).
    pub fn post_status(self) -> u16 {
        if self.class() == Class::Receiver {
            500
        } else {
            400
        }
    }

    /// The SOAP 1.1 `faultcode` (with the `soap` prefix).
    pub fn soap11_code(self) -> &'static str {
        match self.class() {
            Class::Version => "soap:VersionMismatch",
            Class::Understand => "soap:MustUnderstand",
            Class::Receiver => "soap:Server",
            Class::Sender => "soap:Client",
        }
    }

    /// The SOAP 1.2 `Code/Value` (with the `env` prefix bound to the 1.2 namespace).
    pub fn soap12_code(self) -> &'static str {
        match self.class() {
            Class::Version => "env:VersionMismatch",
            Class::Understand => "env:MustUnderstand",
            Class::Receiver => "env:Receiver",
            Class::Sender => "env:Sender",
        }
    }
}

impl From<XmlError> for FaultCode {
    fn from(error: XmlError) -> Self {
        match error {
            XmlError::Malformed(_) => Self::MalformedXml,
            XmlError::Dtd => Self::DtdForbidden,
            XmlError::ProcessingInstruction => Self::PiForbidden,
            XmlError::Entity => Self::EntityForbidden,
            XmlError::TooDeep => Self::TooDeep,
            XmlError::TooManyElements => Self::TooManyElements,
            XmlError::Encoding => Self::UnsupportedEncoding,
        }
    }
}
