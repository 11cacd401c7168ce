//! Back-office subcommands: `license add-multiple` (seed 000, rules BLK/SEQ/PWD,
//! errata E-6: no cap on the CLI), `license list`, `license export --csv` (errata
//! E-17), `invoice add` (INV-1) and `distributor add` (DST-1).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use time::{Date, OffsetDateTime};
use unlockd_core::bulk::BulkCount;
use unlockd_core::invoice::{InvoiceTotals, Money};
use unlockd_core::password::{PasswordRules, DEFAULT_ACTIVATION_LENGTH};
use unlockd_core::{CustomerId, LicenseStatus, OptionId, ProductId};
use unlockd_store::{BulkAdd, LicenseFilter, LicenseListing, NewDistributor, NewInvoice, Store};

use crate::export::LicenseCsv;

/// `license add-multiple`.
#[derive(Debug, Args)]
pub struct AddMultipleArgs {
    /// Product option to license.
    #[arg(long)]
    option: i32,
    /// Number of licenses (no cap on the CLI, errata E-6).
    #[arg(long, allow_hyphen_values = true)]
    count: i64,
    /// Existing customer receiving every license; absent: one new unregistered
    /// customer per license.
    #[arg(long)]
    customer: Option<i32>,
    /// Unit price (decimal, ≥ 0).
    #[arg(long, default_value = "0")]
    unit_price: String,
    /// Existing invoice to link (INV-1).
    #[arg(long)]
    invoice: Option<String>,
    /// Enabled distributor (DST-1).
    #[arg(long)]
    distributor: Option<i32>,
    /// Password prefix (PWD-1/2, E-14).
    #[arg(long, default_value = "")]
    prefix: String,
    /// Whole password length including the prefix (PWD-1).
    #[arg(long)]
    length: Option<usize>,
    /// Numeric random part (PWD-2).
    #[arg(long)]
    numeric: bool,
    /// Use the password rules for the activation password too (PWD-3).
    #[arg(long)]
    use_password_rules: bool,
    /// Activation Password Length setting (PWD-3).
    #[arg(long, default_value_t = DEFAULT_ACTIVATION_LENGTH)]
    activation_length: usize,
    /// License notes.
    #[arg(long, default_value = "")]
    notes: String,
    /// Custom license parameter `NAME=VALUE` (repeatable).
    #[arg(long = "param")]
    params: Vec<String>,
    /// Req Sequential (SEQ-2).
    #[arg(long, visible_alias = "req-sequential")]
    seq: bool,
    /// Write the created licenses to this CSV file (errata E-17).
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Seed the password RNG (reproducible output; tests).
    #[arg(long)]
    seed: Option<u64>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

/// Filters shared by `license list` and `license export`.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Product option.
    #[arg(long)]
    option: Option<i32>,
    /// Product.
    #[arg(long)]
    product: Option<i32>,
    /// Customer.
    #[arg(long)]
    customer: Option<i32>,
    /// Distributor.
    #[arg(long)]
    distributor: Option<i32>,
    /// Invoice number.
    #[arg(long)]
    invoice: Option<String>,
    /// Status name (OK, Void, …).
    #[arg(long)]
    status: Option<String>,
    /// Lowest license ID.
    #[arg(long)]
    from: Option<i32>,
    /// Highest license ID.
    #[arg(long)]
    to: Option<i32>,
}

/// `license export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output file; `-` for standard output.
    #[arg(long)]
    csv: PathBuf,
    #[command(flatten)]
    filter: FilterArgs,
}

/// `invoice add`.
#[derive(Debug, Args)]
pub struct InvoiceAddArgs {
    /// Invoice number.
    #[arg(long)]
    number: String,
    /// Billed customer.
    #[arg(long)]
    customer: i32,
    /// Invoice date `YYYY-MM-DD` (today when absent).
    #[arg(long)]
    date: Option<String>,
    /// Amount Tax.
    #[arg(long, default_value = "0")]
    tax: String,
    /// Amount Shipping.
    #[arg(long, default_value = "0")]
    shipping: String,
    /// Amount Discount.
    #[arg(long, default_value = "0")]
    discount: String,
    /// Amount Charged.
    #[arg(long, default_value = "0")]
    charged: String,
}

/// `distributor add`.
#[derive(Debug, Args)]
pub struct DistributorAddArgs {
    /// The customer that is the distributor (DST-1).
    #[arg(long)]
    customer: i32,
    /// Discount percentage.
    #[arg(long, default_value = "0")]
    discount: String,
    /// Cost.
    #[arg(long, default_value = "0")]
    cost: String,
    /// Create it disabled.
    #[arg(long)]
    disabled: bool,
}

