//! The command line: `serve`, `migrate`, `demo` and the admin subcommands.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use unlockd_store::Store;

use crate::admin::{self, AdminCommand};
use crate::app::{Application, ServeOptions};
use crate::config::{Config, Overrides};
use crate::keyring::KeyRing;
use crate::{demo, offline, telemetry};

/// unlockd: a software-activation and licensing server speaking SOLO Server's SOAP dialect.
#[derive(Debug, Parser)]
#[command(name = "unlockd", version, about)]
pub struct Cli {
    /// Optional TOML configuration file.
    #[arg(long, global = true, env = "UNLOCKD_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL: `sqlite://PATH` (relative), `sqlite:///ABS/PATH`, or
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DB` (also `UNLOCKD_DATABASE_URL`).
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Create or update the database schema, then exit.
    Migrate,
    /// Seed the fixed demo data (when absent) and print it.
    Demo,
    /// Offline activation by hand (wire.md §7).
    #[command(subcommand)]
    Offline(OfflineCmd),
    /// Administration of the data the server uses.
    #[command(flatten)]
    Admin(AdminCommand),
}

/// `unlockd offline …`.
#[derive(Debug, Subcommand)]
enum OfflineCmd {
    /// Answer a request file (PLUS 5 request document or PP4 activation file) as
    /// ManualRequest.aspx does: the response on stdout, exit 0; else code and text on
    /// stderr, exit 2.
    Respond {
        /// The request file.
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on (also `UNLOCKD_BIND`).
    #[arg(long)]
    bind: Option<SocketAddr>,
    /// Seed the fixed demo data when absent and print it with a curl command.
    #[arg(long)]
    demo: bool,
    /// Let `POST /_test/clock` move the server clock forward (tests only).
    #[arg(long)]
    test_clock: bool,
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let bind = match &cli.command {
        Command::Serve(args) => args.bind,
        _ => None,
    };
    let overrides = Overrides {
        bind,
        database_url: cli.database_url.clone(),
    };
    let config = Config::load(cli.config.as_deref(), &overrides)?;
    telemetry::init(&config.log);
    match cli.command {
        Command::Serve(args) => serve(config, &args),
        Command::Migrate => {
            let store = open_store(&config)?;
            let shown = config.database.display_url();
            tracing::info!(database = %shown, "database migrated");
            drop(store);
            println!("database {shown} is up to date");
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo => {
            let store = open_store(&config)?;
            let seeded = demo::seed(&store, &KeyRing::from_config(&config)?)?;
            demo::print(&seeded, &config);
            Ok(ExitCode::SUCCESS)
        }
        Command::Offline(OfflineCmd::Respond { file }) => {
            let store = open_store(&config)?;
            offline::respond(&config, store, &file)
        }
        Command::Admin(cmd) => {
            let store = open_store(&config)?;
            admin::run(&store, &KeyRing::from_config(&config)?, cmd)
        }
    }
}

/// Opens (creating if needed) and migrates the configured database.
fn open_store(config: &Config) -> anyhow::Result<Arc<Store>> {
    let url = unlockd_store::DatabaseUrl::parse(&config.database.url).context("database URL")?;
    let options = unlockd_store::StoreOptions {
        pool_size: config.database.pool_size,
        ..unlockd_store::StoreOptions::default()
    };
    let store = Store::open(&url, options).context("opening the database")?;
    store.migrate().context("migrating the database")?;
    Ok(Arc::new(store))
}

fn serve(config: Config, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&config)?;
    if args.demo {
        let seeded = demo::seed(&store, &KeyRing::from_config(&config)?)?;
        demo::print(&seeded, &config);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let app = Application::build(
            config,
            store,
            ServeOptions {
                test_clock: args.test_clock,
            },
        )
        .await?;
        let addr = app.local_addr()?;
        tracing::info!(%addr, "unlockd listening");
        println!("unlockd listening on http://{addr}");
        app.run_until_stopped(stop_signal()).await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Resolves on SIGINT or SIGTERM.
async fn stop_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
