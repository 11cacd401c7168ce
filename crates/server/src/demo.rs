//! The fixed demo data of issue 3 (completed by errata E-24), seeded when absent.

use anyhow::Context;
use time::OffsetDateTime;
use unlockd_core::floating::FloatingRules;
use unlockd_core::{
    AuthorId, CounterType, CustomerId, EncryptionKeyId, LicenseId, LicenseStatus, OptionId,
    OptionType, ProductId, TriggerCode, Version,
};
use unlockd_soap::crypto::GeneratedKey;
use unlockd_store::{
    CounterSource, NewApiUser, NewAuthor, NewCustomer, NewFloatingSet, NewLicense, NewOption,
    NewProduct, ProductUpdatesChange, Store,
};

use crate::config::Config;
use crate::keyring::KeyRing;

/// The demo EncryptionKeyID.
pub const DEMO_KEY_ID: &str = "6F1C2E7A-0D4B-4C8E-9B1A-5E3D2C1B0A99";

/// The OffAct Key of demo option 2 (wire.md §7.4 vector).
pub const DEMO_OFFACT_KEY: &str = "K7Q2M9X4TZ";

/// What `seed` found or created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seeded {
    /// The demo data was created now.
    Created,
    /// It was already there; nothing changed.
    AlreadyPresent,
}

/// The demo product's Latest Version (README demo table).
const DEMO_LATEST_VERSION: &str = "1.2.0.0";

/// Seeds the demo data unless license 1001 already exists; the demo key's private
/// parts are sealed by `keyring` (issue 7).
pub fn seed(store: &Store, keyring: &KeyRing) -> anyhow::Result<Seeded> {
    if store.license_exists(id(LicenseId::new(1001))?)? {
        return Ok(Seeded::AlreadyPresent);
    }
    let now = OffsetDateTime::now_utc();
    let author = id(AuthorId::new(1))?;
    let product = id(ProductId::new(1))?;
    let customer = id(CustomerId::new(1))?;
    let trigger_code = TriggerCode::new(1).context("trigger code")?;
    let key_id = EncryptionKeyId::parse(DEMO_KEY_ID).context("demo key id")?;
    let key = GeneratedKey::generate(key_id, 2048).context("generating the demo key")?;

    store.insert_author(&NewAuthor {
        id: Some(author),
        name: "Demo Author".into(),
        created_at: now,
    })?;
    // The demo author may use ManualTriggerCodes.aspx (wire.md §7.4, issue 7).
    store.set_manual_trigger_codes(author, true)?;
    store.insert_api_user(&NewApiUser {
        author_id: author,
        user_id: "demo".into(),
        password_hash: crate::admin::hash_password("demo")?,
        permissions: crate::admin::ALL_PERMISSIONS.into(),
    })?;
    store.insert_product(&NewProduct {
        id: Some(product),
        author_id: author,
        name: "Demo Product".into(),
        latest_version: Some(DEMO_LATEST_VERSION.into()),
    })?;
    // Update fields for UpdateCheck / updatecheck.asp: 1.2 is current, updates up to
    // 1.1 are free (a 1.0 client gets ActionToTake 1, a 1.1 client 2).
    store.set_product_updates(
        product,
        &ProductUpdatesChange {
            latest_free_version: Some(Some(Version::new([1, 1, 0, 0])?)),
            url_info: Some(Some("https://example.com/demo-product/whats-new".into())),
            url_file: Some(Some(
                "https://example.com/demo-product/DemoProduct-1.2.0.0.exe".into(),
            )),
            release_date: Some(Some(time::macros::date!(2026 - 11 - 01))),
            short_message: Some(Some("Demo Product 1.2 is available.".into())),
            ..ProductUpdatesChange::default()
        },
    )?;
    store.insert_key(author, &keyring.protect(crate::admin::new_key(&key, now))?)?;
    // Option 1: PLUS 5 license files (issue 3, completed by errata E-24).
    store.insert_option(&NewOption {
        id: Some(id(OptionId::new(1))?),
        issue_installation_id: true,
        activations_per_unit: 3,
        allow_deactivations: true,
        deactivations_per_unit: 2,
        allow_reactivation: true,
        unlock_threshold: -1,
        tc_seed: 4321,
        counter_source: CounterSource::SpecifiedValue,
        counter_value: 100,
        counter_type: CounterType::Decrementing,
        udf_writable: true,
        ..NewOption::new(
            product,
            "PLUS 5 License File",
            OptionType::ActivationCode,
            trigger_code,
        )
    })?;
    // Option 2: PP4 trigger codes, offline activation files with the OffAct Key of
    // wire.md §7.4's vector (issue 7).
    store.insert_option(&NewOption {
        id: Some(id(OptionId::new(2))?),
        activations_per_unit: 2,
        unlock_threshold: 0,
        tc_seed: 1234,
        rk2_seed: 77,
        offact_key: Some(DEMO_OFFACT_KEY.into()),
        ..NewOption::new(
            product,
            "PP4 Trigger Code",
            OptionType::ActivationCode,
            trigger_code,
        )
    })?;
    // Option 3: network floating, 2 seats (issue 6, errata E-24: Activation Code with
    // License Counter SpecifiedValue 2); pf 60 s, rf 10 s, rc 6, checkout 1..72 h,
    // overage off.
    store.insert_floating_set(&NewFloatingSet {
        id: 1,
        name: "Demo floating".into(),
        rules: FloatingRules {
            poll_frequency: 60,
            poll_retry_frequency: 10,
            poll_retry_count: 6,
            overage_seconds: None,
            checkout_min_hours: 1,
            checkout_max_hours: 72,
        },
    })?;
    store.insert_option(&NewOption {
        id: Some(id(OptionId::new(3))?),
        tc_seed: 5678,
        counter_source: CounterSource::SpecifiedValue,
        counter_value: 2,
        network_floating_set_id: Some(1),
        ..NewOption::new(
            product,
            "Network Floating",
            OptionType::ActivationCode,
            trigger_code,
        )
    })?;
    store.insert_customer(&NewCustomer {
        id: Some(customer),
        company_name: "Demo Customer".into(),
        first_name: "Dana".into(),
        last_name: "Demo".into(),
        email: "demo@example.com".into(),
        registered: true,
        ..NewCustomer::new(now)
    })?;
    for (license, option, password, status) in [
        (1001, 1, "demo1001", LicenseStatus::Ok),
        (1002, 2, "demo1002", LicenseStatus::Ok),
        (1003, 1, "demo1003", LicenseStatus::Void),
        (1004, 3, "demo1004", LicenseStatus::Ok),
    ] {
        store.insert_license(&NewLicense {
            id: Some(id(LicenseId::new(license))?),
            status,
            ..NewLicense::new(id(OptionId::new(option))?, customer, password, now)
        })?;
    }
    Ok(Seeded::Created)
}

