//! The service trait the SOAP façade calls. It speaks core types only; the server
//! implements it over the store on the blocking pool, unit tests over a fake.

use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;

use time::{Date, OffsetDateTime};
use unlockd_core::activation::{ActivationRequest, Grant};
pub use unlockd_core::bulk::BulkCount;
use unlockd_core::counter::{DecrementRequest, Decremented};
pub use unlockd_core::customer_record::{CustomerChanges, CustomerRecord};
use unlockd_core::deactivation::{Deactivated, DeactivationRequest};
use unlockd_core::floating::{OpenRequest, SessionGrant, SessionRequest};
pub use unlockd_core::history::Attempt;
pub use unlockd_core::invoice::{Balance, Money};
pub use unlockd_core::license_file::{CustomerInfo, LicenseFileData};
pub use unlockd_core::license_record::{
    ActivationFieldChanges, CustomData, CustomDataFormat, LicenseRecord, UserDefinedFields,
};
pub use unlockd_core::password::PasswordRules;
use unlockd_core::pp4_post::{ContactData, UsageCounters};
use unlockd_core::refresh::RefreshRequest;
use unlockd_core::status_check::{CheckRefused, CheckRequest, InstallationStatus};
pub use unlockd_core::udf::{UdfChanges, UdfRequest, UdfUpdated};
pub use unlockd_core::update_check::{UpdateCheckRequest, UpdateReport};
use unlockd_core::{
    AuthorId, CustomerId, EncryptionKeyId, LicenseId, LicenseStatus, OptionId, Password, ProductId,
    Refusal, Version,
};

use crate::crypto::KeySet;

/// Why a service call did not produce its answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ServiceError {
    /// A rules refusal (already decided, nothing committed).
    #[error("refused: {0}")]
    Refused(Refusal),
    /// The request's EncryptionKeyID does not belong to the license's author (5003).
    #[error("encryption key not valid for this license")]
    KeyNotForLicense,
    /// The offline request was already answered once (wire.md §7.3: 5029).
    #[error("offline request already used")]
    OfflineReused,
    /// A back-office refusal (wire.md §3: 5040-5044).
    #[error("back office: {0}")]
    BackOffice(BackOfficeRefusal),
    /// Something broke; nothing was committed (5099).
    #[error("internal error: {0}")]
    Internal(String),
}

/// Why a back-office call was refused (wire.md §3, §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BackOfficeRefusal {
    /// Unknown author or user, or wrong password (5040).
    #[error("bad credentials")]
    BadCredentials,
    /// Too many failed logins; try later (5044).
    #[error("login throttled")]
    Throttled,
    /// The user lacks the permission (5041).
    #[error("permission missing")]
    Denied,
    /// A referenced object is unknown or another author's (5042).
    #[error("unknown reference")]
    UnknownReference,
    /// The wanted License ID is taken (5043).
    #[error("license ID taken")]
    IdTaken,
}

impl From<Refusal> for ServiceError {
    fn from(r: Refusal) -> Self {
        Self::Refused(r)
    }
}

/// Who is asking, for logs, IP rules and the attempt history.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestContext {
    /// The client address after trusted-proxy resolution (wire.md §1).
    pub client_ip: Option<IpAddr>,
    /// The EncryptionKeyID the request named.
    pub key_id: EncryptionKeyId,
    /// The request ID of the log span.
    pub request_id: String,
    /// Set when the request came through ManualRequest.aspx or `unlockd offline
    /// respond`: the one-use claim the service takes in the answer's transaction.
    pub offline: Option<OfflineClaim>,
}

/// The one-use identity of an offline request (wire.md §7.3): a second answer to the
/// same claim is refused with 5029.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OfflineClaim {
    /// The EncryptionKeyID, or `offact` for PP4 activation files.
    pub key: String,
    /// `L{LicenseID}` or `I{InstallationID}`.
    pub subject: String,
    /// The SessionCode (PLUS 5) or User Code 1 (PP4).
    pub session_code: String,
}

