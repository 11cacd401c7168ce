//! XmlActivationService over its three bindings, against a hand-written fake of
//! [`ActivationService`] (style.md: fakes only inside soap). Golden files live under
//! `tests/fixtures/XmlActivationService/<Op>/<case>.{request,response}.xml`;
//! `UPDATE_GOLDEN=1` rewrites them. Responses are also validated with xmllint against
//! `schema/` (wire.md §1.2).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use time::macros::{date, datetime};
use time::OffsetDateTime;
use unlockd_core::activation::{ActivationRequest, Grant};
use unlockd_core::counter::{DecrementRequest, Decremented};
use unlockd_core::deactivation::{Deactivated, DeactivationRequest};
use unlockd_core::floating::{
    FloatingRules, OpenRequest, SessionAction, SessionGrant, SessionId, SessionRequest,
    SessionState,
};
use unlockd_core::refresh::RefreshRequest;
use unlockd_core::status_check::{CheckRefused, CheckRequest, InstallationStatus};
use unlockd_core::update_check::{ProductUpdates, UpdateAction};
use unlockd_core::{
    AuthorId, CustomerId, EncryptionKeyId, GrantKind, InstallationId, LicenseId, LicenseStatus,
    OptionId, OptionType, Password, ProductId, Refusal, TriggerCode, Version,
};
use unlockd_soap::crypto::client::{extract_element, ClientKeys};
use unlockd_soap::crypto::{GeneratedKey, KeySet};
use unlockd_soap::service::{
    Activation, ActivationFieldChanges, ActivationService, AddedMultiple, ApiCredentials, Attempt,
    BackOfficeRefusal, BackOfficeService, CustomData, CustomerChanges, CustomerInfo,
    CustomerRecord, CustomerService, FloatingService, LegacyGrant, LegacyRefusal, LegacyService,
    LicenseAdd, LicenseAddMultiple, LicenseFileData, LicenseFileService, LicenseRecord,
    LicenseStatusReport, LicenseWithCustomer, ManualContext, OfflineClaim, Permission,
    RequestContext, ServiceError, UdfRequest, UdfUpdated, UnregisteredOrder, UpdateCheckRequest,
    UpdateCheckService, UpdateReport,
};
use unlockd_soap::{handle, HttpRequest, HttpResponse, SoapConfig};

const KEY_ID: &str = "11111111-2222-3333-4444-555555555555";
const INSTALLATION: &str = "6F1C2E7A-0D4B-4C8E-9B1A-5E3D2C1B0A99";
const OFFACT_KEY: &str = "K7Q2M9X4TZ";
const NS: &str = "http://secure.softwarekey.com/solo/webservices/";

fn generated() -> &'static (GeneratedKey, Arc<KeySet>) {
    static KEYS: OnceLock<(GeneratedKey, Arc<KeySet>)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let id = EncryptionKeyId::parse(KEY_ID).unwrap();
        let generated = GeneratedKey::generate(id, 1024).unwrap();
        let keys = Arc::new(generated.key_set().unwrap());
        (generated, keys)
    })
}

fn keys() -> Arc<KeySet> {
    Arc::clone(&generated().1)
}

fn client() -> ClientKeys {
    let (generated, _) = generated();
    ClientKeys::from_envelope(generated.envelope(), generated.envelope_key()).unwrap()
}

/// The fake: license 1001 / password demo1001 is the only good credential.
#[derive(Default)]
struct Fake {
    attempts: Mutex<Vec<Attempt>>,
    /// Makes `record_attempt` fail (E-3 is required, not best effort).
    history_down: bool,
    /// Offline claims taken (wire.md §7.3).
    claims: Mutex<HashSet<OfflineClaim>>,
    /// Custom data of license 1001 (XmlLicenseService).
    custom: Mutex<CustomData>,
}

impl Fake {
    /// Takes an offline claim once; a second time is 5029.
    fn claim(&self, claim: Option<OfflineClaim>) -> Result<(), ServiceError> {
        match claim {
            Some(c) if !self.claims.lock().unwrap().insert(c.clone()) => {
                Err(ServiceError::OfflineReused)
            }
            _ => Ok(()),
        }
    }
}

fn grant(codes: Option<(i32, i32)>) -> Grant {
    Grant {
        kind: GrantKind::Counted,
        installation_id: Some(InstallationId::parse(INSTALLATION).unwrap()),
        consumed: true,
        activations_left: 2,
        supersedes: None,
        first_ip: None,
        new_expiration: None,
        event_data: None,
        codes,
        update_counter: 7,
    }
}

fn license_file() -> LicenseFileData {
    LicenseFileData {
        license_id: LicenseId::new(1001).unwrap(),
        installation_id: Some(InstallationId::parse(INSTALLATION).unwrap()),
        trigger_code: TriggerCode::new(1).unwrap(),
        trigger_code_data: Some(30),
        effective_start: datetime!(2026-11-26 10:00:00 UTC),
        effective_end: Some(date!(2027 - 11 - 26)),
        quantity: 1,
        license_counter: Some(100),
        update_counter: 7,
        product_id: ProductId::new(1).unwrap(),
        product_name: "Demo & Co <App>".into(),
        latest_version: None,
        option_id: OptionId::new(1).unwrap(),
        option_name: "Standard".into(),
        option_type: OptionType::ActivationCode,
        option_custom_data: None,
        customer: CustomerInfo {
            id: CustomerId::new(5).unwrap(),
            company_name: "ACME".into(),
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            email: "ada@example.com".into(),
            registered: true,
        },
        user_defined_fields: vec![("UDefChar1".into(), "x".into())],
        custom_data: None,
        identifiers: vec![],
    }
}

impl ActivationService for Fake {
    fn now(&self) -> OffsetDateTime {
        datetime!(2026-11-26 12:00:00 UTC)
    }

    async fn key_set(&self, id: EncryptionKeyId) -> Result<Option<Arc<KeySet>>, ServiceError> {
        Ok((id == EncryptionKeyId::parse(KEY_ID).unwrap()).then(keys))
    }

    async fn activate_manual(
        &self,
        req: ActivationRequest,
        ctx: ManualContext,
    ) -> Result<Activation, ServiceError> {
        let good = (req.license_id.get() == 1001 && req.password.matches("demo1001"))
            || (req.license_id.get() == 1002 && req.password.matches("demo1002"));
        if !good {
            return Err(Refusal::Credentials.into());
        }
        self.claim(ctx.offline)?;
        Ok(Activation {
            grant: grant(Some((533723300, 0))),
            license_file: None,
            license_update: String::new(),
            minimum_version: None,
            minimum_version_url: None,
        })
    }

    async fn offact_key(&self, license_id: LicenseId) -> Result<Option<String>, ServiceError> {
        Ok((license_id.get() == 1002).then(|| OFFACT_KEY.to_owned()))
    }

    async fn manual_trigger_codes_allowed(
        &self,
        license_id: LicenseId,
    ) -> Result<Option<bool>, ServiceError> {
        Ok(match license_id.get() {
            1001 => Some(true),
            1002 => Some(false),
            _ => None,
        })
    }

    async fn activate(
        &self,
        req: ActivationRequest,
        ctx: RequestContext,
    ) -> Result<Activation, ServiceError> {
        if req.license_id.get() != 1001 || !req.password.matches("demo1001") {
            return Err(Refusal::Credentials.into());
        }
        if req.license_id.get() == 1001 && req.version == Version::parse_request("0.9") {
            return Err(Refusal::Version {
                minimum: Version::parse_minimum("1.0.0.0").unwrap(),
                url: Some("https://example.com/update?a=1&b=2".into()),
            }
            .into());
        }
        self.claim(ctx.offline)?;
        let license_file = req.session_code.is_some();
        Ok(Activation {
            grant: grant((!license_file).then_some((533723300, 0))),
            license_file: license_file.then(license_file_data_for),
            license_update: "Thanks & welcome".into(),
            minimum_version: None,
            minimum_version_url: None,
        })
    }

    async fn check_installation(
        &self,
        req: CheckRequest,
        _ctx: RequestContext,
    ) -> Result<Result<InstallationStatus, CheckRefused>, ServiceError> {
        let status = InstallationStatus {
            license_id: LicenseId::new(1001).unwrap(),
            installation_id: req.installation_id,
            status: LicenseStatus::Ok,
            expiration: Some(date!(2027 - 01 - 31)),
            deactivated_at: None,
            license_update: String::new(),
        };
        if req.installation_id.to_string() == INSTALLATION {
            Ok(Ok(status))
        } else {
            Ok(Err(CheckRefused {
                refusal: Refusal::InstallationDeactivated {
                    at: datetime!(2025-03-01 08:00:00 UTC),
                },
                info: Some(InstallationStatus {
                    deactivated_at: Some(datetime!(2025-03-01 08:00:00 UTC)),
                    ..status
                }),
            }))
        }
    }

