//! [`LicenseFileService`] over the store: GetLicenseFile (wire.md §3.6, rules CHK-1).

use unlockd_core::refresh::RefreshRequest;
use unlockd_soap::service::{LicenseFileData, LicenseFileService, RequestContext, ServiceError};

use super::{store_claim, StoreService};

impl LicenseFileService for StoreService {
    async fn refresh_license_file(
        &self,
        req: RefreshRequest,
        ctx: RequestContext,
    ) -> Result<LicenseFileData, ServiceError> {
        let now = self.clock.now();
        let policy = self.policy;
        let claim = ctx.offline.map(store_claim);
        self.blocking(move |s| {
            s.refresh_license_file(&req, ctx.key_id, claim.as_ref(), now, &policy)
        })
        .await
    }
}