fn id<T>(parsed: Result<T, unlockd_core::ParseError>) -> anyhow::Result<T> {
    parsed.context("demo identifier")
}

/// Prints the demo data and a ready-to-paste curl command.
pub fn print(seeded: &Seeded, config: &Config) {
    let state = match seeded {
        Seeded::Created => "seeded",
        Seeded::AlreadyPresent => "already present",
    };
    let base = config
        .server
        .public_base_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", config.server.bind));
    let prefix = &config.server.prefix;
    let session = todays_session_code();
    println!(
        "\
demo data {state} in {db}:
  author 1, product 1 \"Demo Product\", back-office user demo / demo
  EncryptionKeyID {DEMO_KEY_ID} (unlockd key export prints its keys)
  license 1001 / demo1001  option 1: PLUS 5 license file, 3 activations, 2 deactivations, counter 100
  license 1002 / demo1002  option 2: PP4 trigger code #1, 2 activations, exact unlock threshold, OffAct Key {DEMO_OFFACT_KEY}
  license 1003 / demo1003  option 1, status Void
  license 1004 / demo1004  option 3: network floating, 2 seats, poll 60 s (retry 6 x 10 s), checkout 1..72 h
  offline: {base}{prefix}/customers/ManualRequest.aspx and ManualTriggerCodes.aspx (author 1 allowed)
try (PP4 activation of license 1002; repeating it on the same computer costs nothing):
  curl -s {base}{prefix}/webservices/XmlActivationService.asmx/ActivateInstallation \\
    --data-urlencode 'xml=<ActivateInstallation><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData><LicenseID>1002</LicenseID><Password>demo1002</Password><UserCode1>{session}</UserCode1><UserCode2>123456789</UserCode2></PrivateData></ActivateInstallation>'",
        db = config.database.display_url(),
    );
}

/// A User Code 1 that the default trigger-code algorithm dates to today
/// (wire.md §6.3: 32768 × days since 2000-01-01 + 15 bits).
fn todays_session_code() -> i64 {
    let epoch_2000 = time::macros::date!(2000 - 01 - 01);
    let days = (OffsetDateTime::now_utc().date() - epoch_2000).whole_days();
    32_768 * days + 12_345
}