fn money(what: &str, s: &str) -> anyhow::Result<Money> {
    Money::parse_non_negative(s).with_context(|| format!("invalid {what} `{s}`"))
}

fn id<T>(
    what: &str,
    make: impl FnOnce(i32) -> Result<T, unlockd_core::ParseError>,
    v: i32,
) -> anyhow::Result<T> {
    make(v).with_context(|| format!("invalid {what} {v}"))
}

fn no_nul(what: &str, s: &str) -> anyhow::Result<()> {
    // E-17: a NUL character in any input field is refused.
    if s.contains('\0') {
        bail!("{what} contains a NUL character");
    }
    Ok(())
}

fn parse_params(raw: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    raw.iter()
        .map(|p| {
            let (n, v) = p
                .split_once('=')
                .with_context(|| format!("parameter `{p}` is not NAME=VALUE"))?;
            if n.is_empty() || n.chars().count() > 64 || v.chars().count() > 255 {
                bail!("parameter `{p}`: name 1..=64, value ≤ 255 characters");
            }
            no_nul("parameter", p)?;
            Ok((n.to_owned(), v.to_owned()))
        })
        .collect()
}

/// Runs `license add-multiple`.
pub fn add_multiple(store: &Store, a: AddMultipleArgs) -> anyhow::Result<ExitCode> {
    let count = BulkCount::new(a.count, None).context("invalid --count")?;
    for (what, s) in [("prefix", &a.prefix), ("notes", &a.notes)] {
        no_nul(what, s)?;
    }
    if let Some(inv) = &a.invoice {
        no_nul("invoice", inv)?;
    }
    let passwords = PasswordRules::new(
        &a.prefix,
        a.length,
        a.numeric,
        a.use_password_rules,
        a.activation_length,
    )
    .context("invalid password settings")?;
    let req = BulkAdd {
        option_id: id("option", OptionId::new, a.option)?,
        count,
        customer_id: a
            .customer
            .map(|c| id("customer", CustomerId::new, c))
            .transpose()?,
        author_id: None,
        unit_price: money("unit price", &a.unit_price)?,
        invoice_number: a.invoice,
        distributor_id: a
            .distributor
            .map(|c| id("distributor", CustomerId::new, c))
            .transpose()?,
        notes: a.notes,
        parameters: parse_params(&a.params)?,
        passwords,
        sequential: a.seq,
        entered_date: OffsetDateTime::now_utc(),
    };
    let mut rng = match a.seed {
        Some(s) => ChaCha20Rng::seed_from_u64(s),
        None => ChaCha20Rng::from_os_rng(),
    };
    let bar = if a.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(u64::from(count.get()))
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} staging [{bar:40}] {pos}/{len} licenses ({per_sec}, eta {eta})",
        )
        .context("progress template")?
        .progress_chars("=> "),
    );
    let started = Instant::now();
    let out = store
        .bulk_add(&req, &mut rng, &mut |staged| {
            bar.set_position(u64::from(staged));
            true
        })
        .context("add-multiple failed; no licenses were created")?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "created {} licenses {}..={} for option {} in {:.1} s ({:.0} licenses/s){}",
        out.licenses.len(),
        out.licenses.first(),
        out.licenses.last(),
        a.option,
        secs,
        f64::from(out.licenses.len()) / secs.max(1e-9),
        if a.seq { ", Req Sequential" } else { "" }
    );
    match out.customers {
        Some(c) => println!(
            "created {} unregistered customers {}..={}",
            c.len(),
            c.first(),
            c.last()
        ),
        None => println!(
            "all licenses belong to customer {}",
            a.customer.unwrap_or(0)
        ),
    }
    if let Some(b) = out.balance {
        if b.is_balanced() {
            println!("invoice balances (INV-1)");
        } else {
            println!(
                "warning: invoice does not balance (INV-1): charged minus expected = {}",
                b.difference()
            );
        }
    }
    if let Some(path) = a.csv {
        let filter = LicenseFilter {
            from_id: Some(out.licenses.first()),
            to_id: Some(out.licenses.last()),
            ..LicenseFilter::default()
        };
        let n = export_to(store, &filter, &path)?;
        println!("wrote {n} rows to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn filter(f: FilterArgs) -> anyhow::Result<LicenseFilter> {
    Ok(LicenseFilter {
        option_id: f
            .option
            .map(|v| id("option", OptionId::new, v))
            .transpose()?,
        product_id: f
            .product
            .map(|v| id("product", ProductId::new, v))
            .transpose()?,
        customer_id: f
            .customer
            .map(|v| id("customer", CustomerId::new, v))
            .transpose()?,
        distributor_id: f
            .distributor
            .map(|v| id("distributor", CustomerId::new, v))
            .transpose()?,
        invoice_number: f.invoice,
        status: f
            .status
            .map(|s| LicenseStatus::from_name(&s).with_context(|| format!("unknown status {s}")))
            .transpose()?,
        from_id: f.from,
        to_id: f.to,
    })
}

fn export_to(store: &Store, filter: &LicenseFilter, path: &PathBuf) -> anyhow::Result<u64> {
    let sink: Box<dyn Write> = if path.as_os_str() == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(File::create(path).with_context(|| format!("creating {}", path.display()))?)
    };
    let mut csv = LicenseCsv::new(BufWriter::new(sink)).context("writing CSV")?;
    let mut failed = None;
    let n = store.for_each_license(filter, &mut |l| {
        csv.write(&l).map_err(|e| {
            failed = Some(e);
            unlockd_store::StoreError::Cancelled
        })
    });
    if let Some(e) = failed {
        return Err(e).context("writing CSV");
    }
    let n = n?;
    csv.finish()
        .and_then(|mut w| w.flush())
        .context("writing CSV")?;
    Ok(n)
}

