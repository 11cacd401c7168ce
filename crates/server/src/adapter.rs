//! Implements the façade's [`ActivationService`] and [`FloatingService`] over the store: every store call runs
//! on the blocking pool inside the caller's span, with `now` from the server clock and
//! randomness from a per-thread ChaCha20 generator seeded by the OS.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use unlockd_core::activation::{ActivationRequest, Policy};
use unlockd_core::counter::{DecrementRequest, Decremented};
use unlockd_core::deactivation::{Deactivated, DeactivationRequest};
use unlockd_core::floating::{OpenRequest, SessionGrant, SessionRequest};
use unlockd_core::history::Attempt;
use unlockd_core::status_check::{CheckRefused, CheckRequest, InstallationStatus};
use unlockd_core::udf::{UdfRequest, UdfUpdated};
use unlockd_core::{EncryptionKeyId, LicenseId, Refusal};
use unlockd_soap::crypto::KeySet;
use unlockd_soap::service::{
    Activation, ActivationService, BackOfficeRefusal, FloatingService, LegacyGrant, LegacyRefusal,
    LegacyService, LicenseStatusReport, ManualContext, OfflineClaim, RequestContext, ServiceError,
};
use unlockd_store::{Activated, Store, StoreError, ThrottlePolicy};

use crate::clock::Clock;
use crate::keyring::KeyRing;

mod license_file;

thread_local! {
    static RNG: RefCell<ChaCha20Rng> = RefCell::new(ChaCha20Rng::from_os_rng());
}

/// The production service: the store plus a cache of parsed key sets.
pub struct StoreService {
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    policy: Policy,
    keys: RwLock<HashMap<EncryptionKeyId, Arc<KeySet>>>,
    keyring: KeyRing,
    throttle: ThrottlePolicy,
}

impl StoreService {
    /// Wraps a store; `keyring` opens the sealed ServerKeys (issue 7).
    pub fn new(store: Arc<Store>, clock: Arc<dyn Clock>, policy: Policy, keyring: KeyRing) -> Self {
        Self {
            store,
            clock,
            policy,
            keys: RwLock::new(HashMap::new()),
            keyring,
            throttle: crate::license_adapter::DEFAULT_THROTTLE,
        }
    }

    /// Sets the failed-login throttle of the back office (`[back_office]`).
    pub fn with_throttle(mut self, throttle: ThrottlePolicy) -> Self {
        self.throttle = throttle;
        self
    }

    /// The failed-login throttle of the back office.
    pub(crate) fn throttle(&self) -> ThrottlePolicy {
        self.throttle
    }

    /// Runs `f` on the blocking pool, inside the current span.
    pub(crate) async fn blocking<T, F>(&self, f: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        let span = tracing::Span::current();
        let joined = tokio::task::spawn_blocking(move || span.in_scope(|| f(&store))).await;
        match joined {
            Ok(result) => result.map_err(service_error),
            Err(e) => {
                tracing::error!(error = %e, "store task panicked");
                Err(ServiceError::Internal("store task failed".to_owned()))
            }
        }
    }
}

/// Maps the store's errors to the façade's; logs what the client will not see.
fn service_error(e: StoreError) -> ServiceError {
    match e {
        StoreError::Refused(r) => ServiceError::Refused(r),
        StoreError::KeyNotForLicense => ServiceError::KeyNotForLicense,
        StoreError::Busy => ServiceError::Refused(Refusal::Busy),
        StoreError::OfflineReused => ServiceError::OfflineReused,
        StoreError::UnknownReference(what) => {
            tracing::info!(what, "unknown or foreign reference");
            ServiceError::BackOffice(BackOfficeRefusal::UnknownReference)
        }
        StoreError::IdTaken => ServiceError::BackOffice(BackOfficeRefusal::IdTaken),
        other => {
            tracing::error!(error = %other, "store failure");
            ServiceError::Internal(other.to_string())
        }
    }
}

/// The store's form of an offline request's one-use claim (wire.md §7.3).
fn store_claim(c: OfflineClaim) -> unlockd_store::OfflineClaim {
    unlockd_store::OfflineClaim {
        key: c.key,
        subject: c.subject,
        session_code: c.session_code,
    }
}

