//! Implements the façade's [`BackOfficeService`] (XmlLicenseService, wire.md §3.7) over
//! the store: API users are checked against their argon2id hash on the blocking pool,
//! failures counted and throttled, and every call is scoped to the author.

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use std::sync::OnceLock;

use argon2::Argon2;
use time::Duration;
use unlockd_core::license_record::{
    ActivationFieldChanges, CustomData, CustomDataFormat, LicenseRecord,
};
use unlockd_core::password::{PasswordRules, DEFAULT_ACTIVATION_LENGTH};
use unlockd_core::{AuthorId, CustomerId, LicenseId, Password};
use unlockd_soap::service::{
    ActivationService, AddedLicense, AddedMultiple, ApiCredentials, BackOfficeRefusal,
    BackOfficeService, LicenseAdd, LicenseAddMultiple, Permission, ServiceError,
};
use unlockd_store::{BulkAdd, BulkListed, NewLicense, ThrottlePolicy};

use crate::adapter::{with_rng, StoreService};

/// Unless `[back_office]` says otherwise, five consecutive failures lock the API user
/// out for 15 minutes (wire.md §3: 5044; numbers ours).
pub(crate) const DEFAULT_THROTTLE: ThrottlePolicy = ThrottlePolicy {
    max_failures: 5,
    duration: Duration::minutes(15),
};

/// Verified against when the user is unknown, so that an unknown user and a wrong
/// password cost the same argon2 work (ERR-1 in spirit); hashed once per process.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| crate::admin::hash_password("unlockd-dummy").unwrap_or_default())
}

