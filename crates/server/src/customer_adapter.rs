//! Implements the façade's [`CustomerService`] (XmlCustomerService and licenseserver.asmx,
//! wire.md §3.8) over the store, scoped to the authenticated author; passwords of new
//! licenses and customers are drawn here (rules PWD-1..3).

use unlockd_core::customer_record::{CustomerChanges, CustomerRecord};
use unlockd_core::password::{PasswordRules, DEFAULT_ACTIVATION_LENGTH};
use unlockd_core::{AuthorId, CustomerId};
use unlockd_soap::service::{
    ActivationService, ApiCredentials, CustomerService, LicenseWithCustomer, Permission,
    ServiceError, UnregisteredOrder,
};
use unlockd_store::NewLicense;

use crate::adapter::{with_rng, StoreService};

impl CustomerService for StoreService {
    async fn authenticate_all(
        &self,
        credentials: ApiCredentials,
        permissions: &'static [Permission],
    ) -> Result<AuthorId, ServiceError> {
        self.login(credentials, permissions).await
    }

    async fn customer(
        &self,
        author: AuthorId,
        id: CustomerId,
    ) -> Result<CustomerRecord, ServiceError> {
        self.blocking(move |store| store.customer_of(author, id))
            .await
    }

    async fn search_customers(
        &self,
        author: AuthorId,
        email: String,
    ) -> Result<Vec<CustomerRecord>, ServiceError> {
        self.blocking(move |store| store.customers_by_email(author, &email))
            .await
    }

    async fn add_customer(
        &self,
        author: AuthorId,
        customer: CustomerChanges,
    ) -> Result<CustomerRecord, ServiceError> {
        let now = self.now();
        self.blocking(move |store| store.add_customer_for(author, customer, now))
            .await
    }

    async fn update_customer(
        &self,
        author: AuthorId,
        id: CustomerId,
        changes: CustomerChanges,
    ) -> Result<CustomerRecord, ServiceError> {
        self.blocking(move |store| store.update_customer_for(author, id, changes))
            .await
    }

    async fn add_license_and_unregistered_customer(
        &self,
        author: AuthorId,
        order: UnregisteredOrder,
    ) -> Result<LicenseWithCustomer, ServiceError> {
        // PWD-1/2 for the customer password (6 alphanumerics), PWD-3 for the license's.
        let rules = PasswordRules::new("", None, false, false, DEFAULT_ACTIVATION_LENGTH)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let (license_password, customer_password) =
            with_rng(|rng| (rules.generate_activation(rng), rules.generate(rng)));
        // The customer ID is the new customer's, set by the store.
        let placeholder = CustomerId::new(1).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let mut license =
            NewLicense::new(order.option_id, placeholder, &license_password, self.now());
        license.quantity = order.quantity;
        license.distributor_id = order.distributor_id;
        license.notes = order.notes;
        let created = self
            .blocking(move |store| {
                store.add_license_and_customer(author, &license, &customer_password)
            })
            .await?;
        Ok(LicenseWithCustomer {
            license: created.license,
            customer_password: created.customer_password,
        })
    }
}
