//! XmlActivationService, XmlNetworkFloatingService and XmlLicenseFileService
//! operations, one file each
//! (style.md, mini-redis `cmd/`); the four calls on an open floating session share
//! `session_call`.
//!
//! Each file parses its inner document's `PrivateData` fields into core request types
//! (`parse`), calls the [`ActivationService`] (`apply`) and writes its outputs in the
//! order of wire.md §3. The frame around them (ResultCode, ErrorMessage,
//! ServerTimestamp, SessionCode, UpdateCounter, protection) is [`crate::frame`]'s.

mod activate_installation;
mod activate_installation_license_file;
mod certificate;
mod check_installation_status;
mod deactivate_installation;
mod decrement_license_counter;
mod get_license_file;
mod open_session;
mod session_call;

pub(crate) use activate_installation::ActivateInstallation;
pub(crate) use activate_installation_license_file::ActivateInstallationLicenseFile;
pub(crate) use check_installation_status::CheckInstallationStatus;
pub(crate) use deactivate_installation::DeactivateInstallation;
pub(crate) use decrement_license_counter::DecrementLicenseCounter;
pub(crate) use get_license_file::GetLicenseFile;
pub(crate) use open_session::OpenSession;
pub(crate) use session_call::{SessionCall, SessionMethod};

pub(crate) use crate::license_service::UpdateUserDefinedFields;

use time::OffsetDateTime;
use unlockd_core::{InstallationId, LicenseId, Refusal};

use crate::crypto::KeySet;
use crate::error::{InputError, OpError, Refused};
use crate::fields::Fields;
use crate::service::{ClientService, RequestContext, ServiceError};

/// The `.asmx` services this façade serves (wire.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// XmlActivationService (§3.1-3.5).
    Activation,
    /// XmlNetworkFloatingService (§3.10).
    NetworkFloating,
    /// XmlLicenseFileService (§3.6).
    LicenseFile,
    /// activationserver.asmx, typed (§3.9); served by [`crate::legacy`].
    LegacyActivation,
    /// XmlLicenseService (§3.7), back office; served by [`crate::license_service`].
    License,
    /// XmlCustomerService (§3.8); served by [`crate::customer_service`].
    Customer,
    /// licenseserver.asmx, typed (§3.8); served by [`crate::legacy`].
    LicenseServer,
}

impl Service {
    /// The service name (`XmlActivationService`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::Activation => "XmlActivationService",
            Self::NetworkFloating => "XmlNetworkFloatingService",
            Self::LicenseFile => "XmlLicenseFileService",
            Self::LegacyActivation => "activationserver",
            Self::License => "XmlLicenseService",
            Self::Customer => "XmlCustomerService",
            Self::LicenseServer => "licenseserver",
        }
    }

    /// Its operations, in WSDL order.
    pub fn operations(self) -> &'static [Operation] {
        match self {
            Self::Activation => &Operation::KNOWN[..5],
            Self::NetworkFloating => &Operation::KNOWN[5..10],
            Self::LicenseFile => &Operation::KNOWN[10..11],
            Self::LegacyActivation => &Operation::KNOWN[11..12],
            Self::Customer => &Operation::KNOWN[12..20],
            Self::LicenseServer => &Operation::KNOWN[20..21],
            Self::License => &Operation::KNOWN[21..],
        }
    }

    /// The operation of this service named exactly `name` (SOAP body element names are
    /// case-sensitive); `Unknown` otherwise, also for another service's operation.
    pub fn operation(self, name: &str) -> Operation {
        self.operations()
            .iter()
            .copied()
            .find(|op| op.name() == name)
            .unwrap_or(Operation::Unknown)
    }

    /// The operation of an HTTP POST path segment (ASCII case-insensitive, wire.md §1).
    pub fn operation_of_segment(self, segment: &str) -> Operation {
        self.operations()
            .iter()
            .copied()
            .find(|op| op.name().eq_ignore_ascii_case(segment))
            .unwrap_or(Operation::Unknown)
    }
}