/// Who asks on a PP4 manual path (activation file, ManualTriggerCodes.aspx), which
/// carries no EncryptionKeyID.
#[derive(Debug, Clone, PartialEq)]
pub struct ManualContext {
    /// The submitter's address (rules IP-3: offline uses the submitter's IP).
    pub client_ip: Option<IpAddr>,
    /// The request ID of the log span.
    pub request_id: String,
    /// The one-use claim of an activation file; `None` for ManualTriggerCodes.aspx.
    pub offline: Option<OfflineClaim>,
}

/// A successful activation as the façade needs it to build the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Activation {
    /// The committed (or ACT-7 replayed) grant.
    pub grant: Grant,
    /// Everything a PLUS 5 license file carries (license-file path only).
    pub license_file: Option<LicenseFileData>,
    /// The license's License Update text (§3.1 `LicenseUpdate`, required).
    pub license_update: String,
    /// The option's minimum version, if configured (§3.1 `MinimumVersion`).
    pub minimum_version: Option<Version>,
    /// The option's Minimum Activation URL, if configured (§3.1 `MinimumVersionURL`).
    pub minimum_version_url: Option<String>,
}

/// Everything XmlActivationService needs from the rest of unlockd.
pub trait ActivationService: Send + Sync + 'static {
    /// The server's current time, for `ServerTimestamp` and `SignatureDate`. Override
    /// it when the server runs on an injected clock.
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    /// The key set of an EncryptionKeyID; `None` if unknown or revoked (5003).
    fn key_set(
        &self,
        id: EncryptionKeyId,
    ) -> impl Future<Output = Result<Option<Arc<KeySet>>, ServiceError>> + Send;

    /// Activates (trigger-code or license-file path per `req.path`), claiming
    /// `ctx.offline` in the same transaction when set, committing the
    /// grant and its success history row durably before returning (CON-6). A refusal
    /// commits nothing; the façade then records it with [`ActivationService::record_attempt`].
    fn activate(
        &self,
        req: ActivationRequest,
        ctx: RequestContext,
    ) -> impl Future<Output = Result<Activation, ServiceError>> + Send;

    /// A trigger-code activation without EncryptionKeyID, for the PP4 manual paths
    /// (wire.md §7.4). The caller has already authorised it (OffAct Key MAC, or the
    /// author's ManualTriggerCodes switch); `ctx.offline` is claimed in the grant's
    /// transaction.
    fn activate_manual(
        &self,
        req: ActivationRequest,
        ctx: ManualContext,
    ) -> impl Future<Output = Result<Activation, ServiceError>> + Send;

    /// The OffAct Key of the license's option (rules OFF-1); `None` if the license is
    /// unknown or has none.
    fn offact_key(
        &self,
        license_id: LicenseId,
    ) -> impl Future<Output = Result<Option<String>, ServiceError>> + Send;

    /// Whether the license's author allows ManualTriggerCodes.aspx (wire.md §7.4);
    /// `None` if the license is unknown.
    fn manual_trigger_codes_allowed(
        &self,
        license_id: LicenseId,
    ) -> impl Future<Output = Result<Option<bool>, ServiceError>> + Send;

    /// CheckInstallationStatus (CHK-1); updates only last-seen.
    fn check_installation(
        &self,
        req: CheckRequest,
        ctx: RequestContext,
    ) -> impl Future<Output = Result<Result<InstallationStatus, CheckRefused>, ServiceError>> + Send;

    /// DeactivateInstallation (DEA-1), claiming `ctx.offline` in the same transaction
    /// when set (the offline deactivation of wire.md §7.2).
    fn deactivate(
        &self,
        req: DeactivationRequest,
        ctx: RequestContext,
    ) -> impl Future<Output = Result<Deactivated, ServiceError>> + Send;

    /// DecrementLicenseCounter (CNT-2); a repeated `transaction_id` on the same license
    /// within 24 h returns the stored answer and moves nothing.
    fn decrement_counter(
        &self,
        req: DecrementRequest,
        transaction_id: Option<String>,
        ctx: RequestContext,
    ) -> impl Future<Output = Result<Decremented, ServiceError>> + Send;

    /// UpdateUserDefinedFields (UDF-1): changes the named fields under the license
    /// lock; returns every field after the change and the new update counter.
    fn update_user_defined_fields(
        &self,
        req: UdfRequest,
        ctx: RequestContext,
    ) -> impl Future<Output = Result<UdfUpdated, ServiceError>> + Send;

    /// Writes one attempt-history row for a refused or faulted request. Must be
    /// durable before the answer is sent (errata E-3).
    fn record_attempt(
        &self,
        attempt: Attempt,
    ) -> impl Future<Output = Result<(), ServiceError>> + Send;
}

