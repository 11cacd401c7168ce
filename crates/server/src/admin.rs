//! Admin subcommands over the store: everything the demo seeds can also be created by
//! hand (errata E-23), and keys can be generated, listed and exported.

use std::process::ExitCode;

use crate::keyring::KeyRing;
use anyhow::{bail, Context};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::Argon2;
use clap::{Args, Subcommand};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use unlockd_core::{
    AuthorId, CustomerId, EncryptionKeyId, Guid, LicenseId, LicenseStatus, OptionId, OptionType,
    ProductId, TriggerCode,
};
use unlockd_soap::crypto::{is_sealed, GeneratedKey};
use unlockd_store::{
    CounterSource, NewApiUser, NewAuthor, NewCustomer, NewKey, NewLicense, NewOption, NewProduct,
    Store,
};

use crate::back_office;

/// Admin subcommands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Authors (vendor accounts) and their API users.
    #[command(subcommand)]
    Author(AuthorCmd),
    /// Products.
    #[command(subcommand)]
    Product(ProductCmd),
    /// Product options.
    #[command(subcommand)]
    Option(OptionCmd),
    /// Customers.
    #[command(subcommand)]
    Customer(CustomerCmd),
    /// Licenses.
    #[command(subcommand)]
    License(LicenseCmd),
    /// The key ring (EncryptionKeyIDs).
    #[command(subcommand)]
    Key(KeyCmd),
    /// Invoices (rules INV-1).
    #[command(subcommand)]
    Invoice(InvoiceCmd),
    /// Distributors (rules DST-1).
    #[command(subcommand)]
    Distributor(DistributorCmd),
}

/// `unlockd invoice …`.
#[derive(Debug, Subcommand)]
pub enum InvoiceCmd {
    /// Add an invoice.
    Add(back_office::InvoiceAddArgs),
}

/// `unlockd distributor …`.
#[derive(Debug, Subcommand)]
pub enum DistributorCmd {
    /// Make an existing customer a distributor.
    Add(back_office::DistributorAddArgs),
}

/// `unlockd author …`.
#[derive(Debug, Subcommand)]
pub enum AuthorCmd {
    /// Add an author.
    Add {
        /// Author number.
        #[arg(long)]
        id: i32,
        /// Display name.
        #[arg(long)]
        name: String,
    },
    /// Add a back-office API user to an author (all permissions).
    AddUser {
        /// Author number.
        #[arg(long)]
        author: i32,
        /// UserID.
        #[arg(long)]
        user: String,
        /// UserPassword (stored as an argon2id hash).
        #[arg(long)]
        password: String,
    },
}

/// `unlockd product …`.
#[derive(Debug, Subcommand)]
pub enum ProductCmd {
    /// Add a product.
    Add {
        /// Product number.
        #[arg(long)]
        id: i32,
        /// Owning author.
        #[arg(long)]
        author: i32,
        /// Product name.
        #[arg(long)]
        name: String,
        /// Latest version `A.B.C.D`.
        #[arg(long)]
        latest_version: Option<String>,
    },
    /// Set a product's update fields (UpdateCheck, updatecheck.asp).
    Update(crate::product_admin::ProductUpdateArgs),
}

/// `unlockd option …`.
#[derive(Debug, Subcommand)]
pub enum OptionCmd {
    /// Add a product option (the common activation fields; rules OPT table).
    Add(OptionAdd),
    /// Set the option that replaces an option (errata E-21).
    ReplacedBy(crate::product_admin::ReplacedByArgs),
}