/// Whether `password` matches the PHC string `hash` (argon2id); a malformed stored
/// hash never matches.
fn verify(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// The outcome of one login, decided on the blocking pool.
enum Login {
    Ok(String),
    Refused(BackOfficeRefusal),
}

impl StoreService {
    /// Checks the triple against the author's API user (argon2id verify, failures
    /// counted and throttled) and that the user holds every one of `permissions`.
    pub(crate) async fn login(
        &self,
        credentials: ApiCredentials,
        permissions: &[Permission],
    ) -> Result<AuthorId, ServiceError> {
        let now = self.now();
        let author = credentials.author_id;
        let throttle = self.throttle();
        let login = self
            .blocking(move |store| {
                let Some(user) = store.api_user(author, &credentials.user_id)? else {
                    verify(dummy_hash(), &credentials.password);
                    return Ok(Login::Refused(BackOfficeRefusal::BadCredentials));
                };
                if user.throttled_until.is_some_and(|until| until > now) {
                    return Ok(Login::Refused(BackOfficeRefusal::Throttled));
                }
                let ok = verify(&user.password_hash, &credentials.password);
                store.record_login(user.id, ok, now, throttle)?;
                Ok(if ok {
                    Login::Ok(user.permissions)
                } else {
                    Login::Refused(BackOfficeRefusal::BadCredentials)
                })
            })
            .await?;
        match login {
            Login::Refused(refusal) => Err(ServiceError::BackOffice(refusal)),
            Login::Ok(held) => {
                let holds = |p: &Permission| held.split(',').any(|h| h.trim() == p.name());
                if permissions.iter().all(holds) {
                    Ok(author)
                } else {
                    Err(ServiceError::BackOffice(BackOfficeRefusal::Denied))
                }
            }
        }
    }
}

impl BackOfficeService for StoreService {
    async fn authenticate(
        &self,
        credentials: ApiCredentials,
        permission: Permission,
    ) -> Result<AuthorId, ServiceError> {
        self.login(credentials, &[permission]).await
    }

    async fn add_license(
        &self,
        author: AuthorId,
        add: LicenseAdd,
    ) -> Result<LicenseRecord, ServiceError> {
        let password = match add.activation_password.clone() {
            Some(password) => password,
            // PWD-3: alphanumeric without 0 O o 1 l I, default length.
            None => {
                let rules = PasswordRules::new("", None, false, false, DEFAULT_ACTIVATION_LENGTH)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?;
                with_rng(|rng| rules.generate_activation(rng))
            }
        };
        let mut license = NewLicense::new(add.option_id, add.customer_id, &password, self.now());
        license.id = add.license_id;
        license.status = add.status;
        license.quantity = add.quantity;
        license.activations_left = add.activations_left;
        license.deactivations_left = add.deactivations_left;
        license.license_counter = add.license_counter;
        license.expiration = add.expiration;
        license.distributor_id = add.distributor_id;
        license.invoice_number = add.invoice_number;
        license.notes = add.notes;
        license.custom_data = add.custom_data;
        license.udef_chars = add.user_defined_fields.chars;
        license.udef_nums = add.user_defined_fields.nums;
        self.blocking(move |store| store.add_license_for(author, &license, CustomDataFormat::Text))
            .await
    }

    async fn add_multiple(
        &self,
        author: AuthorId,
        add: LicenseAddMultiple,
    ) -> Result<AddedMultiple, ServiceError> {
        let req = BulkAdd {
            option_id: add.option_id,
            count: add.count,
            customer_id: add.customer_id,
            author_id: Some(author),
            unit_price: add.unit_price,
            invoice_number: add.invoice_number,
            distributor_id: add.distributor_id,
            notes: add.notes,
            parameters: add.parameters,
            passwords: add.passwords,
            sequential: add.sequential,
            entered_date: self.now(),
        };
        self.blocking(move |store| {
            let outcome = with_rng(|rng| store.bulk_add(&req, rng, &mut |_| true))?;
            let new_customers = outcome.customers.is_some();
            let licenses = store
                .bulk_listing(outcome.licenses)?
                .into_iter()
                .map(|l| added(l, new_customers))
                .collect::<Result<_, _>>()?;
            Ok(AddedMultiple {
                balance: outcome.balance,
                licenses,
            })
        })
        .await
    }

    async fn update_activation_fields(
        &self,
        author: AuthorId,
        license_id: LicenseId,
        changes: ActivationFieldChanges,
    ) -> Result<LicenseRecord, ServiceError> {
        self.blocking(move |store| store.update_activation_fields(author, license_id, &changes))
            .await
    }

    async fn license_info_for_client(
        &self,
        license_id: LicenseId,
        password: Password,
    ) -> Result<LicenseRecord, ServiceError> {
        self.blocking(move |store| store.license_record_for_client(license_id, &password))
            .await
    }

    async fn license_info(
        &self,
        author: AuthorId,
        license_id: LicenseId,
    ) -> Result<LicenseRecord, ServiceError> {
        self.blocking(move |store| store.license_record(author, license_id))
            .await
    }

    async fn license_custom_data(
        &self,
        author: AuthorId,
        license_id: LicenseId,
    ) -> Result<CustomData, ServiceError> {
        self.blocking(move |store| store.license_custom_data(author, license_id))
            .await
    }

    async fn update_license_custom_data(
        &self,
        author: AuthorId,
        license_id: LicenseId,
        custom: CustomData,
    ) -> Result<(), ServiceError> {
        self.blocking(move |store| store.set_license_custom_data(author, license_id, &custom))
            .await
    }
}

/// One listed license of a batch; the customer password only for the batch's new
/// customers (BLK-4: an existing customer's own password is never listed).
fn added(l: BulkListed, new_customer: bool) -> Result<AddedLicense, unlockd_store::StoreError> {
    let bad = |what: &str| unlockd_store::StoreError::Config(format!("batch listing: bad {what}"));
    Ok(AddedLicense {
        license_id: LicenseId::new(l.license_id).map_err(|_| bad("license ID"))?,
        activation_password: l.activation_password,
        customer_id: CustomerId::new(l.customer_id).map_err(|_| bad("customer ID"))?,
        customer_password: l.customer_password.filter(|_| new_customer),
    })
}
