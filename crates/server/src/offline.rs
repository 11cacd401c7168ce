//! `unlockd offline respond <file>` (wire.md §7.2, §7.4): answers a request file
//! carried out of an air-gapped site exactly as ManualRequest.aspx would, printing the
//! response to stdout (exit 0) or the code and text to stderr (exit 2).

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use unlockd_soap::OfflineAnswer;
use unlockd_store::Store;

use crate::adapter::StoreService;
use crate::app::policy;
use crate::clock::{Clock, ServerClock};
use crate::config::Config;
use crate::http::soap_config;
use crate::keyring::KeyRing;

/// Answers the request in `file`.
pub fn respond(config: &Config, store: Arc<Store>, file: &Path) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    // Not UTF-8: no document can be found in it, which answers 5001.
    let text = String::from_utf8_lossy(&bytes);
    let clock: Arc<dyn Clock> = Arc::new(ServerClock::default());
    let service = StoreService::new(store, clock, policy(config), KeyRing::from_config(config)?);
    let soap = soap_config(config);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let answer = runtime.block_on(unlockd_soap::offline_respond(
        &service, &soap, &text, None, "cli",
    ));
    match answer {
        OfflineAnswer::Response { text, .. } => {
            print!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        OfflineAnswer::Refused { code, message, .. } => {
            eprintln!("{code} {message}");
            Ok(ExitCode::from(2))
        }
    }
}