/// Everything XmlNetworkFloatingService needs besides the frame's
/// [`ActivationService`] calls (key sets, attempts, clock): rules FLT-1..6.
pub trait FloatingService: ActivationService {
    /// OpenSession (FLT-4): takes a seat in one transaction under the license lock
    /// (CON-8) and commits before returning. A refusal commits nothing.
    fn open_session(
        &self,
        req: OpenRequest,
        installation_name: Option<String>,
        ctx: RequestContext,
    ) -> impl Future<Output = Result<SessionGrant, ServiceError>> + Send;

    /// PollSession, CloseSession, CheckoutSession, CheckinSession (FLT-5, FLT-6).
    fn session_action(
        &self,
        req: SessionRequest,
        ctx: RequestContext,
    ) -> impl Future<Output = Result<SessionGrant, ServiceError>> + Send;
}

/// What XmlLicenseFileService needs besides the frame's [`ActivationService`] calls
/// (wire.md §3.6).
pub trait LicenseFileService: ActivationService {
    /// GetLicenseFile (CHK-1): the license file of an active installation, claiming
    /// `ctx.offline` in the same transaction when set; the license's UpdateCounter
    /// moves by one and is committed before returning (§7.3). A refusal commits
    /// nothing.
    fn refresh_license_file(
        &self,
        req: RefreshRequest,
        ctx: RequestContext,
    ) -> impl Future<Output = Result<LicenseFileData, ServiceError>> + Send;
}

/// Every client-facing service of the frame (wire.md §2.5): what the frame, the
/// offline paths and the router call.
pub trait ClientService: FloatingService + LicenseFileService {}

impl<S: FloatingService + LicenseFileService> ClientService for S {}

/// A granted legacy activation (activationserver.asmx ActivateLicense, getcode.asp).
#[derive(Debug, Clone, PartialEq)]
pub struct LegacyGrant {
    /// The committed (or ACT-7 replayed) grant; its codes are RegCode1/2.
    pub grant: Grant,
    /// The product's name (`Product`).
    pub product_name: String,
    /// The license's quantity (`Quantity`).
    pub quantity: i32,
    /// The License Update text.
    pub license_update: String,
}

/// A refused legacy activation: the error, and the license's status when the refusal
/// is E-STATUS (ActivateLicense answers 450 for Expired, else 500; wire.md §4.1).
#[derive(Debug, Clone)]
pub struct LegacyRefusal {
    /// Why.
    pub error: ServiceError,
    /// The license status behind an E-STATUS refusal.
    pub license_status: Option<LicenseStatus>,
}

/// What the legacy surfaces need (wire.md §3.9, §3.11): activations without an
/// EncryptionKeyID, on the same rules core and trigger-code algorithms.
pub trait LegacyService: ActivationService {
    /// Activates on the trigger-code path; a non-zero `serial` must equal the
    /// license's SerialNumber (errata E-21). Commits before returning (CON-6).
    fn activate_legacy(
        &self,
        req: ActivationRequest,
        serial: Option<i32>,
    ) -> impl Future<Output = Result<LegacyGrant, LegacyRefusal>> + Send;