    async fn deactivate(
        &self,
        req: DeactivationRequest,
        ctx: RequestContext,
    ) -> Result<Deactivated, ServiceError> {
        if req.installation_id.to_string() != INSTALLATION {
            return Err(Refusal::InstallationNotFound.into());
        }
        self.claim(ctx.offline)?;
        Ok(Deactivated {
            record_id: 1,
            at: datetime!(2026-11-26 12:00:00 UTC),
            activations_left: 3,
            deactivations_left: -1,
            update_counter: 8,
        })
    }

    async fn decrement_counter(
        &self,
        req: DecrementRequest,
        _transaction_id: Option<String>,
        _ctx: RequestContext,
    ) -> Result<Decremented, ServiceError> {
        if req.amount > 10 {
            return Err(Refusal::Counter.into());
        }
        if req.amount == 9 {
            return Err(ServiceError::Internal("disk on fire".into()));
        }
        Ok(Decremented {
            counter: 10 - i64::from(req.amount),
            update_counter: 9,
        })
    }

    async fn update_user_defined_fields(
        &self,
        req: UdfRequest,
        _ctx: RequestContext,
    ) -> Result<UdfUpdated, ServiceError> {
        // License 1001's option keeps its fields read-only (UDF-1).
        if req.license_id.get() == 1001 {
            return Err(Refusal::UdfReadOnly.into());
        }
        Err(Refusal::Credentials.into())
    }

    async fn record_attempt(&self, attempt: Attempt) -> Result<(), ServiceError> {
        if self.history_down {
            return Err(ServiceError::Internal("history table locked".into()));
        }
        self.attempts.lock().unwrap().push(attempt);
        Ok(())
    }
}

/// The fake's only floating session.
const SESSION: &str = "00112233445566778899AABBCCDDEEFF";

fn session_grant(action: Option<SessionAction>) -> SessionGrant {
    let now = datetime!(2026-11-26 12:00:00 UTC);
    SessionGrant {
        session: SessionState {
            id: SessionId::parse(SESSION).unwrap(),
            license_id: LicenseId::new(1001).unwrap(),
            opened_at: now,
            allocated_until: now + time::Duration::seconds(120),
            checked_out: matches!(action, Some(SessionAction::Checkout(_))),
            closed: action == Some(SessionAction::Close),
        },
        seats_available: -1,
        total_seats: 2,
        rules: FloatingRules {
            poll_frequency: 60,
            poll_retry_frequency: 10,
            poll_retry_count: 6,
            overage_seconds: None,
            checkout_min_hours: 1,
            checkout_max_hours: 72,
        },
        update_counter: 12,
        issued_at: now,
    }
}

impl LegacyService for Fake {
    async fn activate_legacy(
        &self,
        req: ActivationRequest,
        serial: Option<i32>,
    ) -> Result<LegacyGrant, LegacyRefusal> {
        if req.license_id.get() != 1001 || !req.password.matches("demo1001") || serial.is_some() {
            return Err(LegacyRefusal {
                error: Refusal::Credentials.into(),
                license_status: None,
            });
        }
        Ok(LegacyGrant {
            grant: grant(Some((533723300, 0))),
            product_name: "Demo & Product".into(),
            quantity: 1,
            license_update: "Thanks <3".into(),
        })
    }

    async fn license_status(
        &self,
        license_id: LicenseId,
        password: unlockd_core::Password,
        _product_id: Option<ProductId>,
    ) -> Result<LicenseStatusReport, ServiceError> {
        if license_id.get() != 1001 || !password.matches("demo1001") {
            return Err(Refusal::Credentials.into());
        }
        Ok(LicenseStatusReport {
            status: LicenseStatus::Void,
            replaced_by: 0,
            license_update: String::new(),
        })
    }

    async fn register_customer(
        &self,
        license_id: LicenseId,
        password: unlockd_core::Password,
        _contact: unlockd_core::pp4_post::ContactData,
    ) -> Result<(), ServiceError> {
        if license_id.get() != 1001 || !password.matches("demo1001") {
            return Err(Refusal::Credentials.into());
        }
        Ok(())
    }

    async fn post_usage_counters(
        &self,
        license_id: LicenseId,
        _password: Option<unlockd_core::Password>,
        _counters: unlockd_core::pp4_post::UsageCounters,
    ) -> Result<String, ServiceError> {
        if license_id.get() != 1001 {
            return Err(Refusal::Credentials.into());
        }
        Ok("Thanks <3".into())
    }
}

/// Author 1 with API user demo/demo owns option 1 and license 1001; nothing else exists.
impl BackOfficeService for Fake {
    async fn authenticate(
        &self,
        credentials: ApiCredentials,
        _permission: Permission,
    ) -> Result<AuthorId, ServiceError> {
        if credentials.author_id.get() == 1
            && credentials.user_id == "demo"
            && credentials.password == "demo"
        {
            Ok(credentials.author_id)
        } else {
            Err(ServiceError::BackOffice(BackOfficeRefusal::BadCredentials))
        }
    }

    async fn add_license(
        &self,
        _author: AuthorId,
        add: LicenseAdd,
    ) -> Result<LicenseRecord, ServiceError> {
        if add.option_id.get() != 1 {
            return Err(ServiceError::BackOffice(
                BackOfficeRefusal::UnknownReference,
            ));
        }
        Ok(LicenseRecord {
            license_id: add.license_id.unwrap_or(LicenseId::new(2000).unwrap()),
            activation_password: add.activation_password.unwrap_or_default(),
            customer_id: add.customer_id,
            product_id: ProductId::new(1).unwrap(),
            option_id: add.option_id,
            quantity: add.quantity,
            status: add.status,
            activations_left: add.activations_left.unwrap_or(3),
            deactivations_left: add.deactivations_left.unwrap_or(0),
            license_counter: add.license_counter,
            expiration: add.expiration,
            entered_date: self.now(),
            distributor_id: add.distributor_id,
            invoice_number: add.invoice_number,
            license_update: String::new(),
            allowed_ips: None,
            user_defined_fields: add.user_defined_fields,
            custom_data: add.custom_data,
        })
    }

    async fn add_multiple(
        &self,
        _author: AuthorId,
        _add: LicenseAddMultiple,
    ) -> Result<AddedMultiple, ServiceError> {
        Err(ServiceError::BackOffice(
            BackOfficeRefusal::UnknownReference,
        ))
    }

    async fn update_activation_fields(
        &self,
        _author: AuthorId,
        _license_id: LicenseId,
        _changes: ActivationFieldChanges,
    ) -> Result<LicenseRecord, ServiceError> {
        Err(Refusal::Transition.into())
    }

    async fn license_info_for_client(
        &self,
        _license_id: LicenseId,
        _password: Password,
    ) -> Result<LicenseRecord, ServiceError> {
        Err(Refusal::Credentials.into())
    }

    async fn license_info(
        &self,
        _author: AuthorId,
        _license_id: LicenseId,
    ) -> Result<LicenseRecord, ServiceError> {
        Err(ServiceError::BackOffice(
            BackOfficeRefusal::UnknownReference,
        ))
    }

    async fn license_custom_data(
        &self,
        _author: AuthorId,
        license_id: LicenseId,
    ) -> Result<CustomData, ServiceError> {
        if license_id.get() != 1001 {
            return Err(ServiceError::BackOffice(
                BackOfficeRefusal::UnknownReference,
            ));
        }
        Ok(self.custom.lock().unwrap().clone())
    }

    async fn update_license_custom_data(
        &self,
        _author: AuthorId,
        license_id: LicenseId,
        custom: CustomData,
    ) -> Result<(), ServiceError> {
        if license_id.get() != 1001 {
            return Err(ServiceError::BackOffice(
                BackOfficeRefusal::UnknownReference,
            ));
        }
        *self.custom.lock().unwrap() = custom;
        Ok(())
    }
}

/// Only license 1001 with password demo1001 exists; no product has update fields.
impl UpdateCheckService for Fake {
    async fn update_check(
        &self,
        license_id: LicenseId,
        req: UpdateCheckRequest,
    ) -> Result<UpdateReport, ServiceError> {
        if license_id.get() != 1001 || !req.password.matches("demo1001") {
            return Err(Refusal::Credentials.into());
        }
        Ok(UpdateReport {
            status: LicenseStatus::Ok,
            replaced_by: None,
            license_update: String::new(),
            action: UpdateAction::Current,
            updates: ProductUpdates::default(),
            downloads_allowed: true,
        })
    }
}

/// Customer 1 of author 1 is the only customer; adds and updates are echoed.
impl CustomerService for Fake {
    async fn authenticate_all(
        &self,
        credentials: ApiCredentials,
        permissions: &'static [Permission],
    ) -> Result<AuthorId, ServiceError> {
        self.authenticate(credentials, permissions[0]).await
    }

    async fn customer(
        &self,
        _author: AuthorId,
        id: CustomerId,
    ) -> Result<CustomerRecord, ServiceError> {
        if id.get() != 1 {
            return Err(ServiceError::BackOffice(
                BackOfficeRefusal::UnknownReference,
            ));
        }
        self.add_customer(AuthorId::new(1).unwrap(), CustomerChanges::default())
            .await
    }

