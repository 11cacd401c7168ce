//! Fixture: a migrated fresh database with one author, product, customer and key, plus
//! request builders. The backend comes from `UNLOCKD_TEST_DATABASE` (`sqlite`, the
//! default: a temp file; `postgres`: a database of its own on 127.0.0.1:5432, dropped
//! at the end).

use std::net::{IpAddr, Ipv4Addr};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, SqliteConnection};

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use time::macros::datetime;
use time::OffsetDateTime;
use unlockd_core::activation::{ActivationRequest, Grant, Policy};
use unlockd_core::license_file::LicenseFileData;
use unlockd_core::{
    ActivationPath, AuthorId, ComputerId, ComputerKey, CustomerId, EncryptionKeyId, LicenseId,
    OptionId, OptionType, Password, ProductId, SessionCode, SystemIdentifier, TriggerCode,
};
use unlockd_store::{
    DatabaseUrl, NewAuthor, NewCustomer, NewKey, NewLicense, NewOption, NewProduct, Store,
    StoreError, StoreOptions,
};
use unlockd_testdb::TestDatabase;

/// rules EX defaults: 2025-03-10T12:00Z.
pub const NOW: OffsetDateTime = datetime!(2025-03-10 12:00 UTC);
pub const PASSWORD: &str = "demo1001";
pub const KEY: &str = "6F1C2E7A-0D4B-4C8E-9B1A-5E3D2C1B0A99";

/// A fresh, empty database of the backend under test (`UNLOCKD_TEST_DATABASE`).
pub struct TestDb(TestDatabase);

impl TestDb {
    pub fn new() -> Self {
        Self(TestDatabase::new())
    }

    pub fn url(&self) -> DatabaseUrl {
        DatabaseUrl::parse(self.0.url()).unwrap()
    }

    /// The temp dir of the SQLite file; `None` on PostgreSQL.
    pub fn sqlite_dir(&self) -> Option<&std::path::Path> {
        self.0.sqlite_dir()
    }

    /// A direct connection beside the store's pool.
    pub fn raw(&self) -> RawConn {
        match self.url() {
            DatabaseUrl::Sqlite(path) => {
                RawConn::Sqlite(SqliteConnection::establish(path.to_str().unwrap()).unwrap())
            }
            DatabaseUrl::Postgres(url) => RawConn::Pg(PgConnection::establish(&url).unwrap()),
        }
    }
}

/// A raw connection of either backend, for SQL the store never runs.
#[derive(diesel::MultiConnection)]
pub enum RawConn {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

impl RawConn {
    /// Takes and keeps the lock a license mutation waits for (CON-1): SQLite's write
    /// lock, or PostgreSQL's row lock on `license`.
    pub fn hold_license_lock(&mut self, license: LicenseId) {
        let sql = match self {
            Self::Sqlite(_) => "BEGIN IMMEDIATE;".to_owned(),
            Self::Pg(_) => format!(
                "BEGIN; SELECT id FROM licenses WHERE id = {} FOR UPDATE;",
                license.get()
            ),
        };
        self.batch_execute(&sql).unwrap();
    }
}

pub struct Fixture {
    pub db: TestDb,
    pub store: Store,
    pub author: AuthorId,
    pub product: ProductId,
    pub customer: CustomerId,
    pub key: EncryptionKeyId,
}

pub fn new_key(id: &str) -> NewKey {
    NewKey {
        id: EncryptionKeyId::parse(id).unwrap(),
        algorithm: "RSA-2048".to_owned(),
        created_at: NOW,
        client_private_pem: "client-private".to_owned(),
        client_public_pem: "client-public".to_owned(),
        server_private_pem: "server-private".to_owned(),
        server_public_pem: "server-public".to_owned(),
        envelope: "envelope".to_owned(),
        envelope_key: "envelope-key".to_owned(),
    }
}

pub fn open(db: &TestDb, opts: StoreOptions) -> Store {
    Store::open(&db.url(), opts).unwrap()
}

impl Fixture {
    pub fn new() -> Self {
        Self::with_options(StoreOptions::default())
    }