/// Runs `license export --csv`.
pub fn export(store: &Store, a: ExportArgs) -> anyhow::Result<ExitCode> {
    let n = export_to(store, &filter(a.filter)?, &a.csv)?;
    if a.csv.as_os_str() != "-" {
        println!("wrote {n} rows to {}", a.csv.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `license list`: one tab-separated line per license.
pub fn list(store: &Store, f: FilterArgs) -> anyhow::Result<ExitCode> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    writeln!(
        out,
        "LicenseID\tActivationPassword\tCustomerID\tProductOptionID\tStatus\tInvoiceNumber\tEnteredDate"
    )?;
    let mut io_err = None;
    let row = |l: &LicenseListing| {
        format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            l.license_id,
            l.activation_password,
            l.customer_id,
            l.option_id,
            l.status,
            l.invoice_number.as_deref().unwrap_or(""),
            l.entered_date.date()
        )
    };
    store.for_each_license(&filter(f)?, &mut |l| {
        writeln!(out, "{}", row(&l)).map_err(|e| {
            io_err = Some(e);
            unlockd_store::StoreError::Cancelled
        })
    })?;
    if let Some(e) = io_err {
        return Err(e.into());
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `invoice add`, reporting INV-1.
pub fn invoice_add(store: &Store, a: InvoiceAddArgs) -> anyhow::Result<ExitCode> {
    no_nul("invoice number", &a.number)?;
    if a.number.is_empty() || a.number.chars().count() > 50 {
        bail!("invoice number must have 1..=50 characters");
    }
    let date = match a.date {
        Some(d) => Date::parse(
            &d,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .with_context(|| format!("invalid date {d}"))?,
        None => OffsetDateTime::now_utc().date(),
    };
    store.insert_invoice(&NewInvoice {
        number: a.number.clone(),
        customer_id: id("customer", CustomerId::new, a.customer)?,
        date,
        totals: InvoiceTotals {
            tax: money("tax", &a.tax)?,
            shipping: money("shipping", &a.shipping)?,
            discount: money("discount", &a.discount)?,
            charged: money("charged", &a.charged)?,
        },
    })?;
    println!("invoice {} added", a.number);
    Ok(ExitCode::SUCCESS)
}

/// Runs `distributor add`.
pub fn distributor_add(store: &Store, a: &DistributorAddArgs) -> anyhow::Result<ExitCode> {
    add_distributor(store, a.customer, &a.discount, &a.cost, !a.disabled)?;
    println!("customer {} is a distributor", a.customer);
    Ok(ExitCode::SUCCESS)
}

/// Makes customer `customer` a distributor (DST-1).
pub fn add_distributor(
    store: &Store,
    customer: i32,
    discount: &str,
    cost: &str,
    enabled: bool,
) -> anyhow::Result<()> {
    store.insert_distributor(&NewDistributor {
        customer_id: id("customer", CustomerId::new, customer)?,
        enabled,
        discount_percent: money("discount", discount)?,
        cost: money("cost", cost)?,
    })?;
    Ok(())
}