    async fn search_customers(
        &self,
        author: AuthorId,
        _email: String,
    ) -> Result<Vec<CustomerRecord>, ServiceError> {
        Ok(vec![
            self.customer(author, CustomerId::new(1).unwrap()).await?,
        ])
    }

    async fn add_customer(
        &self,
        _author: AuthorId,
        customer: CustomerChanges,
    ) -> Result<CustomerRecord, ServiceError> {
        let (contact, registered) = customer.apply(Default::default(), false)?;
        Ok(CustomerRecord {
            customer_id: CustomerId::new(1).unwrap(),
            contact,
            registered,
            entered_date: self.now(),
        })
    }

    async fn update_customer(
        &self,
        author: AuthorId,
        id: CustomerId,
        changes: CustomerChanges,
    ) -> Result<CustomerRecord, ServiceError> {
        self.customer(author, id).await?;
        self.add_customer(author, changes).await
    }

    async fn add_license_and_unregistered_customer(
        &self,
        _author: AuthorId,
        _order: UnregisteredOrder,
    ) -> Result<LicenseWithCustomer, ServiceError> {
        Err(ServiceError::BackOffice(
            BackOfficeRefusal::UnknownReference,
        ))
    }
}

impl FloatingService for Fake {
    async fn open_session(
        &self,
        req: OpenRequest,
        _installation_name: Option<String>,
        _ctx: RequestContext,
    ) -> Result<SessionGrant, ServiceError> {
        if req.license_id.get() != 1001 || !req.password.matches("demo1001") {
            return Err(Refusal::Credentials.into());
        }
        Ok(session_grant(None))
    }

    async fn session_action(
        &self,
        req: SessionRequest,
        _ctx: RequestContext,
    ) -> Result<SessionGrant, ServiceError> {
        if req.session_id.as_str() != SESSION {
            return Err(Refusal::Session.into());
        }
        if let SessionAction::Checkout(h) = req.action {
            if !(1..=72).contains(&h) {
                return Err(Refusal::Param.into());
            }
        }
        Ok(session_grant(Some(req.action)))
    }
}

impl LicenseFileService for Fake {
    async fn refresh_license_file(
        &self,
        req: RefreshRequest,
        ctx: RequestContext,
    ) -> Result<LicenseFileData, ServiceError> {
        let owner = LicenseId::new(1001).unwrap();
        if req.installation_id.to_string() != INSTALLATION
            || req.license_id.is_some_and(|id| id != owner)
        {
            return Err(Refusal::InstallationNotFound.into());
        }
        self.claim(ctx.offline)?;
        Ok(LicenseFileData {
            update_counter: 8,
            ..license_file()
        })
    }
}

fn license_file_data_for() -> LicenseFileData {
    license_file()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn soap11(op: &str, inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><{op} xmlns="{NS}"><xml>{}</xml></{op}></soap:Body></soap:Envelope>"#,
        escape(inner)
    )
}

fn soap12(op: &str, inner: &str) -> String {
    format!(
        r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><{op} xmlns="{NS}"><xml>{}</xml></{op}></env:Body></env:Envelope>"#,
        escape(inner)
    )
}

fn inner(op: &str, private_data: &str) -> String {
    format!("<{op}><EncryptionKeyID>{KEY_ID}</EncryptionKeyID><PrivateData>{private_data}</PrivateData></{op}>")
}

struct Call<'a> {
    method: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    content_type: Option<&'a str>,
    soap_action: Option<&'a str>,
    body: &'a [u8],
}

const ASMX: &str = "/solo/webservices/XmlActivationService.asmx";

fn post11<'a>(op: &'a str, body: &'a str) -> Call<'a> {
    let _ = op;
    Call {
        method: "POST",
        path: ASMX,
        query: None,
        content_type: Some("text/xml; charset=utf-8"),
        soap_action: None,
        body: body.as_bytes(),
    }
}

fn run_with(fake: &Fake, cfg: &SoapConfig, call: Call<'_>) -> HttpResponse {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(handle(
        fake,
        cfg,
        HttpRequest {
            method: call.method,
            path: call.path,
            query: call.query,
            content_type: call.content_type,
            soap_action: call.soap_action,
            host: Some("licensing.example.com"),
            body: call.body,
            client_ip: None,
            request_id: "test",
        },
    ))
}

fn run(call: Call<'_>) -> (HttpResponse, Vec<Attempt>) {
    let fake = Fake::default();
    let response = run_with(&fake, &SoapConfig::default(), call);
    let attempts = fake.attempts.lock().unwrap().clone();
    (response, attempts)
}

fn body(r: &HttpResponse) -> String {
    String::from_utf8(r.body.clone()).unwrap()
}