/// The operations of XmlActivationService (wire.md §3.1-3.5),
/// XmlNetworkFloatingService (§3.10), XmlLicenseFileService (§3.6), activationserver
/// (§3.9) and XmlLicenseService (§3.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// §3.1, PP4 trigger codes.
    ActivateInstallation,
    /// §3.2, PLUS 5 license file.
    ActivateInstallationLicenseFile,
    /// §3.3.
    CheckInstallationStatus,
    /// §3.4.
    DeactivateInstallation,
    /// §3.5.
    DecrementLicenseCounter,
    /// §3.10 FLT-4.
    OpenSession,
    /// §3.10 FLT-5.
    PollSession,
    /// §3.10 FLT-6.
    CloseSession,
    /// §3.10 FLT-6.
    CheckoutSession,
    /// §3.10 FLT-6.
    CheckinSession,
    /// §3.6, CHK-1 (XmlLicenseFileService).
    GetLicenseFile,
    /// §3.9, typed (activationserver.asmx).
    ActivateLicense,
    /// §3.8 GetCustomerDataByAuthor (XmlDocument form).
    GetCustomerDataByAuthor,
    /// §3.8 GetCustomerDataByAuthorS.
    GetCustomerDataByAuthorS,
    /// §3.8 CustomerSearch (XmlDocument form).
    CustomerSearch,
    /// §3.8 CustomerSearchS.
    CustomerSearchS,
    /// §3.8 CustomerAdd (XmlDocument form).
    CustomerAdd,
    /// §3.8 CustomerAddS.
    CustomerAddS,
    /// §3.8 CustomerUpdate (XmlDocument form).
    CustomerUpdate,
    /// §3.8 CustomerUpdateS.
    CustomerUpdateS,
    /// §3.8, typed (licenseserver.asmx).
    AddLicenseAndUnregisteredCustomer,
    /// §3.7 Add (XmlDocument form).
    Add,
    /// §3.7 AddS (string form).
    AddS,
    /// §3.7 GetLicenseCustomData (XmlDocument form).
    GetLicenseCustomData,
    /// §3.7 GetLicenseCustomDataS.
    GetLicenseCustomDataS,
    /// §3.7 UpdateLicenseCustomData (XmlDocument form).
    UpdateLicenseCustomData,
    /// §3.7 UpdateLicenseCustomDataS.
    UpdateLicenseCustomDataS,
    /// §3.7 InfoCheck (XmlDocument form).
    InfoCheck,
    /// §3.7 InfoCheckS.
    InfoCheckS,
    /// §3.7 AddMultiple (XmlDocument form).
    AddMultiple,
    /// §3.7 AddMultipleS.
    AddMultipleS,
    /// §3.7 UpdateActivationFields (XmlDocument form).
    UpdateActivationFields,
    /// §3.7 UpdateActivationFieldsS.
    UpdateActivationFieldsS,
    /// §3.7 UpdateUserDefinedFields: client frame (§2.5), no S form (errata E-15).
    UpdateUserDefinedFields,
    /// §3.7 UpdateCheck (XmlDocument form).
    UpdateCheck,
    /// §3.7 UpdateCheckS.
    UpdateCheckS,
    /// Anything else (UnknownOperation fault, or 404 over HTTP POST).
    Unknown,
}

impl Operation {
    /// Every known operation.
    pub const KNOWN: [Operation; 36] = [
        Self::ActivateInstallation,
        Self::ActivateInstallationLicenseFile,
        Self::CheckInstallationStatus,
        Self::DeactivateInstallation,
        Self::DecrementLicenseCounter,
        Self::OpenSession,
        Self::PollSession,
        Self::CloseSession,
        Self::CheckoutSession,
        Self::CheckinSession,
        Self::GetLicenseFile,
        Self::ActivateLicense,
        Self::GetCustomerDataByAuthor,
        Self::GetCustomerDataByAuthorS,
        Self::CustomerSearch,
        Self::CustomerSearchS,
        Self::CustomerAdd,
        Self::CustomerAddS,
        Self::CustomerUpdate,
        Self::CustomerUpdateS,
        Self::AddLicenseAndUnregisteredCustomer,
        Self::Add,
        Self::AddS,
        Self::GetLicenseCustomData,
        Self::GetLicenseCustomDataS,
        Self::UpdateLicenseCustomData,
        Self::UpdateLicenseCustomDataS,
        Self::InfoCheck,
        Self::InfoCheckS,
        Self::AddMultiple,
        Self::AddMultipleS,
        Self::UpdateActivationFields,
        Self::UpdateActivationFieldsS,
        Self::UpdateUserDefinedFields,
        Self::UpdateCheck,
        Self::UpdateCheckS,
    ];