/// Fields of `option add`.
#[derive(Debug, Args)]
pub struct OptionAdd {
    /// Option number.
    #[arg(long)]
    id: i32,
    /// Product number.
    #[arg(long)]
    product: i32,
    /// Option name.
    #[arg(long)]
    name: String,
    /// Option type, e.g. ActivationCode.
    #[arg(long, default_value = "ActivationCode")]
    option_type: String,
    /// Activations per unit.
    #[arg(long, default_value_t = 1)]
    activations: i32,
    /// Issue installation IDs.
    #[arg(long)]
    issue_installation_id: bool,
    /// Deactivations per unit (-1 unlimited); enables deactivations when non-zero.
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    deactivations: i32,
    /// Allow reactivation on the same computer.
    #[arg(long)]
    allow_reactivation: bool,
    /// Unlock threshold (-1 off).
    #[arg(long, default_value_t = -1, allow_hyphen_values = true)]
    unlock_threshold: i32,
    /// Trigger code number 1..=50.
    #[arg(long, default_value_t = 1)]
    trigger_code: i32,
    /// Trigger code seed.
    #[arg(long, default_value_t = 0)]
    tc_seed: i64,
    /// RegKey2 seed 0..=255.
    #[arg(long, default_value_t = 0)]
    rk2_seed: i32,
    /// License Counter SpecifiedValue (for a floating option: its seats, FLT-2).
    #[arg(long)]
    license_counter: Option<i64>,
    /// Network Floating Options set of the option (FLT-1), e.g. the demo's set 1.
    #[arg(long)]
    floating_set: Option<i32>,
}

/// `unlockd customer …`.
#[derive(Debug, Subcommand)]
pub enum CustomerCmd {
    /// Add a customer.
    Add(CustomerAdd),
}

/// Fields of `customer add`.
#[derive(Debug, Args)]
pub struct CustomerAdd {
    /// Customer number (highest + 1 when absent).
    #[arg(long)]
    id: Option<i32>,
    /// Company name.
    #[arg(long, default_value = "")]
    company: String,
    /// First name.
    #[arg(long, default_value = "")]
    first_name: String,
    /// Last name.
    #[arg(long, default_value = "")]
    last_name: String,
    /// E-mail.
    #[arg(long, default_value = "")]
    email: String,
    /// Phone.
    #[arg(long, default_value = "")]
    phone: String,
    /// Registered customer (ACT-6); unregistered when absent.
    #[arg(long)]
    registered: bool,
    /// Also make the customer a distributor (DST-1).
    #[arg(long)]
    distributor: bool,
    /// Distributor discount percentage (with --distributor).
    #[arg(long, default_value = "0")]
    discount: String,
    /// Distributor cost (with --distributor).
    #[arg(long, default_value = "0")]
    cost: String,
}

/// `unlockd license …`.
#[derive(Debug, Subcommand)]
pub enum LicenseCmd {
    /// Add a license (allowances copied from its option, rules OPT-3).
    Add {
        /// License number.
        #[arg(long)]
        id: i32,
        /// Product option.
        #[arg(long)]
        option: i32,
        /// Customer.
        #[arg(long)]
        customer: i32,
        /// Activation password.
        #[arg(long)]
        password: String,
    },
    /// Add many licenses of one option at once (seed 000; no cap on the CLI, E-6).
    AddMultiple(back_office::AddMultipleArgs),
    /// List licenses (tab-separated), with filters.
    List(back_office::FilterArgs),
    /// Export licenses as CSV (errata E-17), with filters.
    Export(back_office::ExportArgs),
    /// List bulk batches still reserved (running, or left by a crashed process).
    Batches,
    /// Delete a bulk batch left by a crashed process: its staged rows and reserved IDs.
    AbandonBatch {
        /// Batch number (from `license batches`).
        #[arg(long)]
        id: i32,
    },
    /// Show a license as JSON.
    Show {
        /// License number.
        #[arg(long)]
        id: i32,
    },
    /// Change a license's status (errata E-18).
    SetStatus {
        /// License number.
        #[arg(long)]
        id: i32,
        /// New status name (OK, Void, Expired, …).
        #[arg(long)]
        status: String,
    },
}