    /// The PP4 status query (getlicensestatus.asp): status, Replaced By option (0 none)
    /// and License Update of a license whose credentials (and product, if given) match.
    fn license_status(
        &self,
        license_id: LicenseId,
        password: Password,
        product_id: Option<ProductId>,
    ) -> impl Future<Output = Result<LicenseStatusReport, ServiceError>> + Send;

    /// postregdata.asp (wire.md §3.11): with matching credentials (A2), writes the
    /// contact data to the license's customer and marks it registered (ACT-6), in one
    /// transaction under the license lock. A refusal commits nothing.
    fn register_customer(
        &self,
        license_id: LicenseId,
        password: Password,
        contact: ContactData,
    ) -> impl Future<Output = Result<(), ServiceError>> + Send;

    /// countpost.asp (wire.md §3.11): stores the five counters as the license's last
    /// usage counters (a password, when given, must match) and returns its License
    /// Update. A refusal commits nothing.
    fn post_usage_counters(
        &self,
        license_id: LicenseId,
        password: Option<Password>,
        counters: UsageCounters,
    ) -> impl Future<Output = Result<String, ServiceError>> + Send;
}

/// What getlicensestatus.asp reports (wire.md §3.11, §4.2, errata E-21).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseStatusReport {
    /// The status (its PP4 number goes on the wire).
    pub status: LicenseStatus,
    /// The replacing option's ID, 0 for none.
    pub replaced_by: i32,
    /// The License Update text.
    pub license_update: String,
}

/// The authentication triple every back-office document starts with (wire.md §3).
#[derive(Clone, PartialEq, Eq)]
pub struct ApiCredentials {
    /// `AuthorID`.
    pub author_id: AuthorId,
    /// `UserID` (string(64)).
    pub user_id: String,
    /// `UserPassword` (string(128)).
    pub password: String,
}

impl std::fmt::Debug for ApiCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiCredentials")
            .field("author_id", &self.author_id)
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

/// A back-office permission (wire.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Add Licenses [confirmed].
    AddLicenses,
    /// View Licenses [ours].
    ViewLicenses,
    /// Edit Licenses [ours].
    EditLicenses,
    /// Add Single Customer [confirmed].
    AddSingleCustomer,
    /// View Customers [ours].
    ViewCustomers,
    /// Edit Customers [ours].
    EditCustomers,
}

impl Permission {
    /// The name stored in the API user's permission list.
    pub fn name(self) -> &'static str {
        match self {
            Self::AddLicenses => "AddLicenses",
            Self::ViewLicenses => "ViewLicenses",
            Self::EditLicenses => "EditLicenses",
            Self::AddSingleCustomer => "AddSingleCustomer",
            Self::ViewCustomers => "ViewCustomers",
            Self::EditCustomers => "EditCustomers",
        }
    }
}

/// The fields of a `LicenseAdd` document (wire.md §3.7 Add) after parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseAdd {
    /// `CustomerID` (required).
    pub customer_id: CustomerId,
    /// `ProductOptionID` (required).
    pub option_id: OptionId,
    /// `Quantity` (default 1).
    pub quantity: i32,
    /// `LicenseID` wanted (taken: 5043).
    pub license_id: Option<LicenseId>,
    /// `ActivationPassword`; else generated per rules PWD-3.
    pub activation_password: Option<String>,
    /// `ExpirationDate` (a day, errata E-19); else EXP-1.
    pub expiration: Option<Date>,
    /// `Status` (default OK).
    pub status: LicenseStatus,
    /// `ActivationsLeft`; else copied from the option.
    pub activations_left: Option<i32>,
    /// `DeactivationsLeft`; else copied from the option.
    pub deactivations_left: Option<i32>,
    /// `LicenseCounter`; else CNT-1.
    pub license_counter: Option<i64>,
    /// `DistributorID`.
    pub distributor_id: Option<CustomerId>,
    /// `InvoiceNumber`.
    pub invoice_number: Option<String>,
    /// `Notes`.
    pub notes: String,
    /// `UserDefinedFields`.
    pub user_defined_fields: UserDefinedFields,
    /// `CustomData` (stored with format Text).
    pub custom_data: Option<String>,
}

