//! Licenses for the load, created through the real `unlockd` admin subcommands
//! (errata E-23) on the demo product 1 and customer 1 (`unlockd serve --demo`).

use std::path::PathBuf;
use std::process::Command;

use anyhow::{ensure, Context};
use clap::Args;

/// Arguments of `unlockd-load setup`.
#[derive(Debug, Args)]
pub struct SetupArgs {
    /// The server's database (`UNLOCKD_DATABASE_URL` of `unlockd serve`).
    #[arg(long)]
    pub database_url: String,
    /// The `unlockd` binary; default: next to this one.
    #[arg(long)]
    pub unlockd: Option<PathBuf>,
    /// Option number to create.
    #[arg(long, default_value_t = 70)]
    pub option: i32,
    /// First license number; licenses are `first .. first + licenses`.
    #[arg(long, default_value_t = 7000)]
    pub first_license: i32,
    /// How many licenses (writers of different licenses do not queue on one row).
    #[arg(long, default_value_t = 16)]
    pub licenses: i32,
    /// Activations each license allows.
    #[arg(long, default_value_t = 1_000_000)]
    pub seats: i32,
    /// If not 0: also a floating option (number `option + 1`, the demo's Network
    /// Floating set 1) and license [`FLOATING_LICENSE`] with this many seats.
    #[arg(long, default_value_t = 0)]
    pub floating_seats: i32,
}

/// The floating license of `--floating-seats`.
pub const FLOATING_LICENSE: i32 = 9000;

/// The activation password of a load license.
pub fn password(license: i32) -> String {
    format!("load{license}")
}

/// Creates the option and the licenses.
pub fn setup(a: &SetupArgs) -> anyhow::Result<()> {
    let bin = a.unlockd.clone().unwrap_or_else(crate::default_unlockd);
    let admin = |args: &[String]| -> anyhow::Result<()> {
        let out = Command::new(&bin)
            .args(args)
            .env("UNLOCKD_DATABASE_URL", &a.database_url)
            .env("RUST_LOG", "error")
            .output()
            .with_context(|| format!("running {}", bin.display()))?;
        ensure!(
            out.status.success(),
            "unlockd {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(())
    };
    let s = |v: &str| v.to_owned();
    admin(&[
        s("option"),
        s("add"),
        s("--id"),
        a.option.to_string(),
        s("--product"),
        s("1"),
        s("--name"),
        s("Load"),
        s("--activations"),
        a.seats.to_string(),
        s("--issue-installation-id"),
        s("--deactivations"),
        s("-1"),
    ])?;
    for id in a.first_license..a.first_license + a.licenses {
        admin(&[
            s("license"),
            s("add"),
            s("--id"),
            id.to_string(),
            s("--option"),
            a.option.to_string(),
            s("--customer"),
            s("1"),
            s("--password"),
            password(id),
        ])?;
    }
    if a.floating_seats > 0 {
        let option = a.option + 1;
        admin(&[
            s("option"),
            s("add"),
            s("--id"),
            option.to_string(),
            s("--product"),
            s("1"),
            s("--name"),
            s("Load floating"),
            s("--license-counter"),
            a.floating_seats.to_string(),
            s("--floating-set"),
            s("1"),
        ])?;
        admin(&[
            s("license"),
            s("add"),
            s("--id"),
            FLOATING_LICENSE.to_string(),
            s("--option"),
            option.to_string(),
            s("--customer"),
            s("1"),
            s("--password"),
            password(FLOATING_LICENSE),
        ])?;
        println!(
            "created floating option {option} and license {FLOATING_LICENSE} with {} seats",
            a.floating_seats
        );
    }
    println!(
        "created option {} and licenses {}..{} with {} seats each",
        a.option,
        a.first_license,
        a.first_license + a.licenses - 1,
        a.seats
    );
    Ok(())
}
