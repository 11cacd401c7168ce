//! `unlockd`: the licensing server binary. Thin: parse the command line, load the
//! configuration, set up logging, run the subcommand.

mod adapter;
mod admin;
mod app;
mod back_office;
mod cli;
mod clock;
mod config;
mod customer_adapter;
mod demo;
mod export;
mod http;
mod keyring;
mod license_adapter;
mod offline;
mod product_admin;
mod telemetry;
mod update_adapter;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("unlockd: {e:#}");
            ExitCode::FAILURE
        }
    }
}