    /// The method name (`Unknown` for the unknown operation).
    pub fn name(self) -> &'static str {
        match self {
            Self::ActivateInstallation => "ActivateInstallation",
            Self::ActivateInstallationLicenseFile => "ActivateInstallationLicenseFile",
            Self::CheckInstallationStatus => "CheckInstallationStatus",
            Self::DeactivateInstallation => "DeactivateInstallation",
            Self::DecrementLicenseCounter => "DecrementLicenseCounter",
            Self::OpenSession => "OpenSession",
            Self::PollSession => "PollSession",
            Self::CloseSession => "CloseSession",
            Self::CheckoutSession => "CheckoutSession",
            Self::CheckinSession => "CheckinSession",
            Self::GetLicenseFile => "GetLicenseFile",
            Self::ActivateLicense => "ActivateLicense",
            Self::GetCustomerDataByAuthor => "GetCustomerDataByAuthor",
            Self::GetCustomerDataByAuthorS => "GetCustomerDataByAuthorS",
            Self::CustomerSearch => "CustomerSearch",
            Self::CustomerSearchS => "CustomerSearchS",
            Self::CustomerAdd => "CustomerAdd",
            Self::CustomerAddS => "CustomerAddS",
            Self::CustomerUpdate => "CustomerUpdate",
            Self::CustomerUpdateS => "CustomerUpdateS",
            Self::AddLicenseAndUnregisteredCustomer => "AddLicenseAndUnregisteredCustomer",
            Self::Add => "Add",
            Self::AddS => "AddS",
            Self::GetLicenseCustomData => "GetLicenseCustomData",
            Self::GetLicenseCustomDataS => "GetLicenseCustomDataS",
            Self::UpdateLicenseCustomData => "UpdateLicenseCustomData",
            Self::UpdateLicenseCustomDataS => "UpdateLicenseCustomDataS",
            Self::InfoCheck => "InfoCheck",
            Self::InfoCheckS => "InfoCheckS",
            Self::AddMultiple => "AddMultiple",
            Self::AddMultipleS => "AddMultipleS",
            Self::UpdateActivationFields => "UpdateActivationFields",
            Self::UpdateActivationFieldsS => "UpdateActivationFieldsS",
            Self::UpdateUserDefinedFields => "UpdateUserDefinedFields",
            Self::UpdateCheck => "UpdateCheck",
            Self::UpdateCheckS => "UpdateCheckS",
            Self::Unknown => "Unknown",
        }
    }

    /// Whether ManualRequest.aspx / `offline respond` may run it (wire.md §7.2).
    pub fn allowed_offline(self) -> bool {
        matches!(
            self,
            Self::ActivateInstallationLicenseFile
                | Self::GetLicenseFile
                | Self::DeactivateInstallation
                | Self::OpenSession
                | Self::CheckoutSession
                | Self::CheckinSession
        )
    }
}

/// What an operation gets besides its fields.
pub(crate) struct OpContext<'a> {
    /// Who asks, with the EncryptionKeyID.
    pub request: RequestContext,
    /// The key set of the request's EncryptionKeyID.
    pub keys: &'a KeySet,
    /// `ClientTimestamp`, if sent (CLK-1).
    pub client_time: Option<OffsetDateTime>,
}

/// A successful operation's outputs.
#[derive(Debug, Default)]
pub(crate) struct Reply {
    /// `UpdateCounter` of the frame, when the operation reports one.
    pub update_counter: Option<i64>,
    /// The method outputs, serialised in §3 order.
    pub outputs: String,
}