fn activation(done: Activated) -> Activation {
    Activation {
        grant: done.grant,
        license_file: done.license_file,
        license_update: done.license_update,
        minimum_version: done.minimum_version,
        minimum_version_url: done.minimum_version_url,
    }
}

pub(crate) fn with_rng<T>(f: impl FnOnce(&mut ChaCha20Rng) -> T) -> T {
    RNG.with(|rng| f(&mut rng.borrow_mut()))
}

impl ActivationService for StoreService {
    fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }

    async fn key_set(&self, id: EncryptionKeyId) -> Result<Option<Arc<KeySet>>, ServiceError> {
        if let Some(found) = self.keys.read().ok().and_then(|k| k.get(&id).cloned()) {
            return Ok(Some(found));
        }
        let Some(row) = self.blocking(move |s| s.key(id)).await? else {
            return Ok(None);
        };
        if row.revoked_at.is_some() {
            return Ok(None);
        }
        let server_private = self.keyring.server_private(&row).map_err(|e| {
            tracing::error!(key = %id, error = %e, "stored key cannot be opened");
            ServiceError::Internal("stored key cannot be opened".to_owned())
        })?;
        let set = KeySet::from_pems(id, &server_private, &row.client_public_pem).map_err(|e| {
            tracing::error!(key = %id, error = %e, "stored key does not parse");
            ServiceError::Internal("stored key does not parse".to_owned())
        })?;
        let set = Arc::new(set);
        if let Ok(mut cache) = self.keys.write() {
            cache.insert(id, Arc::clone(&set));
        }
        Ok(Some(set))
    }

    async fn activate(
        &self,
        req: ActivationRequest,
        ctx: RequestContext,
    ) -> Result<Activation, ServiceError> {
        let now = self.clock.now();
        let policy = self.policy;
        let claim = ctx.offline.map(store_claim);
        let done = self
            .blocking(move |s| {
                with_rng(|rng| match &claim {
                    None => s.activate_detailed(&req, ctx.key_id, now, &policy, rng),
                    Some(claim) => {
                        s.activate_offline(&req, Some(ctx.key_id), Some(claim), now, &policy, rng)
                    }
                })
            })
            .await?;
        Ok(activation(done))
    }

    async fn activate_manual(
        &self,
        req: ActivationRequest,
        ctx: ManualContext,
    ) -> Result<Activation, ServiceError> {
        let now = self.clock.now();
        // E-2: an activation file's session may date from when it was written.
        let policy = Policy {
            offline: ctx.offline.is_some(),
            ..self.policy
        };
        let claim = ctx.offline.map(store_claim);
        let done = self
            .blocking(move |s| {
                with_rng(|rng| s.activate_offline(&req, None, claim.as_ref(), now, &policy, rng))
            })
            .await?;
        Ok(activation(done))
    }

    async fn offact_key(&self, license_id: LicenseId) -> Result<Option<String>, ServiceError> {
        self.blocking(move |s| s.offact_key(license_id)).await
    }

    async fn manual_trigger_codes_allowed(
        &self,
        license_id: LicenseId,
    ) -> Result<Option<bool>, ServiceError> {
        self.blocking(move |s| s.manual_trigger_codes_allowed(license_id))
            .await
    }

    async fn check_installation(
        &self,
        req: CheckRequest,
        _ctx: RequestContext,
    ) -> Result<Result<InstallationStatus, CheckRefused>, ServiceError> {
        let now = self.clock.now();
        let policy = self.policy;
        // The read path (errata E-16): on SQLite the one-statement read runs right
        // here, sparing the two thread switches of the blocking pool.
        if let Some(done) = self.store.try_check_installation_now(&req, now, &policy) {
            return done.map_err(service_error);
        }
        self.blocking(move |s| s.check_installation(&req, now, &policy))
            .await
    }

    async fn deactivate(
        &self,
        req: DeactivationRequest,
        ctx: RequestContext,
    ) -> Result<Deactivated, ServiceError> {
        let now = self.clock.now();
        let policy = self.policy;
        let claim = ctx.offline.map(store_claim);
        self.blocking(move |s| match &claim {
            None => s.deactivate(&req, now, &policy),
            Some(claim) => s.deactivate_offline(&req, claim, now, &policy),
        })
        .await
    }

    async fn decrement_counter(
        &self,
        req: DecrementRequest,
        transaction_id: Option<String>,
        _ctx: RequestContext,
    ) -> Result<Decremented, ServiceError> {
        let now = self.clock.now();
        let policy = self.policy;
        self.blocking(move |s| s.decrement_counter(&req, transaction_id.as_deref(), now, &policy))
            .await
    }

    async fn update_user_defined_fields(
        &self,
        req: UdfRequest,
        _ctx: RequestContext,
    ) -> Result<UdfUpdated, ServiceError> {
        let now = self.clock.now();
        let policy = self.policy;
        self.blocking(move |s| s.update_user_defined_fields(&req, now, &policy))
            .await
    }

    async fn record_attempt(&self, attempt: Attempt) -> Result<(), ServiceError> {
        let now = self.clock.now();
        self.blocking(move |s| s.record_attempt(&attempt, now))
            .await
    }
}

