//! Implements the façade's [`UpdateCheckService`] (UpdateCheck, updatecheck.asp) over
//! the store, with today's date from the server clock (rules EXP-3, C-1).

use unlockd_core::LicenseId;
use unlockd_soap::service::{
    ActivationService, ServiceError, UpdateCheckRequest, UpdateCheckService, UpdateReport,
};

use crate::adapter::StoreService;

impl UpdateCheckService for StoreService {
    async fn update_check(
        &self,
        license_id: LicenseId,
        req: UpdateCheckRequest,
    ) -> Result<UpdateReport, ServiceError> {
        let today = self.now().date();
        self.blocking(move |store| store.update_check(license_id, &req, today))
            .await
    }
}