/// The inner document of a SOAP answer (`…Result`) or POST `<string>`, unescaped.
fn inner_of(r: &HttpResponse) -> String {
    let b = body(r);
    let start = b
        .find("Result>")
        .map(|i| i + 7)
        .or_else(|| b.find("/\">").map(|i| i + 3))
        .unwrap();
    let end = b[start..].find("</").unwrap() + start;
    b[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#xD;", "\r")
        .replace("&amp;", "&")
}

/// E-4 masking of values that change per run.
fn mask(text: &str) -> String {
    let mut out = text.to_owned();
    for tag in ["CipherValue", "DigestValue", "SignatureValue", "Modulus"] {
        let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
        let mut from = 0;
        while let Some(s) = out[from..].find(&open).map(|i| i + from + open.len()) {
            let e = out[s..].find(&close).map(|i| i + s).unwrap();
            out.replace_range(s..e, "*");
            from = s + 1;
        }
    }
    out
}

fn fixture_dir(op: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/XmlActivationService")
        .join(op)
}

/// Golden check: `<case>.request.xml` is the inner request; the masked inner
/// response must equal `<case>.response.xml` and validate against `{op}Output.xsd`.
fn check(op: &str, case: &str, request: &str, expected_code: i32) {
    let dir = fixture_dir(op);
    std::fs::create_dir_all(&dir).unwrap();
    let request_file = dir.join(format!("{case}.request.xml"));
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    if update || !request_file.exists() {
        std::fs::write(&request_file, request).unwrap();
    }
    assert_eq!(request, std::fs::read_to_string(&request_file).unwrap());
    let envelope = soap11(op, request);
    let (response, attempts) = run(post11(op, &envelope));
    assert_eq!(response.status, 200, "{}", body(&response));
    assert_eq!(response.result_code, Some(expected_code));
    assert_eq!(
        attempts.len(),
        usize::from(expected_code != 0),
        "E-3: one attempt per refusal"
    );
    let got = mask(&inner_of(&response));
    let golden = dir.join(format!("{case}.response.xml"));
    if update || !golden.exists() {
        std::fs::write(&golden, &got).unwrap();
    }
    assert_eq!(got, std::fs::read_to_string(&golden).unwrap());
    validate(op, &inner_of(&response));
}

fn validate(op: &str, document: &str) {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../schema/{op}Output.xsd"));
    let file = std::env::temp_dir().join(format!("unlockd-soap-{op}-{}.xml", std::process::id()));
    std::fs::write(&file, document).unwrap();
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(&file)
        .output()
        .expect("xmllint (apt-get install libxml2-utils)");
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn activate_installation_success_and_refusals() {
    let op = "ActivateInstallation";
    let ok = "<LicenseID>1001</LicenseID><Password>demo1001</Password><UserCode1>321990713</UserCode1><UserCode2>123456789</UserCode2><Unknown>ignored</Unknown>";
    check(op, "success", &inner(op, ok), 0);
    let bad = "<LicenseID>1001</LicenseID><Password>wrong</Password><UserCode1>1</UserCode1><UserCode2>2</UserCode2>";
    check(op, "e_cred_5010", &inner(op, bad), 5010);
    let old = "<LicenseID>1001</LicenseID><Password>demo1001</Password><ProductVersion>0.9</ProductVersion><UserCode1>1</UserCode1><UserCode2>2</UserCode2>";
    check(op, "e_version_5013", &inner(op, old), 5013);
    let twice = "<LicenseID>1001</LicenseID><LicenseID>1001</LicenseID><Password>x</Password><UserCode1>1</UserCode1><UserCode2>2</UserCode2>";
    check(op, "duplicate_5002", &inner(op, twice), 5002);
    let mistyped = "<LicenseID>abc</LicenseID><Password>x</Password><UserCode1>1</UserCode1><UserCode2>2</UserCode2>";
    check(op, "mistyped_5002", &inner(op, mistyped), 5002);
}

#[test]
fn activate_installation_license_file_returns_a_sealed_software_key() {
    let op = "ActivateInstallationLicenseFile";
    let ok = r#"<ClientTimestamp>2026-11-26T11:59:00Z</ClientTimestamp><LicenseID>1001</LicenseID><Password>demo1001</Password><SessionCode>abc123</SessionCode><SystemIdentifiers><SystemIdentifier name="NIC" type="10" value="aa"/></SystemIdentifiers>"#;
    check(op, "success", &inner(op, ok), 0);
    let no_ids =
        "<LicenseID>1001</LicenseID><Password>demo1001</Password><SessionCode>abc123</SessionCode>";
    check(op, "missing_identifiers_5002", &inner(op, no_ids), 5002);
}

#[test]
fn check_installation_status_ok_and_deactivated_5016_with_outputs() {
    let op = "CheckInstallationStatus";
    check(
        op,
        "success",
        &inner(
            op,
            &format!(
                "<InstallationID>{}</InstallationID><SessionCode>s1</SessionCode>",
                INSTALLATION.to_lowercase()
            ),
        ),
        0,
    );
    check(
        op,
        "e_instdeact_5016",
        &inner(
            op,
            "<InstallationID>{00000000-0000-0000-0000-000000000001}</InstallationID>",
        ),
        5016,
    );
}

#[test]
fn deactivate_installation_ok_and_not_found() {
    let op = "DeactivateInstallation";
    check(
        op,
        "success",
        &inner(
            op,
            &format!("<InstallationID>{INSTALLATION}</InstallationID>"),
        ),
        0,
    );
    check(
        op,
        "e_instnotfound_5015",
        &inner(
            op,
            "<InstallationID>00000000-0000-0000-0000-000000000001</InstallationID>",
        ),
        5015,
    );
}

#[test]
fn decrement_license_counter_ok_refused_out_of_range_and_internal() {
    let op = "DecrementLicenseCounter";
    let with = |amount: &str| {
        inner(
            op,
            &format!(
                "<LicenseID>1001</LicenseID><Password>demo1001</Password><Amount>{amount}</Amount>"
            ),
        )
    };
    check(op, "success", &with("3"), 0);
    check(op, "e_counter_5021", &with("11"), 5021);
    check(op, "amount_out_of_range_5002", &with("0"), 5002);
    check(op, "internal_5099", &with("9"), 5099);
}

#[test]
fn e_12_frame_codes_5001_5003_5006() {
    let op = "CheckInstallationStatus";
    check(op, "wrong_root_5001", "<Other/>", 5001);
    check(op, "not_xml_5001", "not xml at all", 5001);
    check(
        op,
        "inner_doctype_5001",
        "<!DOCTYPE x><CheckInstallationStatus/>",
        5001,
    );
    let unknown_key = "<CheckInstallationStatus><EncryptionKeyID>99999999-2222-3333-4444-555555555555</EncryptionKeyID><PrivateData/></CheckInstallationStatus>";
    check(op, "unknown_key_5003", unknown_key, 5003);
    let method = format!("<CheckInstallationStatus><EncryptionKeyID>{KEY_ID}</EncryptionKeyID><RequestMethod>DeactivateInstallation</RequestMethod><PrivateData><InstallationID>{INSTALLATION}</InstallationID></PrivateData></CheckInstallationStatus>");
    check(op, "request_method_5006", &method, 5006);
    let no_private_data = format!("<CheckInstallationStatus><EncryptionKeyID>{KEY_ID}</EncryptionKeyID><RequestMethod>Other</RequestMethod></CheckInstallationStatus>");
    check(
        op,
        "request_method_before_missing_fields_5006",
        &no_private_data,
        5006,
    );
    let missing = format!("<CheckInstallationStatus><EncryptionKeyID>{KEY_ID}</EncryptionKeyID></CheckInstallationStatus>");
    check(op, "missing_private_data_5002", &missing, 5002);
}

#[test]
fn require_signed_refuses_plain_requests_with_5005() {
    let fake = Fake::default();
    let cfg = SoapConfig {
        require_signed: true,
        ..SoapConfig::default()
    };
    let envelope = soap11(
        "DeactivateInstallation",
        &inner(
            "DeactivateInstallation",
            "<InstallationID>x</InstallationID>",
        ),
    );
    let r = run_with(&fake, &cfg, post11("", &envelope));
    assert_eq!(r.result_code, Some(5005));
    assert_eq!(fake.attempts.lock().unwrap().len(), 1);
}

fn fault_of(call: Call<'_>) -> (HttpResponse, Vec<Attempt>) {
    let (r, attempts) = run(call);
    assert_eq!(attempts.len(), 1, "E-3: one attempt per fault");
    (r, attempts)
}

#[test]
fn soap11_faults_have_code_status_and_detail() {
    let cases: [(&str, &str, &str); 8] = [
        ("<x", "soap:Client", "MalformedXml"),
        (
            r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#,
            "soap:Client",
            "DtdForbidden",
        ),
        (
            r#"<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><lolz>&lol2;</lolz>"#,
            "soap:Client",
            "DtdForbidden",
        ),
        ("<r>&lol;</r>", "soap:Client", "EntityForbidden"),
        ("<r><?pi x?></r>", "soap:Client", "PiForbidden"),
        (
            "<r xmlns=\"urn:other\"/>",
            "soap:VersionMismatch",
            "VersionMismatch",
        ),
        (
            r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><Foo xmlns="http://secure.softwarekey.com/solo/webservices/"/></soap:Body></soap:Envelope>"#,
            "soap:Client",
            "UnknownOperation",
        ),
        (
            r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><CheckInstallationStatus xmlns="urn:wrong"><xml/></CheckInstallationStatus></soap:Body></soap:Envelope>"#,
            "soap:Client",
            "UnknownOperation",
        ),
    ];
    for (envelope, faultcode, detail) in cases {
        let (r, _) = fault_of(post11("", envelope));
        assert_eq!(r.status, 500, "{detail}");
        let b = body(&r);
        assert!(
            b.contains(&format!("<faultcode>{faultcode}</faultcode>")),
            "{b}"
        );
        assert!(b.contains(&format!("<faultstring>{detail}: ")), "{b}");
        assert!(
            b.contains(&format!(
                r#"<Fault xmlns="urn:unlockd:fault:1"><Code>{detail}</Code></Fault>"#
            )),
            "{b}"
        );
    }
}

#[test]
fn hardening_deep_nesting_non_utf8_and_must_understand() {
    let deep = format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000));
    let (r, _) = fault_of(post11("", &deep));
    assert!(body(&r).contains("<Code>TooDeep</Code>"));
    let latin1: &[u8] = b"<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>\xE9</soap:Body></soap:Envelope>";
    let (r, _) = fault_of(Call {
        body: latin1,
        ..post11("", "")
    });
    assert!(body(&r).contains("<Code>UnsupportedEncoding</Code>"));
    let mu = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header><Sec xmlns="urn:x" soap:mustUnderstand="1"/></soap:Header><soap:Body/></soap:Envelope>"#;
    let (r, _) = fault_of(post11("", mu));
    assert!(body(&r).contains("<faultcode>soap:MustUnderstand</faultcode>"));
}

#[test]
fn soap_action_must_match_and_xml_parameter_must_exist() {
    let envelope = soap11("CheckInstallationStatus", "<x/>");
    let (r, _) = fault_of(Call {
        soap_action: Some(
            "\"http://secure.softwarekey.com/solo/webservices/DeactivateInstallation\"",
        ),
        ..post11("", &envelope)
    });
    assert!(body(&r).contains("<Code>SoapActionMismatch</Code>"));
    let (r, _) = run(Call {
        soap_action: Some(
            "\"http://secure.softwarekey.com/solo/webservices/CheckInstallationStatus\"",
        ),
        ..post11("", &envelope)
    });
    assert_eq!(r.result_code, Some(5001));
    let (r, _) = run(Call {
        soap_action: Some("\"\""),
        ..post11("", &envelope)
    });
    assert_eq!(r.result_code, Some(5001));
    let missing = format!(
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><CheckInstallationStatus xmlns="{NS}"><a/><b/></CheckInstallationStatus></soap:Body></soap:Envelope>"#
    );
    let (r, _) = fault_of(post11("", &missing));
    assert!(body(&r).contains("<Code>MissingParameter</Code>"));
}