/// A failed operation, with the outputs §3 still requires on some refusals.
#[derive(Debug)]
pub(crate) struct Failed {
    /// Why.
    pub error: OpError,
    /// Outputs to include anyway (empty for most codes).
    pub outputs: String,
}

impl From<OpError> for Failed {
    fn from(error: OpError) -> Self {
        Self {
            error,
            outputs: String::new(),
        }
    }
}

impl From<Refused> for Failed {
    fn from(refused: Refused) -> Self {
        OpError::Refused(refused).into()
    }
}

impl From<InputError> for Failed {
    fn from(error: InputError) -> Self {
        OpError::Input(error).into()
    }
}

impl From<ServiceError> for Failed {
    fn from(error: ServiceError) -> Self {
        OpError::from(error).into()
    }
}

impl From<Refusal> for Failed {
    fn from(refusal: Refusal) -> Self {
        OpError::from(refusal).into()
    }
}

/// A parsed request of one of the operations.
pub(crate) enum Request {
    /// §3.1.
    ActivateInstallation(ActivateInstallation),
    /// §3.2.
    ActivateInstallationLicenseFile(ActivateInstallationLicenseFile),
    /// §3.3.
    CheckInstallationStatus(CheckInstallationStatus),
    /// §3.4.
    DeactivateInstallation(DeactivateInstallation),
    /// §3.5.
    DecrementLicenseCounter(DecrementLicenseCounter),
    /// §3.10 OpenSession.
    OpenSession(OpenSession),
    /// §3.10 PollSession, CloseSession, CheckoutSession, CheckinSession.
    Session(SessionCall),
    /// §3.7 UpdateUserDefinedFields (XmlLicenseService, client frame); boxed, its
    /// fifteen optional fields make it the largest request.
    UpdateUserDefinedFields(Box<UpdateUserDefinedFields>),
    /// §3.6.
    GetLicenseFile(GetLicenseFile),
}

impl Request {
    /// Parses `fields` (the PrivateData children) for `op`; `None` for `Unknown`.
    pub fn parse(op: Operation, fields: &Fields<'_>) -> Option<Result<Self, InputError>> {
        Some(match op {
            Operation::ActivateInstallation => {
                ActivateInstallation::parse(fields).map(Self::ActivateInstallation)
            }
            Operation::ActivateInstallationLicenseFile => {
                ActivateInstallationLicenseFile::parse(fields)
                    .map(Self::ActivateInstallationLicenseFile)
            }
            Operation::CheckInstallationStatus => {
                CheckInstallationStatus::parse(fields).map(Self::CheckInstallationStatus)
            }
            Operation::DeactivateInstallation => {
                DeactivateInstallation::parse(fields).map(Self::DeactivateInstallation)
            }
            Operation::DecrementLicenseCounter => {
                DecrementLicenseCounter::parse(fields).map(Self::DecrementLicenseCounter)
            }
            Operation::OpenSession => OpenSession::parse(fields).map(Self::OpenSession),
            Operation::PollSession => session(SessionMethod::Poll, fields),
            Operation::CloseSession => session(SessionMethod::Close, fields),
            Operation::CheckoutSession => session(SessionMethod::Checkout, fields),
            Operation::CheckinSession => session(SessionMethod::Checkin, fields),
            Operation::UpdateUserDefinedFields => UpdateUserDefinedFields::parse(fields)
                .map(|r| Self::UpdateUserDefinedFields(Box::new(r))),
            Operation::GetLicenseFile => GetLicenseFile::parse(fields).map(Self::GetLicenseFile),
            Operation::ActivateLicense
            | Operation::GetCustomerDataByAuthor
            | Operation::GetCustomerDataByAuthorS
            | Operation::CustomerSearch
            | Operation::CustomerSearchS
            | Operation::CustomerAdd
            | Operation::CustomerAddS
            | Operation::CustomerUpdate
            | Operation::CustomerUpdateS
            | Operation::AddLicenseAndUnregisteredCustomer
            | Operation::Add
            | Operation::AddS
            | Operation::GetLicenseCustomData
            | Operation::GetLicenseCustomDataS
            | Operation::UpdateLicenseCustomData
            | Operation::UpdateLicenseCustomDataS
            | Operation::InfoCheck
            | Operation::InfoCheckS
            | Operation::AddMultiple
            | Operation::AddMultipleS
            | Operation::UpdateActivationFields
            | Operation::UpdateActivationFieldsS
            | Operation::UpdateCheck
            | Operation::UpdateCheckS
            | Operation::Unknown => return None,
        })
    }