/// `unlockd key …`.
#[derive(Debug, Subcommand)]
pub enum KeyCmd {
    /// Generate a new key pair set for an author.
    Generate {
        /// Owning author.
        #[arg(long)]
        author: i32,
        /// EncryptionKeyID; random when absent.
        #[arg(long)]
        id: Option<String>,
        /// RSA modulus size (1024..=4096).
        #[arg(long, default_value_t = 2048)]
        bits: u32,
    },
    /// List the key ring.
    List,
    /// Retire a key after a rotation (wire.md §5.1): it keeps answering and
    /// verifying under its keys.
    Retire {
        /// EncryptionKeyID.
        #[arg(long)]
        id: String,
    },
    /// Re-encrypt every private key under a new master key, all in one
    /// transaction; the old one is `UNLOCKD_MASTER_KEY` / `[keys] master_key`. A key
    /// that does not open with the old master key changes nothing.
    Reseal {
        /// The new master key (64 hex digits or base64 of 32 bytes).
        #[arg(long, env = "UNLOCKD_NEW_MASTER_KEY", hide_env_values = true)]
        new_master_key: String,
    },
    /// Print one key's client-side material as JSON (errata E-23).
    Export {
        /// EncryptionKeyID; the only key when absent.
        #[arg(long)]
        id: Option<String>,
    },
}

/// Permissions of a user that may do everything (the demo user, errata E-24).
pub const ALL_PERMISSIONS: &str =
    "AddLicenses,AddSingleCustomer,ViewLicenses,EditLicenses,ViewCustomers,EditCustomers";

/// Hashes a back-office password with argon2id and a random salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

/// The key-ring row of freshly generated key material.
pub fn new_key(key: &GeneratedKey, now: OffsetDateTime) -> NewKey {
    NewKey {
        id: key.id(),
        algorithm: format!("RSA-{}", key.bits()),
        created_at: now,
        client_private_pem: key.client_private_pem().to_owned(),
        client_public_pem: key.client_public_pem().to_owned(),
        server_private_pem: key.server_private_pem().to_owned(),
        server_public_pem: key.server_public_pem().to_owned(),
        envelope: key.envelope().to_owned(),
        envelope_key: key.envelope_key().to_owned(),
    }
}

fn ident<T>(what: &str, parsed: Result<T, unlockd_core::ParseError>) -> anyhow::Result<T> {
    parsed.with_context(|| format!("invalid {what}"))
}