    pub fn with_options(opts: StoreOptions) -> Self {
        let db = TestDb::new();
        let store = open(&db, opts);
        store.migrate().unwrap();
        let author = store
            .insert_author(&NewAuthor {
                id: None,
                name: "Demo Author".to_owned(),
                created_at: NOW,
            })
            .unwrap();
        let product = store
            .insert_product(&NewProduct {
                id: None,
                author_id: author,
                name: "Demo Product".to_owned(),
                latest_version: Some("1.0.0.0".to_owned()),
            })
            .unwrap();
        let mut customer = NewCustomer::new(NOW);
        customer.first_name = "Ada".to_owned();
        customer.registered = true;
        let customer = store.insert_customer(&customer).unwrap();
        let key = new_key(KEY);
        store.insert_key(author, &key).unwrap();
        Self {
            db,
            store,
            author,
            product,
            customer,
            key: key.id,
        }
    }

    /// An ActivationCode option (EX defaults) changed by `edit`.
    pub fn option(&self, edit: impl FnOnce(&mut NewOption)) -> OptionId {
        let mut o = NewOption::new(
            self.product,
            "Standard",
            OptionType::ActivationCode,
            TriggerCode::new(1).unwrap(),
        );
        edit(&mut o);
        self.store.insert_option(&o).unwrap()
    }

    /// A license (EX defaults: left 3) on `option`, changed by `edit`.
    pub fn license(&self, option: OptionId, edit: impl FnOnce(&mut NewLicense)) -> LicenseId {
        let mut l = NewLicense::new(option, self.customer, PASSWORD, NOW);
        l.activations_left = Some(3);
        edit(&mut l);
        self.store.insert_license(&l).unwrap()
    }

    pub fn activate(
        &self,
        req: &ActivationRequest,
    ) -> Result<(Grant, Option<LicenseFileData>), StoreError> {
        self.activate_seeded(req, 7)
    }

    pub fn activate_seeded(
        &self,
        req: &ActivationRequest,
        seed: u64,
    ) -> Result<(Grant, Option<LicenseFileData>), StoreError> {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        self.store
            .activate(req, self.key, NOW, &Policy::default(), &mut rng)
    }

    pub fn left(&self, license: LicenseId) -> i32 {
        self.store
            .license_state(license)
            .unwrap()
            .unwrap()
            .activations_left
    }
}

/// A reference-client session code issued today with `n` as its random part
/// (wire.md §6.3: 32768 × days since 2000-01-01 + 15 bits), so CLK-1 passes.
pub fn session(n: i32) -> i32 {
    let days = (NOW.date() - time::macros::date!(2000 - 01 - 01)).whole_days();
    i32::try_from(days * 32_768).unwrap() + n
}

/// A trigger-code request (EX defaults: session 555, IP 198.51.100.7).
pub fn trigger_request(license: LicenseId, computer: i32) -> ActivationRequest {
    ActivationRequest {
        license_id: license,
        password: Password::parse(PASSWORD).unwrap(),
        product_id: None,
        option_id: None,
        version: None,
        user_code1: Some(session(555)),
        session_code: None,
        key: ComputerKey::ComputerId(ComputerId::new(computer)),
        require_registration: false,
        client_ip: Some(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7))),
        client_time: None,
        path: ActivationPath::TriggerCode,
    }
}

/// A license-file request from a computer named `name`.
pub fn file_request(license: LicenseId, name: &str, session: &str) -> ActivationRequest {
    ActivationRequest {
        license_id: license,
        password: Password::parse(PASSWORD).unwrap(),
        product_id: None,
        option_id: None,
        version: None,
        user_code1: None,
        session_code: Some(SessionCode::parse(session).unwrap()),
        key: ComputerKey::from_identifiers(vec![
            SystemIdentifier::new(20, "ComputerName", name).unwrap(),
            SystemIdentifier::new(10, "NIC", "aa-bb").unwrap(),
        ]),
        require_registration: false,
        client_ip: Some(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7))),
        client_time: None,
        path: ActivationPath::LicenseFile,
    }
}