/// The fields of a `LicenseAddMultiple` document (wire.md §3.7 AddMultiple, seed 000)
/// after parsing.
#[derive(Debug, Clone)]
pub struct LicenseAddMultiple {
    /// `ProductOptionID`.
    pub option_id: OptionId,
    /// `Count`, 1..=`bulk_max` (errata E-6).
    pub count: BulkCount,
    /// `UnitPrice` (≥ 0, 4 places).
    pub unit_price: Money,
    /// `CustomerID`: receives every license; absent: one new unregistered customer
    /// per license (BLK-1).
    pub customer_id: Option<CustomerId>,
    /// `InvoiceNumber` (INV-1).
    pub invoice_number: Option<String>,
    /// `PasswordPrefix`, `PasswordLength`, `NumericPassword`,
    /// `UsePasswordRulesForActivationPassword` (PWD-1..3, errata E-14).
    pub passwords: PasswordRules,
    /// `DistributorID` (DST-1).
    pub distributor_id: Option<CustomerId>,
    /// `LicenseNotes`.
    pub notes: String,
    /// `ListCustomerDetails`: list the new customers' passwords (BLK-4).
    pub list_customer_details: bool,
    /// `ReqSequential` (SEQ-2).
    pub sequential: bool,
    /// `CustomParameters/Parameter` (name, value).
    pub parameters: Vec<(String, String)>,
}

/// One created license of an AddMultiple (`Licenses/Item`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedLicense {
    /// `LicenseID`.
    pub license_id: LicenseId,
    /// `ActivationPassword`.
    pub activation_password: String,
    /// `CustomerID`.
    pub customer_id: CustomerId,
    /// `CustomerPassword`, only for a new customer when listed (BLK-4).
    pub customer_password: Option<String>,
}

/// What a committed AddMultiple created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedMultiple {
    /// INV-1 after the line was added, when an invoice was named.
    pub balance: Option<Balance>,
    /// The licenses in ID order (one gap-free block, SEQ-2).
    pub licenses: Vec<AddedLicense>,
}

/// What XmlLicenseService needs (wire.md §3.7). Every call after
/// [`BackOfficeService::authenticate`] is scoped to the authenticated author: another
/// author's objects answer [`BackOfficeRefusal::UnknownReference`] like unknown ones.
pub trait BackOfficeService: UpdateCheckService {
    /// Checks the triple against the author's API user (slow hash), counting failures
    /// and refusing throttled users, then the permission; returns the author.
    fn authenticate(
        &self,
        credentials: ApiCredentials,
        permission: Permission,
    ) -> impl Future<Output = Result<AuthorId, ServiceError>> + Send;

    /// Creates one license on an option of `author` in one transaction (Add).
    fn add_license(
        &self,
        author: AuthorId,
        add: LicenseAdd,
    ) -> impl Future<Output = Result<LicenseRecord, ServiceError>> + Send;

    /// Creates `add.count` licenses on an option of `author` as one all-or-nothing
    /// batch with one gap-free ID block (AddMultiple; BLK-1..3, SEQ-2, INV-1).
    fn add_multiple(
        &self,
        author: AuthorId,
        add: LicenseAddMultiple,
    ) -> impl Future<Output = Result<AddedMultiple, ServiceError>> + Send;

    /// Changes the activation fields of a license of `author` under the license lock
    /// (UpdateActivationFields; errata E-18 else [`Refusal::Transition`]).
    fn update_activation_fields(
        &self,
        author: AuthorId,
        license_id: LicenseId,
        changes: ActivationFieldChanges,
    ) -> impl Future<Output = Result<LicenseRecord, ServiceError>> + Send;

    /// A license seen by its own client (InfoCheck in client mode): the Activation
    /// or customer password (ACT-3, ERR-1), else [`Refusal::Credentials`].
    fn license_info_for_client(
        &self,
        license_id: LicenseId,
        password: Password,
    ) -> impl Future<Output = Result<LicenseRecord, ServiceError>> + Send;

