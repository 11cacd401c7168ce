//! `unlockd product update` and `unlockd option replaced-by`: the fields UpdateCheck and
//! updatecheck.asp report (wire.md §3.7, §3.11; errata E-21 for Replaced By).

use anyhow::{bail, Context};
use clap::Args;
use time::macros::format_description;
use time::Date;
use unlockd_core::{OptionId, ProductId, Version};
use unlockd_store::{ProductUpdatesChange, Store};

/// Most characters of ShortMessage (wire.md §3.7: string(255)).
const MAX_SHORT_MESSAGE: usize = 255;

/// Fields of `product update`; an absent flag leaves its field, an empty value clears it.
#[derive(Debug, Args)]
pub struct ProductUpdateArgs {
    /// Product number.
    #[arg(long)]
    id: i32,
    /// Latest Version `A.B.C.D` (rules VER-1).
    #[arg(long)]
    latest_version: Option<String>,
    /// The newest version a license may install free of charge (`A.B.C.D`).
    #[arg(long)]
    latest_free_version: Option<String>,
    /// URLInfo: a page about the latest version.
    #[arg(long)]
    url_info: Option<String>,
    /// URLFile: where the latest version is downloaded.
    #[arg(long)]
    url_file: Option<String>,
    /// ReleaseDate `YYYY-MM-DD`.
    #[arg(long)]
    release_date: Option<String>,
    /// ShortMessage (at most 255 characters).
    #[arg(long)]
    short_message: Option<String>,
}

/// Fields of `option replaced-by`.
#[derive(Debug, Args)]
pub struct ReplacedByArgs {
    /// The option being replaced.
    #[arg(long)]
    id: i32,
    /// The replacing option; 0 clears.
    #[arg(long)]
    by: i32,
}

/// Applies `product update`.
pub fn update_product(store: &Store, a: ProductUpdateArgs) -> anyhow::Result<()> {
    let id = ProductId::new(a.id).context("invalid product")?;
    let version = |what: &str, v: Option<String>| -> anyhow::Result<Option<Option<Version>>> {
        v.map(|text| match text.trim() {
            "" => Ok(None),
            t => Version::parse_minimum(t)
                .map(Some)
                .with_context(|| format!("{what} must be A.B.C.D, each part 0..=99999")),
        })
        .transpose()
    };
    let text = |v: Option<String>| v.map(|t| Some(t).filter(|t| !t.is_empty()));
    let release_date = a
        .release_date
        .map(|d| match d.trim() {
            "" => Ok(None),
            t => Date::parse(t, format_description!("[year]-[month]-[day]"))
                .map(Some)
                .context("release date must be YYYY-MM-DD"),
        })
        .transpose()?;
    if let Some(message) = &a.short_message {
        if message.chars().count() > MAX_SHORT_MESSAGE || message.contains('\0') {
            bail!("short message: at most {MAX_SHORT_MESSAGE} characters, no NUL");
        }
    }
    let change = ProductUpdatesChange {
        latest_version: version("latest version", a.latest_version)?,
        latest_free_version: version("latest free version", a.latest_free_version)?,
        url_info: text(a.url_info),
        url_file: text(a.url_file),
        release_date,
        short_message: text(a.short_message),
    };
    store.set_product_updates(id, &change)?;
    println!("product {id} updated");
    Ok(())
}

/// Applies `option replaced-by`.
pub fn replaced_by(store: &Store, a: ReplacedByArgs) -> anyhow::Result<()> {
    let id = OptionId::new(a.id).context("invalid option")?;
    let by = match a.by {
        0 => None,
        n => Some(OptionId::new(n).context("invalid replacing option")?),
    };
    store.set_replaced_by(id, by)?;
    match by {
        Some(by) => println!("option {id} is replaced by option {by}"),
        None => println!("option {id} is replaced by nothing"),
    }
    Ok(())
}