impl FloatingService for StoreService {
    async fn open_session(
        &self,
        req: OpenRequest,
        installation_name: Option<String>,
        ctx: RequestContext,
    ) -> Result<SessionGrant, ServiceError> {
        let now = self.clock.now();
        let policy = self.policy;
        let claim = ctx.offline.map(store_claim);
        let name = installation_name;
        self.blocking(move |s| {
            with_rng(|rng| match &claim {
                None => s.open_session(&req, name.as_deref(), ctx.key_id, now, &policy, rng),
                Some(claim) => s.open_session_offline(
                    &req,
                    name.as_deref(),
                    ctx.key_id,
                    claim,
                    now,
                    &policy,
                    rng,
                ),
            })
        })
        .await
    }

    async fn session_action(
        &self,
        req: SessionRequest,
        ctx: RequestContext,
    ) -> Result<SessionGrant, ServiceError> {
        let now = self.clock.now();
        let policy = self.policy;
        let claim = ctx.offline.map(store_claim);
        self.blocking(move |s| match &claim {
            None => s.session_action(&req, ctx.key_id, now, &policy),
            Some(claim) => s.session_action_offline(&req, ctx.key_id, claim, now, &policy),
        })
        .await
    }
}

impl LegacyService for StoreService {
    async fn activate_legacy(
        &self,
        req: ActivationRequest,
        serial: Option<i32>,
    ) -> Result<LegacyGrant, LegacyRefusal> {
        let now = self.clock.now();
        let policy = self.policy;
        let license_id = req.license_id;
        let done = self
            .blocking(move |s| with_rng(|rng| s.activate_legacy(&req, serial, now, &policy, rng)))
            .await;
        match done {
            Ok(done) => Ok(LegacyGrant {
                grant: done.grant,
                product_name: done.product_name,
                quantity: done.quantity,
                license_update: done.license_update,
            }),
            // ActivateLicense tells an Expired status (450) from the others (500).
            Err(error @ ServiceError::Refused(Refusal::Status)) => {
                let state = self.blocking(move |s| s.license_state(license_id)).await;
                Err(LegacyRefusal {
                    error,
                    license_status: state.ok().flatten().map(|l| l.status),
                })
            }
            Err(error) => Err(LegacyRefusal {
                error,
                license_status: None,
            }),
        }
    }

    async fn license_status(
        &self,
        license_id: unlockd_core::LicenseId,
        password: unlockd_core::Password,
        product_id: Option<unlockd_core::ProductId>,
    ) -> Result<LicenseStatusReport, ServiceError> {
        let (status, replaced_by, license_update) = self
            .blocking(move |s| s.license_status_query(license_id, &password, product_id))
            .await?;
        Ok(LicenseStatusReport {
            status,
            replaced_by,
            license_update,
        })
    }

    async fn register_customer(
        &self,
        license_id: unlockd_core::LicenseId,
        password: unlockd_core::Password,
        contact: unlockd_core::pp4_post::ContactData,
    ) -> Result<(), ServiceError> {
        self.blocking(move |s| s.register_customer(license_id, &password, &contact))
            .await
    }

    async fn post_usage_counters(
        &self,
        license_id: unlockd_core::LicenseId,
        password: Option<unlockd_core::Password>,
        counters: unlockd_core::pp4_post::UsageCounters,
    ) -> Result<String, ServiceError> {
        let now = self.clock.now();
        self.blocking(move |s| s.post_usage_counters(license_id, password.as_ref(), counters, now))
            .await
    }
}