/// Runs one admin subcommand.
pub fn run(store: &Store, keyring: &KeyRing, cmd: AdminCommand) -> anyhow::Result<ExitCode> {
    let now = OffsetDateTime::now_utc();
    match cmd {
        AdminCommand::Author(AuthorCmd::Add { id, name }) => {
            let id = store.insert_author(&NewAuthor {
                id: Some(ident("author", AuthorId::new(id))?),
                name,
                created_at: now,
            })?;
            println!("author {id} added");
        }
        AdminCommand::Author(AuthorCmd::AddUser {
            author,
            user,
            password,
        }) => {
            store.insert_api_user(&NewApiUser {
                author_id: ident("author", AuthorId::new(author))?,
                user_id: user.clone(),
                password_hash: hash_password(&password)?,
                permissions: ALL_PERMISSIONS.into(),
            })?;
            println!("API user {user} added to author {author}");
        }
        AdminCommand::Product(ProductCmd::Add {
            id,
            author,
            name,
            latest_version,
        }) => {
            let id = store.insert_product(&NewProduct {
                id: Some(ident("product", ProductId::new(id))?),
                author_id: ident("author", AuthorId::new(author))?,
                name,
                latest_version,
            })?;
            println!("product {id} added");
        }
        AdminCommand::Option(OptionCmd::Add(o)) => {
            let option_type = OptionType::from_name(&o.option_type)
                .with_context(|| format!("unknown option type {}", o.option_type))?;
            let trigger_code = ident("trigger code", TriggerCode::new(i64::from(o.trigger_code)))?;
            let rk2_seed = u8::try_from(o.rk2_seed).context("RegKey2 seed must be 0..=255")?;
            let tc_seed = u32::try_from(o.tc_seed).context("TC seed must be >= 0")?;
            let product = ident("product", ProductId::new(o.product))?;
            let id = store.insert_option(&NewOption {
                id: Some(ident("option", OptionId::new(o.id))?),
                activations_per_unit: o.activations,
                issue_installation_id: o.issue_installation_id,
                allow_deactivations: o.deactivations != 0,
                deactivations_per_unit: o.deactivations,
                allow_reactivation: o.allow_reactivation,
                unlock_threshold: o.unlock_threshold,
                tc_seed,
                rk2_seed,
                counter_source: if o.license_counter.is_some() {
                    CounterSource::SpecifiedValue
                } else {
                    CounterSource::None
                },
                counter_value: o.license_counter.unwrap_or(0),
                network_floating_set_id: o.floating_set,
                ..NewOption::new(product, &o.name, option_type, trigger_code)
            })?;
            println!("option {id} added");
        }
        AdminCommand::Product(ProductCmd::Update(a)) => {
            crate::product_admin::update_product(store, a)?
        }
        AdminCommand::Option(OptionCmd::ReplacedBy(a)) => {
            crate::product_admin::replaced_by(store, a)?
        }
        AdminCommand::Customer(CustomerCmd::Add(c)) => {
            let id = store.insert_customer(&NewCustomer {
                id: c
                    .id
                    .map(|id| ident("customer", CustomerId::new(id)))
                    .transpose()?,
                company_name: c.company,
                first_name: c.first_name,
                last_name: c.last_name,
                email: c.email,
                phone: c.phone,
                registered: c.registered,
                ..NewCustomer::new(now)
            })?;
            if c.distributor {
                back_office::add_distributor(store, id.get(), &c.discount, &c.cost, true)?;
                println!("customer {id} added (distributor)");
            } else {
                println!("customer {id} added");
            }
        }
        AdminCommand::License(LicenseCmd::AddMultiple(a)) => {
            return back_office::add_multiple(store, a);
        }
        AdminCommand::License(LicenseCmd::List(f)) => return back_office::list(store, f),
        AdminCommand::License(LicenseCmd::Batches) => {
            for (id, block) in store.pending_batches()? {
                println!(
                    "batch {id}\tlicenses {}..={} ({})",
                    block.first(),
                    block.last(),
                    block.len()
                );
            }
        }
        AdminCommand::License(LicenseCmd::AbandonBatch { id }) => {
            store.abandon_batch(id)?;
            println!("batch {id} abandoned; its licenses and IDs are gone");
        }
        AdminCommand::License(LicenseCmd::Export(e)) => return back_office::export(store, e),
        AdminCommand::Invoice(InvoiceCmd::Add(a)) => return back_office::invoice_add(store, a),
        AdminCommand::Distributor(DistributorCmd::Add(a)) => {
            return back_office::distributor_add(store, &a);
        }
        AdminCommand::License(LicenseCmd::Add {
            id,
            option,
            customer,
            password,
        }) => {
            let id = store.insert_license(&NewLicense {
                id: Some(ident("license", LicenseId::new(id))?),
                ..NewLicense::new(
                    ident("option", OptionId::new(option))?,
                    ident("customer", CustomerId::new(customer))?,
                    &password,
                    now,
                )
            })?;
            println!("license {id} added");
        }
        AdminCommand::License(LicenseCmd::Show { id }) => {
            let id = ident("license", LicenseId::new(id))?;
            let Some(l) = store.license_state(id)? else {
                bail!("license {id} not found");
            };
            let json = serde_json::json!({
                "LicenseID": l.id.get(),
                "ProductID": l.product_id.get(),
                "ProductOptionID": l.option_id.get(),
                "CustomerID": l.customer_id.get(),
                "Status": l.status.name(),
                "Quantity": l.quantity,
                "ActivationsLeft": l.activations_left,
                "DeactivationsLeft": l.deactivations_left,
                "LicenseCounter": l.license_counter,
                "ExpirationDate": l.expiration.map(|d| d.to_string()),
                "AllowedActivationIPs": l.allowed_ips,
                "UpdateCounter": l.update_counter,
            });
            println!("{}", serde_json::to_string_pretty(&json)?);
        }
        AdminCommand::License(LicenseCmd::SetStatus { id, status }) => {
            let id = ident("license", LicenseId::new(id))?;
            let status = LicenseStatus::from_name(&status)
                .with_context(|| format!("unknown status {status}"))?;
            store.set_license_status(id, status)?;
            println!("license {id} is now {}", status.name());
        }
        AdminCommand::Key(KeyCmd::Generate { author, id, bits }) => {
            let id = match id {
                Some(s) => ident("EncryptionKeyID", EncryptionKeyId::parse(&s))?,
                None => EncryptionKeyId::from_guid(Guid::from_bytes(random_bytes()?)),
            };
            let key = GeneratedKey::generate(id, bits).context("generating keys")?;
            store.insert_key(
                ident("author", AuthorId::new(author))?,
                &keyring.protect(new_key(&key, now))?,
            )?;
            println!("{id}");
        }
        AdminCommand::Key(KeyCmd::List) => {
            let date = |t: Option<OffsetDateTime>| {
                t.and_then(|t| t.format(&Rfc3339).ok())
                    .unwrap_or_else(|| "-".to_owned())
            };
            println!(
                "EncryptionKeyID\tauthor\talgorithm\tstate\tcreated\tretired\trevoked\tat rest"
            );
            for k in store.keys()? {
                let at_rest = if is_sealed(&k.server_private_pem) {
                    "sealed"
                } else {
                    "clear"
                };
                println!(
                    "{}\t{}\t{}\t{:?}\t{}\t{}\t{}\t{at_rest}",
                    k.id,
                    k.author_id,
                    k.algorithm,
                    k.state,
                    date(Some(k.created_at)),
                    date(k.retired_at),
                    date(k.revoked_at)
                );
            }
        }
        AdminCommand::Key(KeyCmd::Retire { id }) => {
            let id = ident("EncryptionKeyID", EncryptionKeyId::parse(&id))?;
            store.retire_key(id, now)?;
            println!("key {id} retired: it keeps answering and verifying, for no new products");
        }
        AdminCommand::Key(KeyCmd::Reseal { new_master_key }) => {
            let new = KeyRing::with_master_key(&new_master_key)?;
            let count = store
                .reseal_keys(&mut |row| keyring.reseal(row, &new).map_err(|e| format!("{e:#}")))
                .context("nothing was changed")?;
            println!("{count} keys re-sealed under the new master key");
        }
        AdminCommand::Key(KeyCmd::Export { id }) => {
            let keys = store.keys()?;
            let chosen = match id {
                Some(s) => {
                    let id = ident("EncryptionKeyID", EncryptionKeyId::parse(&s))?;
                    keys.into_iter().find(|k| k.id == id)
                }
                None if keys.len() == 1 => keys.into_iter().next(),
                None => bail!("several keys exist; choose one with --id"),
            };
            let Some(k) = chosen else {
                bail!("no such key");
            };
            let json = serde_json::json!({
                "EncryptionKeyID": k.id.to_string(),
                "Envelope": k.envelope,
                "EnvelopeKey": k.envelope_key,
                "ClientKeyPrivatePem": keyring.client_private(&k)?,
                "ServerKeyPublicPem": k.server_public_pem,
            });
            println!("{}", serde_json::to_string_pretty(&json)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn random_bytes() -> anyhow::Result<[u8; 16]> {
    let mut bytes = [0u8; 16];
    openssl::rand::rand_bytes(&mut bytes).context("random bytes")?;
    Ok(bytes)
}