#[test]
fn soap12_answers_and_faults() {
    let request = soap12(
        "DecrementLicenseCounter",
        &inner(
            "DecrementLicenseCounter",
            "<LicenseID>1001</LicenseID><Password>demo1001</Password>",
        ),
    );
    let call = Call { content_type: Some("application/soap+xml; charset=utf-8; action=\"http://secure.softwarekey.com/solo/webservices/DecrementLicenseCounter\""), ..post11("", &request) };
    let (r, _) = run(call);
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "application/soap+xml; charset=utf-8");
    assert!(body(&r)
        .contains(r#"<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope">"#));
    assert!(inner_of(&r).contains("<LicenseCounter>9</LicenseCounter>"));
    // A 1.1 envelope announced as 1.2 contradicts the Content-Type.
    let v11 = soap11("DecrementLicenseCounter", "<x/>");
    let (r, _) = fault_of(Call {
        content_type: Some("application/soap+xml"),
        ..post11("", &v11)
    });
    assert_eq!(r.status, 500);
    assert!(body(&r).contains("<env:Value>env:VersionMismatch</env:Value>"));
    let (r, _) = fault_of(Call {
        content_type: Some("application/soap+xml"),
        ..post11("", "<x")
    });
    assert_eq!(r.status, 400);
    assert!(body(&r).contains(r#"<env:Text xml:lang="en">MalformedXml: "#));
}

#[test]
fn http_post_form_binding() {
    let doc = inner(
        "DecrementLicenseCounter",
        "<LicenseID>1001</LicenseID><Password>demo1001</Password>",
    );
    let form: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("xml", &doc)
        .finish();
    let call = Call {
        method: "POST",
        path: "/SOLO/webservices/xmlactivationservice.asmx/decrementlicensecounter",
        query: None,
        content_type: Some("application/x-www-form-urlencoded"),
        soap_action: None,
        body: form.as_bytes(),
    };
    let (r, _) = run(Call { ..call });
    assert_eq!(r.status, 200);
    assert!(body(&r).starts_with(r#"<?xml version="1.0" encoding="utf-8"?><string xmlns="http://secure.softwarekey.com/solo/webservices/">&lt;?xml"#));
    let raw = run_with(
        &Fake::default(),
        &SoapConfig {
            post_raw_response: true,
            ..SoapConfig::default()
        },
        Call { ..call },
    );
    assert!(body(&raw).starts_with(r#"<?xml version="1.0" encoding="utf-8"?><DecrementLicenseCounter><PrivateData><ResultCode>0</ResultCode>"#));
    let (r, _) = fault_of(Call {
        body: b"a=1&b=2",
        ..call
    });
    assert_eq!(
        (r.status, body(&r).as_str()),
        (400, "MissingParameter: a required parameter is missing")
    );
    let (r, _) = run(Call {
        content_type: Some("application/json"),
        ..call
    });
    assert_eq!(r.status, 415);
    let (r, _) = run(Call {
        method: "GET",
        ..call
    });
    assert_eq!(r.status, 405);
    assert_eq!(r.headers, vec![("Allow".to_owned(), "POST".to_owned())]);
    let (r, _) = run(Call {
        path: "/solo/webservices/XmlActivationService.asmx/Nope",
        ..call
    });
    assert_eq!(
        (r.status, r.content_type.as_str()),
        (404, "text/plain; charset=utf-8")
    );
}

#[test]
fn other_content_types_are_415_and_unknown_paths_404() {
    let (r, _) = run(Call {
        content_type: Some("application/json"),
        ..post11("", "{}")
    });
    assert_eq!(r.status, 415);
    let (r, _) = run(Call {
        path: "/solo/webservices/Other.asmx",
        ..post11("", "")
    });
    assert_eq!(r.status, 404);
}

#[test]
fn wsdl_schemas_and_help_pages() {
    let get = |query: Option<&'static str>, path: &'static str| Call {
        method: "GET",
        path,
        query,
        content_type: None,
        soap_action: None,
        body: b"",
    };
    let (r, _) = run(get(Some("wsdl"), ASMX));
    let wsdl = body(&r);
    assert_eq!(r.status, 200);
    assert!(wsdl.contains(r#"<soap:address location="http://licensing.example.com/solo/webservices/XmlActivationService.asmx"/>"#));
    assert!(!wsdl.contains("localhost"));
    let (r, _) = run(get(Some("op=CheckInstallationStatus"), ASMX));
    assert!(body(&r).contains("CheckInstallationStatusInput.xsd"));
    let (r, _) = run(get(None, ASMX));
    assert!(body(&r).contains("DecrementLicenseCounter"));
    let (r, _) = run(get(None, "/solo/webservices/schema/Common.xsd"));
    assert!(body(&r).contains("<xs:schema"));
    let (r, _) = run(get(None, "/solo/webservices/schema/Nope.xsd"));
    assert_eq!(r.status, 404);
}

#[test]
fn protected_requests_get_answers_protected_alike_wire_2_5() {
    let client = client();
    let op = "DeactivateInstallation";
    let private_data =
        format!("<PrivateData><InstallationID>{INSTALLATION}</InstallationID></PrivateData>");
    for (encrypt, sign) in [(true, true), (true, false), (false, true)] {
        let doc = client
            .seal_request(op, &private_data, encrypt, sign)
            .unwrap();
        let (r, _) = run(post11("", &soap11(op, &doc)));
        assert_eq!(r.result_code, Some(0), "{}", inner_of(&r));
        let answer = inner_of(&r);
        assert_eq!(answer.contains("EncryptedData"), encrypt);
        validate(op, &answer);
        let opened = client.open(&answer).unwrap();
        assert!(opened.signed, "answers to protected requests are signed");
        assert_eq!(opened.encrypted, encrypt);
        assert!(opened
            .private_data_xml
            .contains("<DeactivationsLeft>-1</DeactivationsLeft>"));
    }
}

#[test]
fn tampered_signature_is_5005_and_answered_signed() {
    let client = client();
    let op = "DeactivateInstallation";
    let private_data =
        format!("<PrivateData><InstallationID>{INSTALLATION}</InstallationID></PrivateData>");
    let doc = client.seal_request(op, &private_data, false, true).unwrap();
    let tampered = doc.replace(INSTALLATION, "00000000-0000-0000-0000-000000000001");
    let (r, attempts) = run(post11("", &soap11(op, &tampered)));
    assert_eq!(r.result_code, Some(5005));
    assert_eq!(attempts.len(), 1);
    assert!(client.open(&inner_of(&r)).unwrap().signed);
}

#[test]
fn license_file_decrypts_to_the_5_4_license() {
    let client = client();
    let op = "ActivateInstallationLicenseFile";
    let private_data = r#"<PrivateData><LicenseID>1001</LicenseID><Password>demo1001</Password><SessionCode>abc</SessionCode><SystemIdentifiers><SystemIdentifier name="NIC" type="10" value="aa"/></SystemIdentifiers></PrivateData>"#;
    let doc = client.seal_request(op, private_data, true, true).unwrap();
    let (r, _) = run(post11("", &soap11(op, &doc)));
    let answer = client.open(&inner_of(&r)).unwrap();
    assert!(answer
        .private_data_xml
        .contains("<SessionCode>abc</SessionCode>"));
    let software_key = extract_element(&answer.private_data_xml, "SoftwareKey").unwrap();
    let license = client.open(software_key).unwrap();
    assert!(license.signed && license.encrypted);
    let text = &license.private_data_xml;
    assert!(text.starts_with("<PrivateData><License><LicenseID>1001</LicenseID><InstallationID>6F1C2E7A-0D4B-4C8E-9B1A-5E3D2C1B0A99</InstallationID><TriggerCode>1</TriggerCode><TriggerCodeData>30</TriggerCodeData><EffectiveStartDate>2026-11-26T10:00:00Z</EffectiveStartDate><EffectiveEndDate>2027-11-26T00:00:00Z</EffectiveEndDate><SignatureDate>2026-11-26T12:00:00Z</SignatureDate>"), "{text}");
    assert!(text.contains("<ProductName>Demo &amp; Co &lt;App&gt;</ProductName>"));
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/License.xsd");
    let file =
        std::env::temp_dir().join(format!("unlockd-soap-license-{}.xml", std::process::id()));
    std::fs::write(&file, format!("<SoftwareKey>{text}</SoftwareKey>")).unwrap();
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn too_many_elements_is_a_fault() {
    let wide = format!(
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>{}</soap:Body></soap:Envelope>"#,
        "<a/>".repeat(10_001)
    );
    let (r, attempts) = fault_of(post11("", &wide));
    assert!(body(&r).contains("<Code>TooManyElements</Code>"));
    assert_eq!(attempts[0].reason, "TooManyElements");
}

#[test]
fn e_3_unrecordable_refusals_become_internal() {
    let fake = Fake {
        history_down: true,
        ..Fake::default()
    };
    let cfg = SoapConfig::default();
    let r = run_with(&fake, &cfg, post11("", "<x"));
    assert_eq!(r.status, 500);
    assert!(body(&r).contains("<faultcode>soap:Server</faultcode>"));
    assert!(body(&r).contains("<Code>Internal</Code>"));
    let refused = soap11(
        "DecrementLicenseCounter",
        &inner(
            "DecrementLicenseCounter",
            "<LicenseID>1001</LicenseID><Password>demo1001</Password><Amount>11</Amount>",
        ),
    );
    let r = run_with(&fake, &cfg, post11("", &refused));
    assert_eq!((r.status, r.result_code), (200, Some(5099)));
    let ok = soap11(
        "DecrementLicenseCounter",
        &inner(
            "DecrementLicenseCounter",
            "<LicenseID>1001</LicenseID><Password>demo1001</Password>",
        ),
    );
    assert_eq!(run_with(&fake, &cfg, post11("", &ok)).result_code, Some(0));
}

#[test]
fn undecryptable_request_is_5004() {
    // Same EncryptionKeyID, other key pair: the server cannot unwrap the AES key.
    let id = EncryptionKeyId::parse(KEY_ID).unwrap();
    let other = GeneratedKey::generate(id, 1024).unwrap();
    let stranger = ClientKeys::from_envelope(other.envelope(), other.envelope_key()).unwrap();
    let op = "DeactivateInstallation";
    let private_data =
        format!("<PrivateData><InstallationID>{INSTALLATION}</InstallationID></PrivateData>");
    let doc = stranger
        .seal_request(op, &private_data, true, false)
        .unwrap();
    let (r, attempts) = run(post11("", &soap11(op, &doc)));
    assert_eq!(r.result_code, Some(5004));
    assert_eq!(attempts[0].result_code, 5004);
    // Signed by the stranger as well: verification runs first (E-12), so 5005.
    let doc = stranger
        .seal_request(op, &private_data, true, true)
        .unwrap();
    let (r, _) = run(post11("", &soap11(op, &doc)));
    assert_eq!(r.result_code, Some(5005));
}

#[test]
fn attempts_name_the_operation_and_license() {
    let op = "ActivateInstallation";
    let bad = "<LicenseID>1001</LicenseID><Password>wrong</Password><UserCode1>1</UserCode1><UserCode2>2</UserCode2>";
    let (r, attempts) = run(post11("", &soap11(op, &inner(op, bad))));
    assert_eq!(r.license_id, Some(1001));
    assert_eq!(r.operation, Some(op));
    let a = &attempts[0];
    assert_eq!(
        (a.operation.as_str(), a.result_code, a.reason.as_str()),
        (op, 5010, "E-CRED")
    );
    assert_eq!(a.license_id.map(LicenseId::get), Some(1001));
}

// ---- Offline activation (wire.md §7): ManualRequest.aspx, ManualTriggerCodes.aspx ----

const MANUAL: &str = "/solo/customers/ManualRequest.aspx";
const CODES: &str = "/solo/customers/ManualTriggerCodes.aspx";

fn form(path: &'static str, body: &str) -> (String, String) {
    (path.to_owned(), body.to_owned())
}

fn post_form(fake: &Fake, (path, body): (String, String)) -> HttpResponse {
    run_with(
        fake,
        &SoapConfig::default(),
        Call {
            method: "POST",
            path: &path,
            query: None,
            content_type: Some("application/x-www-form-urlencoded"),
            soap_action: None,
            body: body.as_bytes(),
        },
    )
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A signed, encrypted offline activation request stamped `client_time`.
fn offline_activation(session: &str, client_time: &str, sign: bool) -> String {
    let private_data = format!(
        "<PrivateData><ClientTimestamp>{client_time}</ClientTimestamp><LicenseID>1001</LicenseID><Password>demo1001</Password><SessionCode>{session}</SessionCode><SystemIdentifiers><SystemIdentifier name=\"NIC\" type=\"10\" value=\"aa\"/></SystemIdentifiers></PrivateData>"
    );
    client()
        .seal_request("ActivateInstallationLicenseFile", &private_data, true, sign)
        .unwrap()
}

fn shown_code(r: &HttpResponse) -> i32 {
    let b = body(r);
    let start = b.find("<span id=\"code\">").unwrap() + 16;
    b[start..start + b[start..].find('<').unwrap()]
        .parse()
        .unwrap()
}

#[test]
fn manual_request_page_answers_once_then_5029() {
    let fake = Fake::default();
    let get = run_with(
        &fake,
        &SoapConfig::default(),
        Call {
            method: "GET",
            path: "/solo/customers/manualrequest.aspx",
            query: None,
            content_type: None,
            soap_action: None,
            body: b"",
        },
    );
    assert_eq!(get.status, 200);
    assert!(body(&get).contains("name=\"requestFile\"") && !body(&get).contains("<script"));
    let doc = offline_activation("s1", "2026-11-26T11:00:00Z", true);
    let first = post_form(&fake, form(MANUAL, &format!("request={}", urlencode(&doc))));
    assert_eq!(first.result_code, Some(0), "{}", body(&first));
    let page = body(&first);
    assert!(page.contains("download=\"ManualResponse.xml\" href=\"data:application/xml;base64,"));
    assert!(page.contains("readonly>"));
    // The answer is the online one (OFF-2): it opens with the client keys and echoes the session.
    let start = page.find("readonly>").unwrap() + 9;
    let answer = page[start..start + page[start..].find("</textarea>").unwrap()]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let opened = client().open(&answer).unwrap();
    assert!(opened
        .private_data_xml
        .contains("<SessionCode>s1</SessionCode>"));
    let again = post_form(&fake, form(MANUAL, &format!("request={}", urlencode(&doc))));
    assert_eq!(
        shown_code(&again),
        5029,
        "§7.3: each request is usable once"
    );
    assert_eq!(fake.attempts.lock().unwrap().len(), 1);
}

#[test]
fn offline_frame_checks_5005_5002_5030_5022_5006_5001() {
    let unsigned = offline_activation("s2", "2026-11-26T11:00:00Z", false);
    let no_time = client()
        .seal_request(
            "ActivateInstallationLicenseFile",
            "<PrivateData><LicenseID>1001</LicenseID><Password>demo1001</Password><SessionCode>s3</SessionCode><SystemIdentifiers><SystemIdentifier name=\"NIC\" type=\"10\" value=\"aa\"/></SystemIdentifiers></PrivateData>",
            true,
            true,
        )
        .unwrap();
    let old = offline_activation("s4", "2026-10-26T11:00:00Z", true);
    let ahead = offline_activation("s5", "2026-11-28T12:00:00Z", true);
    let pp4_xml = client()
        .seal_request(
            "ActivateInstallation",
            "<PrivateData><ClientTimestamp>2026-11-26T11:00:00Z</ClientTimestamp><LicenseID>1001</LicenseID></PrivateData>",
            true,
            true,
        )
        .unwrap();
    for (doc, code) in [
        (unsigned, 5005),
        (no_time, 5002),
        (old, 5030),
        (ahead, 5022),
        (pp4_xml, 5006),
        ("<html>no request here</html>".to_owned(), 5001),
    ] {
        let fake = Fake::default();
        let r = post_form(&fake, form(MANUAL, &format!("request={}", urlencode(&doc))));
        assert_eq!(shown_code(&r), code, "{}", body(&r));
        assert!(fake.claims.lock().unwrap().is_empty(), "nothing claimed");
        assert_eq!(fake.attempts.lock().unwrap().len(), 1, "E-3");
    }
}

#[test]
fn manual_request_accepts_a_multipart_upload_of_an_htm_wrapper() {
    let fake = Fake::default();
    let doc = offline_activation("s6", "2026-11-26T11:00:00Z", true);
    let wrapper = format!(
        "<html><body><form><input type=\"hidden\" value=\"{}\"></form></body></html>",
        doc.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    );
    let body_bytes = format!(
        "--B0UND\r\nContent-Disposition: form-data; name=\"request\"\r\n\r\n\r\n--B0UND\r\nContent-Disposition: form-data; name=\"requestFile\"; filename=\"ManualActivationRequest.htm\"\r\nContent-Type: text/html\r\n\r\n{wrapper}\r\n--B0UND--\r\n"
    );
    let r = run_with(
        &fake,
        &SoapConfig::default(),
        Call {
            method: "POST",
            path: MANUAL,
            query: None,
            content_type: Some("multipart/form-data; boundary=B0UND"),
            soap_action: None,
            body: body_bytes.as_bytes(),
        },
    );
    assert_eq!(r.result_code, Some(0), "{}", body(&r));
}

fn offact_request(license: &str, password: &str, created: &str, key: &str) -> String {
    unlockd_core::offact::OffActRequest {
        license_id: license.into(),
        password: password.into(),
        product_id: "1".into(),
        product_option_id: String::new(),
        product_version: String::new(),
        user_code1: "321990713".into(),
        user_code2: "123456789".into(),
        created: created.into(),
    }
    .to_file(&unlockd_core::offact::OffActKey::parse(key).unwrap())
}

#[test]
fn pp4_activation_file_answers_once_with_a_maced_response_wire_7_4() {
    let fake = Fake::default();
    let file = offact_request("1002", "demo1002", "2026-11-26T10:00:00Z", OFFACT_KEY);
    let r = post_form(
        &fake,
        form(MANUAL, &format!("request={}", urlencode(&file))),
    );
    assert_eq!(r.result_code, Some(0), "{}", body(&r));
    assert!(body(&r).contains("download=\"ManualResponse.txt\""));
    let page = body(&r);
    let start = page.find("readonly>").unwrap() + 9;
    let text = &page[start..start + page[start..].find("</textarea>").unwrap()];
    let key = unlockd_core::offact::OffActKey::parse(OFFACT_KEY).unwrap();
    let response = unlockd_core::offact::OffActResponse::parse_verified(text, &key).unwrap();
    assert_eq!(response.regkey1, "533723300");
    assert_eq!(response.user_code1, "321990713");
    assert_eq!(response.update_counter, "7");
    let again = post_form(
        &fake,
        form(MANUAL, &format!("request={}", urlencode(&file))),
    );
    assert_eq!(shown_code(&again), 5029);
}

#[test]
fn pp4_activation_file_refusals_5005_5009_5030_5001() {
    for (file, code) in [
        (
            offact_request("1002", "demo1002", "2026-11-26T10:00:00Z", "WRONGKEY1"),
            5005,
        ),
        (
            offact_request("1001", "demo1001", "2026-11-26T10:00:00Z", OFFACT_KEY),
            5009,
        ),
        (
            offact_request("1002", "demo1002", "2026-10-01T10:00:00Z", OFFACT_KEY),
            5030,
        ),
        (
            "unlockd-offact-request 1\nLicenseID=1002\n".to_owned(),
            5001,
        ),
    ] {
        let fake = Fake::default();
        let r = post_form(
            &fake,
            form(MANUAL, &format!("request={}", urlencode(&file))),
        );
        assert_eq!(shown_code(&r), code, "{}", body(&r));
        assert_eq!(fake.attempts.lock().unwrap().len(), 1, "E-3");
        assert!(fake.claims.lock().unwrap().is_empty());
    }
}

#[test]
fn manual_trigger_codes_page_per_author_switch() {
    let codes = |license: &str, password: &str| {
        let fake = Fake::default();
        let body = format!(
            "LicenseID={license}&Password={password}&UserCode1=321990713&UserCode2=123456789"
        );
        post_form(&fake, form(CODES, &body))
    };
    let ok = codes("1001", "demo1001");
    assert_eq!(ok.result_code, Some(0), "{}", body(&ok));
    assert!(body(&ok).contains("<dd id=\"ActivationCode1\">533723300</dd>"));
    assert_eq!(
        shown_code(&codes("1002", "demo1002")),
        5009,
        "author not allowed"
    );
    assert_eq!(shown_code(&codes("4711", "nope")), 5010);
    assert_eq!(shown_code(&codes("x", "nope")), 5002);
}

const FLOATING: &str = "/solo/webservices/XmlNetworkFloatingService.asmx";

fn floating11<'a>(action: &'a str, body: &'a str) -> Call<'a> {
    Call {
        method: "POST",
        path: FLOATING,
        query: None,
        content_type: Some("text/xml; charset=utf-8"),
        soap_action: Some(action),
        body: body.as_bytes(),
    }
}

#[test]
fn flt_open_session_answers_a_signed_certificate_in_wire_order() {
    let body = soap11("OpenSession", &inner("OpenSession", "<LicenseID>1001</LicenseID><Password>demo1001</Password><SessionCode>abc</SessionCode>"));
    let action = format!("\"{NS}OpenSession\"");
    let (r, attempts) = run(floating11(&action, &body));
    assert_eq!(r.status, 200, "{}", body_of(&r));
    let doc = inner_of_named(&r, "OpenSessionResult");
    assert!(doc.contains("<ResultCode>0</ResultCode>"), "{doc}");
    assert!(
        doc.contains(
            "<SessionCode>abc</SessionCode><UpdateCounter>12</UpdateCounter><NetworkSession>"
        ),
        "{doc}"
    );
    let cert = extract_element(&doc, "NetworkSession").unwrap();
    let order = [
        "SessionID",
        "LicenseID",
        "ServerTimestamp",
        "AllocatedUntilDate",
        "SeatsAvailable",
        "TotalSeats",
        "CheckedOut",
        "CheckoutDurationMinimum",
        "CheckoutDurationMaximum",
        "PollFrequency",
        "PollRetryFrequency",
        "PollRetryCount",
        "UpdateCounter",
        "Signature",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|t| {
            cert.find(&format!("<{t}"))
                .unwrap_or_else(|| panic!("{t} in {cert}"))
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{cert}");
    assert!(
        cert.contains("<SeatsAvailable>-1</SeatsAvailable>"),
        "negative seats (FLT-5): {cert}"
    );
    assert!(cert.contains("<AllocatedUntilDate>2026-11-26T12:02:00Z</AllocatedUntilDate>"));
    client()
        .verify_signed(cert)
        .expect("certificate signed by the ServerKey (E-10)");
    let tampered = cert.replace("<TotalSeats>2<", "<TotalSeats>3<");
    assert!(client().verify_signed(&tampered).is_err());
    assert!(attempts.is_empty());
}

#[test]
fn flt_session_calls_over_soap_12_and_http_post_and_5027_for_unknown_sessions() {
    let poll = inner(
        "PollSession",
        &format!("<SessionID>{}</SessionID>", SESSION.to_lowercase()),
    );
    let body12 = soap12("PollSession", &poll);
    let (r, _) = run(Call {
        method: "POST",
        path: FLOATING,
        query: None,
        content_type: Some("application/soap+xml; charset=utf-8"),
        soap_action: None,
        body: body12.as_bytes(),
    });
    assert_eq!(r.status, 200);
    assert!(inner_of_named(&r, "PollSessionResult")
        .contains(&format!("<SessionID>{SESSION}</SessionID>")));

    let close = format!(
        "xml={}",
        form_escape(&inner(
            "CloseSession",
            &format!("<SessionID>{SESSION}</SessionID>")
        ))
    );
    let (r, _) = run(Call {
        method: "POST",
        path: "/solo/webservices/xmlnetworkfloatingservice.asmx/closesession",
        query: None,
        content_type: Some("application/x-www-form-urlencoded"),
        soap_action: None,
        body: close.as_bytes(),
    });
    assert_eq!(r.status, 200, "{}", body_of(&r));
    let doc = inner_of(&r);
    assert!(
        doc.contains("<ResultCode>0</ResultCode>") && !doc.contains("NetworkSession"),
        "{doc}"
    );

    let unknown = soap11(
        "PollSession",
        &inner(
            "PollSession",
            &format!("<SessionID>{}</SessionID>", "F".repeat(32)),
        ),
    );
    let action = format!("\"{NS}PollSession\"");
    let (r, attempts) = run(floating11(&action, &unknown));
    assert!(inner_of_named(&r, "PollSessionResult").contains("<ResultCode>5027</ResultCode>"));
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].result_code, 5027);

    let beyond = soap11(
        "CheckoutSession",
        &inner(
            "CheckoutSession",
            &format!("<SessionID>{SESSION}</SessionID><CheckoutHours>73</CheckoutHours>"),
        ),
    );
    let action = format!("\"{NS}CheckoutSession\"");
    let (r, _) = run(floating11(&action, &beyond));
    assert!(inner_of_named(&r, "CheckoutSessionResult").contains("<ResultCode>5002</ResultCode>"));
    let bad_id = soap11(
        "PollSession",
        &inner("PollSession", "<SessionID>XYZ</SessionID>"),
    );
    let action = format!("\"{NS}PollSession\"");
    let (r, _) = run(floating11(&action, &bad_id));
    assert!(inner_of_named(&r, "PollSessionResult").contains("<ResultCode>5002</ResultCode>"));
}

#[test]
fn flt_operations_belong_to_their_own_service() {
    let body = soap11(
        "OpenSession",
        &inner(
            "OpenSession",
            "<LicenseID>1001</LicenseID><Password>demo1001</Password>",
        ),
    );
    let (r, _) = run(post11("OpenSession", &body));
    assert_eq!(r.status, 500);
    assert!(body_of(&r).contains("UnknownOperation"), "{}", body_of(&r));
    let (r, _) = run(Call {
        method: "GET",
        path: FLOATING,
        query: Some("wsdl"),
        content_type: None,
        soap_action: None,
        body: b"",
    });
    let wsdl = body_of(&r);
    assert!(wsdl
        .contains("http://licensing.example.com/solo/webservices/XmlNetworkFloatingService.asmx"));
    assert!(
        wsdl.contains("<wsdl:operation name=\"CheckoutSession\">")
            && !wsdl.contains("DecrementLicenseCounter")
    );
}

fn body_of(r: &HttpResponse) -> String {
    String::from_utf8(r.body.clone()).unwrap()
}

fn inner_of_named(r: &HttpResponse, tag: &str) -> String {
    let b = body_of(r);
    let open = b
        .find(&format!("<{tag}>"))
        .map(|i| i + tag.len() + 2)
        .unwrap_or_else(|| panic!("{tag} in {b}"));
    let end = b[open..].find(&format!("</{tag}>")).unwrap() + open;
    b[open..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#xD;", "\r")
        .replace("&amp;", "&")
}

fn form_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn activate_license_typed_soap_answers_the_result_structure_in_order() {
    let body = format!(
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ActivateLicense xmlns="{NS}"><licenseID>1001</licenseID><password>demo1001</password><productID>0</productID><code1>321990713</code1><code2>123456789</code2><serialNumber>0</serialNumber><requireRegistration>false</requireRegistration></ActivateLicense></soap:Body></soap:Envelope>"#
    );
    let action = format!("\"{NS}ActivateLicense\"");
    let (r, attempts) = run(Call {
        method: "POST",
        path: "/solo/webservices/activationserver.asmx",
        query: None,
        content_type: Some("text/xml; charset=utf-8"),
        soap_action: Some(&action),
        body: body.as_bytes(),
    });
    assert_eq!(r.status, 200);
    let text = body_of(&r);
    assert!(text.contains(&format!("<ActivateLicenseResponse xmlns=\"{NS}\"><ActivateLicenseResult><ErrorCode>0</ErrorCode><ErrorMessage></ErrorMessage><Product>Demo &amp; Product</Product><LicenseID>1001</LicenseID><Quantity>1</Quantity><RegCode1>533723300</RegCode1><RegCode2>0</RegCode2><LicenseUpdate>Thanks &lt;3</LicenseUpdate><UnlocksLeft>2</UnlocksLeft></ActivateLicenseResult>")), "{text}");
    assert!(attempts.is_empty());

    let bad = body.replace("<code1>321990713</code1>", "<code1>abc</code1>");
    let (r, attempts) = run(Call {
        method: "POST",
        path: "/solo/webservices/ActivationServer.asmx",
        query: None,
        content_type: Some("text/xml; charset=utf-8"),
        soap_action: Some(&action),
        body: bad.as_bytes(),
    });
    assert_eq!(r.status, 500);
    assert!(body_of(&r).contains("InvalidParameter"));
    assert_eq!(attempts.len(), 1, "E-3");
}

#[test]
fn getcode_answers_label_lines_and_error_responses() {
    let (r, _) = run(Call {
        method: "GET",
        path: "/solo/unlock/GetCode.asp",
        query: Some("LicenseID=1001&CustomerPW=demo1001&code1=321990713&code2=123456789"),
        content_type: None,
        soap_action: None,
        body: b"",
    });
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "text/html; charset=utf-8");
    assert_eq!(
        body_of(&r),
        "Registration code1 = 533723300<br>\r\nRegistration code2 = 0<br>\r\nLicense Update = Thanks ?3<br>\r\n"
    );
    for (query, expected) in [
        (
            "LicenseID=&CustomerPW=x&code1=1&code2=2",
            "Error Response = 100<br>\r\n",
        ),
        (
            "LicenseID=1001&CustomerPW=bad&code1=1&code2=2",
            "Error Response = 100<br>\r\n",
        ),
        (
            "LicenseID=1001&CustomerPW=demo1001&code1=x&code2=2",
            "Error Response = 500<br>\r\n",
        ),
    ] {
        let (r, attempts) = run(Call {
            method: "GET",
            path: "/solo/unlock/getcode.asp",
            query: Some(query),
            content_type: None,
            soap_action: None,
            body: b"",
        });
        assert_eq!(body_of(&r), expected, "{query}");
        assert_eq!(attempts.len(), 1);
    }
}

const LICENSE_ASMX: &str = "/solo/webservices/XmlLicenseService.asmx";
const LICENSE_AUTH: &str =
    "<AuthorID>1</AuthorID><UserID>demo</UserID><UserPassword>demo</UserPassword>";

#[test]
fn license_service_op_form_answers_child_xml_and_s_form_an_escaped_string() {
    let fake = Fake::default();
    let inner = format!(
        "<UpdateLicenseCustomData xmlns=\"\">{LICENSE_AUTH}<LicenseID>1001</LicenseID><LicenseCustomData>x</LicenseCustomData></UpdateLicenseCustomData>"
    );
    let envelope = format!(
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><UpdateLicenseCustomData xmlns="http://secure.softwarekey.com/solo/webservices/"><xml>{inner}</xml></UpdateLicenseCustomData></soap:Body></soap:Envelope>"#
    );
    let call = Call {
        path: LICENSE_ASMX,
        ..post11("UpdateLicenseCustomData", &envelope)
    };
    let answer = body(&run_with(&fake, &SoapConfig::default(), call));
    assert!(
        answer.contains("<UpdateLicenseCustomDataResult><UpdateLicenseCustomDataResult xmlns=\"\""),
        "{answer}"
    );
    assert_eq!(fake.custom.lock().unwrap().data.as_deref(), Some("x"));

    // The S form over POST: a malformed Xml fragment is 5002 and nothing changes.
    let bad = format!(
        "<UpdateLicenseCustomData>{LICENSE_AUTH}<LicenseID>1001</LicenseID><LicenseCustomData>&lt;a</LicenseCustomData><Format>Xml</Format></UpdateLicenseCustomData>"
    );
    let body_text: String = format!(
        "xml={}",
        bad.replace('<', "%3C")
            .replace('>', "%3E")
            .replace('&', "%26")
    );
    let r = post_form(
        &fake,
        (format!("{LICENSE_ASMX}/UpdateLicenseCustomData"), body_text),
    );
    let doc = inner_of(&r);
    assert!(doc.contains("<ResultCode>5002</ResultCode>"), "{doc}");
    assert_eq!(fake.custom.lock().unwrap().data.as_deref(), Some("x"));
    assert_eq!(
        fake.attempts.lock().unwrap().len(),
        1,
        "E-3: one attempt row"
    );
}

const LICENSE_FILE_ASMX: &str = "/solo/webservices/XmlLicenseFileService.asmx";

#[test]
fn get_license_file_over_soap_11_12_and_post_answers_the_sealed_license_wire_3_6() {
    let client = client();
    let op = "GetLicenseFile";
    let private_data = format!("<PrivateData><InstallationID>{INSTALLATION}</InstallationID><LicenseID>1001</LicenseID><SessionCode>r1</SessionCode></PrivateData>");
    let doc = client.seal_request(op, &private_data, true, true).unwrap();
    let soap11_body = soap11(op, &doc);
    let soap12_body = soap12(op, &doc);
    let form_body = format!("xml={}", form_escape(&doc));
    let calls = [
        (
            "text/xml; charset=utf-8",
            LICENSE_FILE_ASMX,
            soap11_body.as_str(),
        ),
        (
            "application/soap+xml; charset=utf-8",
            LICENSE_FILE_ASMX,
            soap12_body.as_str(),
        ),
        (
            "application/x-www-form-urlencoded",
            "/solo/webservices/XmlLicenseFileService.asmx/GetLicenseFile",
            form_body.as_str(),
        ),
    ];
    for (content_type, path, body) in calls {
        let (r, attempts) = run(Call {
            method: "POST",
            path,
            query: None,
            content_type: Some(content_type),
            soap_action: None,
            body: body.as_bytes(),
        });
        assert_eq!(r.status, 200, "{}", body_of(&r));
        assert_eq!(r.result_code, Some(0), "{}", body_of(&r));
        assert!(attempts.is_empty());
        let answer = client.open(&inner_of(&r)).unwrap();
        assert!(
            answer.signed && answer.encrypted,
            "answered protected alike"
        );
        let text = &answer.private_data_xml;
        assert!(
            text.contains("<SessionCode>r1</SessionCode><UpdateCounter>8</UpdateCounter><License><SoftwareKey>"),
            "{text}"
        );
        let license = client
            .open(extract_element(text, "SoftwareKey").unwrap())
            .unwrap();
        assert!(license.signed && license.encrypted);
        assert!(license
            .private_data_xml
            .contains("<UpdateCounter>8</UpdateCounter>"));
    }
}

#[test]
fn get_license_file_refusals_5015_5002_and_its_own_service() {
    let op = "GetLicenseFile";
    let call = |private_data: &str| {
        let body = soap11(op, &inner(op, private_data));
        let (r, attempts) = run(Call {
            method: "POST",
            path: LICENSE_FILE_ASMX,
            query: None,
            content_type: Some("text/xml; charset=utf-8"),
            soap_action: None,
            body: body.as_bytes(),
        });
        let doc = inner_of(&r);
        validate(op, &doc);
        (r.result_code, attempts.len(), doc)
    };
    let other_license = format!("<InstallationID>{INSTALLATION}</InstallationID><LicenseID>1002</LicenseID><SessionCode>r</SessionCode>");
    let (code, attempts, doc) = call(&other_license);
    assert_eq!((code, attempts), (Some(5015), 1), "§3.6: must own it");
    assert!(!doc.contains("<License>"), "{doc}");
    let no_session = format!("<InstallationID>{INSTALLATION}</InstallationID>");
    assert_eq!(call(&no_session).0, Some(5002), "SessionCode is required");
    let ok = format!("<InstallationID>{INSTALLATION}</InstallationID><SessionCode>r</SessionCode>");
    let (code, _, doc) = call(&ok);
    assert_eq!(code, Some(0));
    assert!(doc.contains("<License><SoftwareKey>"), "{doc}");

    // Not an operation of XmlActivationService; served with its own WSDL.
    let body = soap11(op, &inner(op, &ok));
    let (r, _) = run(post11(op, &body));
    assert!(body_of(&r).contains("UnknownOperation"), "{}", body_of(&r));
    let (r, _) = run(Call {
        method: "GET",
        path: LICENSE_FILE_ASMX,
        query: Some("WSDL"),
        content_type: None,
        soap_action: None,
        body: b"",
    });
    let wsdl = body_of(&r);
    assert!(
        wsdl.contains("http://licensing.example.com/solo/webservices/XmlLicenseFileService.asmx")
    );
    assert!(wsdl.contains("<wsdl:operation name=\"GetLicenseFile\">"));
}