    /// A license of `author` (InfoCheck in back-office mode).
    fn license_info(
        &self,
        author: AuthorId,
        license_id: LicenseId,
    ) -> impl Future<Output = Result<LicenseRecord, ServiceError>> + Send;

    /// The custom data of a license of `author` (GetLicenseCustomData).
    fn license_custom_data(
        &self,
        author: AuthorId,
        license_id: LicenseId,
    ) -> impl Future<Output = Result<CustomData, ServiceError>> + Send;

    /// Replaces the custom data of a license of `author` under the license lock
    /// (UpdateLicenseCustomData).
    fn update_license_custom_data(
        &self,
        author: AuthorId,
        license_id: LicenseId,
        custom: CustomData,
    ) -> impl Future<Output = Result<(), ServiceError>> + Send;
}

/// The parameters of licenseserver.asmx AddLicenseAndUnregisteredCustomer after
/// parsing (wire.md §3.8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnregisteredOrder {
    /// `prodOptionID`.
    pub option_id: OptionId,
    /// `distributorID`; 0 on the wire = none.
    pub distributor_id: Option<CustomerId>,
    /// `quantity` (1 when absent).
    pub quantity: i32,
    /// `licenseNotes`.
    pub notes: String,
}

/// What AddLicenseAndUnregisteredCustomer created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseWithCustomer {
    /// The new license (its CustomerID is the new customer).
    pub license: LicenseRecord,
    /// The new customer's password.
    pub customer_password: String,
}

/// What XmlCustomerService and licenseserver.asmx need (wire.md §3.8), after
/// [`BackOfficeService::authenticate`]: every call is scoped to the author, another
/// author's customer or option answers [`BackOfficeRefusal::UnknownReference`].
pub trait CustomerService: BackOfficeService {
    /// [`BackOfficeService::authenticate`] for a call that needs every one of
    /// `permissions` (one password check, one failure count).
    fn authenticate_all(
        &self,
        credentials: ApiCredentials,
        permissions: &'static [Permission],
    ) -> impl Future<Output = Result<AuthorId, ServiceError>> + Send;

    /// Customer `id` of `author` (GetCustomerDataByAuthor).
    fn customer(
        &self,
        author: AuthorId,
        id: CustomerId,
    ) -> impl Future<Output = Result<CustomerRecord, ServiceError>> + Send;

    /// The author's customers with this e-mail, exact but ignoring case, at most 100
    /// (CustomerSearch).
    fn search_customers(
        &self,
        author: AuthorId,
        email: String,
    ) -> impl Future<Output = Result<Vec<CustomerRecord>, ServiceError>> + Send;

    /// Creates a customer of `author` (CustomerAdd); absent fields are empty.
    fn add_customer(
        &self,
        author: AuthorId,
        customer: CustomerChanges,
    ) -> impl Future<Output = Result<CustomerRecord, ServiceError>> + Send;

    /// Changes customer `id` of `author`; absent fields stay (CustomerUpdate).
    fn update_customer(
        &self,
        author: AuthorId,
        id: CustomerId,
        changes: CustomerChanges,
    ) -> impl Future<Output = Result<CustomerRecord, ServiceError>> + Send;

    /// Creates an unregistered customer and one license for it in one transaction
    /// (AddLicenseAndUnregisteredCustomer); a refusal writes nothing.
    fn add_license_and_unregistered_customer(
        &self,
        author: AuthorId,
        order: UnregisteredOrder,
    ) -> impl Future<Output = Result<LicenseWithCustomer, ServiceError>> + Send;
}

/// The client version check of XmlLicenseService UpdateCheck(S) and updatecheck.asp
/// (wire.md §3.7, §3.11; rules in `unlockd_core::update_check`).
pub trait UpdateCheckService: ActivationService {
    /// Checks license `license_id` with the client's credentials; reads only.
    fn update_check(
        &self,
        license_id: LicenseId,
        req: UpdateCheckRequest,
    ) -> impl Future<Output = Result<UpdateReport, ServiceError>> + Send;
}