    /// The license the request names, for the log span and the attempt history.
    pub fn license_id(&self) -> Option<LicenseId> {
        match self {
            Self::ActivateInstallation(r) => Some(r.license_id()),
            Self::ActivateInstallationLicenseFile(r) => Some(r.license_id()),
            Self::DecrementLicenseCounter(r) => Some(r.license_id()),
            Self::OpenSession(r) => Some(r.license_id()),
            Self::Session(r) => r.license_id(),
            Self::UpdateUserDefinedFields(r) => Some(r.license_id()),
            Self::GetLicenseFile(r) => r.license_id(),
            Self::CheckInstallationStatus(_) | Self::DeactivateInstallation(_) => None,
        }
    }

    /// The installation the request names, for the attempt history.
    pub fn installation_id(&self) -> Option<InstallationId> {
        match self {
            Self::ActivateInstallation(r) => r.installation_id(),
            Self::ActivateInstallationLicenseFile(r) => r.installation_id(),
            Self::CheckInstallationStatus(r) => Some(r.installation_id()),
            Self::DeactivateInstallation(r) => Some(r.installation_id()),
            Self::GetLicenseFile(r) => Some(r.installation_id()),
            Self::DecrementLicenseCounter(r) => r.installation_id(),
            Self::OpenSession(_) | Self::Session(_) | Self::UpdateUserDefinedFields(_) => None,
        }
    }

    /// What an offline request is about, for its one-use claim (wire.md §7.3):
    /// `L{LicenseID}` for calls on a license, `I{InstallationID}` for calls on an
    /// installation, `S{SessionID}` for calls on a floating session.
    pub fn offline_subject(&self) -> String {
        let license = |id: LicenseId| format!("L{id}");
        let installation = |id: InstallationId| format!("I{id}");
        match self {
            Self::ActivateInstallation(r) => license(r.license_id()),
            Self::ActivateInstallationLicenseFile(r) => license(r.license_id()),
            Self::DecrementLicenseCounter(r) => license(r.license_id()),
            Self::OpenSession(r) => license(r.license_id()),
            Self::UpdateUserDefinedFields(r) => license(r.license_id()),
            Self::CheckInstallationStatus(r) => installation(r.installation_id()),
            Self::DeactivateInstallation(r) => installation(r.installation_id()),
            Self::GetLicenseFile(r) => installation(r.installation_id()),
            Self::Session(r) => format!("S{}", r.session_id()),
        }
    }

    /// Runs the operation against the service.
    pub async fn apply<S: ClientService>(
        self,
        svc: &S,
        ctx: OpContext<'_>,
    ) -> Result<Reply, Failed> {
        match self {
            Self::ActivateInstallation(r) => r.apply(svc, ctx).await,
            Self::ActivateInstallationLicenseFile(r) => r.apply(svc, ctx).await,
            Self::CheckInstallationStatus(r) => r.apply(svc, ctx).await,
            Self::DeactivateInstallation(r) => r.apply(svc, ctx).await,
            Self::DecrementLicenseCounter(r) => r.apply(svc, ctx).await,
            Self::OpenSession(r) => r.apply(svc, ctx).await,
            Self::Session(r) => r.apply(svc, ctx).await,
            Self::UpdateUserDefinedFields(r) => (*r).apply(svc, ctx).await,
            Self::GetLicenseFile(r) => r.apply(svc, ctx).await,
        }
    }
}

fn session(method: SessionMethod, fields: &Fields<'_>) -> Result<Request, InputError> {
    SessionCall::parse(method, fields).map(Request::Session)
}
