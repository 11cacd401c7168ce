//! The running server: `Application::build` opens and migrates the database and binds
//! the listener (so port 0 works in tests); `run_until_stopped` serves until the
//! shutdown future resolves, then drains in-flight requests.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use unlockd_core::activation::Policy;
use unlockd_store::Store;

use crate::adapter::StoreService;
use crate::clock::{Clock, ServerClock};
use crate::config::Config;
use crate::http::{self, AppState};
use crate::keyring::KeyRing;

/// A bound, migrated server that has not started serving yet.
pub struct Application {
    listener: TcpListener,
    state: Arc<AppState>,
    config: Config,
}

/// Switches of `unlockd serve` that are not configuration.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServeOptions {
    /// Serve `POST /_test/clock` (errata E-23).
    pub test_clock: bool,
}

/// The rules policy of `config`.
pub(crate) fn policy(config: &Config) -> Policy {
    Policy {
        clock_tolerance: time::Duration::hours(config.rules.clock_tolerance_hours),
        ..Policy::default()
    }
}

impl Application {
    /// Opens the store, binds the listener and builds the shared state.
    pub async fn build(
        config: Config,
        store: Arc<Store>,
        opts: ServeOptions,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.server.bind)
            .await
            .with_context(|| format!("binding {}", config.server.bind))?;
        let clock = Arc::new(ServerClock::default());
        let service = StoreService::new(
            store,
            Arc::clone(&clock) as Arc<dyn Clock>,
            policy(&config),
            KeyRing::from_config(&config)?,
        )
        .with_throttle(unlockd_store::ThrottlePolicy {
            max_failures: config.back_office.throttle_failures,
            duration: time::Duration::minutes(config.back_office.throttle_minutes),
        });
        let state = Arc::new(AppState::new(&config, service, clock, opts.test_clock));
        Ok(Self {
            listener,
            state,
            config,
        })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves until `shutdown` resolves, then stops accepting and lets in-flight
    /// requests finish for up to the configured grace period.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
        let graceful = GracefulShutdown::new();
        let permits = Arc::new(Semaphore::new(self.config.server.max_connections));
        let header_timeout = self.config.server.header_timeout();
        tokio::pin!(shutdown);
        loop {
            let permit = tokio::select! {
                permit = Arc::clone(&permits).acquire_owned() => permit.context("connection semaphore closed")?,
                () = &mut shutdown => break,
            };
            let (stream, peer) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let _ = stream.set_nodelay(true);
            let state = Arc::clone(&self.state);
            let service = service_fn(move |req| http::serve(Arc::clone(&state), peer, req));
            let conn = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(stream), service);
            let conn = graceful.watch(conn);
            tokio::spawn(async move {
                if let Err(e) = conn.await {
                    tracing::debug!(error = %e, %peer, "connection ended with an error");
                }
                drop(permit);
            });
        }
        drop(self.listener);
        tracing::info!("stop signal received; draining connections");
        tokio::select! {
            () = graceful.shutdown() => tracing::info!("all connections closed"),
            () = tokio::time::sleep(self.config.server.shutdown_grace()) => {
                tracing::warn!("grace period over; closing remaining connections");
            }
        }
        Ok(())
    }
}
