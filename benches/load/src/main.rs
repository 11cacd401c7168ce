//! `unlockd-load`: the load harness of issue 5.
//!
//! Loopback only, bounded in request count and in time. Subcommands:
//! - `echo`: a minimal hyper server answering one fixed SOAP body (the ceiling of
//!   this machine for the same client and HTTP stack);
//! - `setup`: licenses with enough seats, created with the `unlockd` admin CLI;
//!   prints the shell `export` lines `run` needs;
//! - `run`: drives ActivateInstallationLicenseFile (`alf`), ActivateInstallation
//!   (`pp4`), CheckInstallationStatus (`check`) or PollSession (`poll`, issue 6) at a
//!   chosen concurrency and prints throughput, p50/p99/p999 latency, error counts
//!   and the server's peak RSS;
//! - `commits`: the raw single-row commit rate of a database with the server's
//!   durability settings, to report activations/s ÷ commits/s.

mod commits;
mod echo;
mod requests;
mod run;
mod setup;
mod stats;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Command line of `unlockd-load`.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the fixed SOAP answer (the echo ceiling) until killed.
    Echo {
        /// Listen address (loopback).
        #[arg(long, default_value = "127.0.0.1:0")]
        bind: SocketAddr,
    },
    /// Create the load's option and licenses through `unlockd` admin subcommands.
    Setup(setup::SetupArgs),
    /// Drive load at a running server and print the figures.
    Run(run::RunArgs),
    /// Measure the raw single-row commit rate of a database.
    Commits {
        /// `sqlite://PATH` (a scratch file is created there) or `postgres://…`.
        #[arg(long)]
        database_url: String,
        /// Commits per thread.
        #[arg(long, default_value_t = 2000)]
        count: u32,
        /// Concurrent committers, one connection each.
        #[arg(long, default_value_t = 1)]
        threads: u32,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Echo { bind } => echo::serve(bind),
        Command::Setup(args) => setup::setup(&args),
        Command::Run(args) => run::run(&args),
        Command::Commits {
            database_url,
            count,
            threads,
        } => commits::measure(&database_url, count, threads),
    }
}

/// The `unlockd` binary next to this one (same target directory) unless given.
pub(crate) fn default_unlockd() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("unlockd")))
        .unwrap_or_else(|| PathBuf::from("unlockd"))
}
