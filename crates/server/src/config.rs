//! One typed configuration, layered: defaults, then an optional TOML file, then
//! `UNLOCKD_*` environment variables (`__` nests: `UNLOCKD_SERVER__BODY_LIMIT`), then
//! command-line flags. `UNLOCKD_BIND` and `UNLOCKD_DATABASE_URL` are short aliases
//! (errata E-23).

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

/// The whole configuration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Listener and HTTP limits.
    pub server: ServerConfig,
    /// Database connection.
    pub database: DatabaseConfig,
    /// SOAP façade switches.
    pub soap: SoapSection,
    /// Rules tunables.
    pub rules: RulesConfig,
    /// Key ring protection.
    pub keys: KeysConfig,
    /// XmlLicenseService limits.
    pub back_office: BackOfficeConfig,
    /// Logging.
    pub log: LogConfig,
}

/// `[server]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Largest accepted request body in bytes (wire.md §2.6: 1 MiB); larger gets 413
    /// before any parsing.
    pub body_limit: usize,
    /// Seconds a client may take to send its request headers.
    pub header_timeout_secs: u64,
    /// Seconds in-flight requests get to finish after a stop signal.
    pub shutdown_grace_secs: u64,
    /// Most connections served at once; further ones wait in the accept queue.
    pub max_connections: usize,
    /// Path prefix of every endpoint (wire.md §1).
    pub prefix: String,
    /// Public base URL written into WSDL addresses; default: request scheme + Host.
    pub public_base_url: Option<String>,
    /// Proxies whose `X-Forwarded-For` is believed (wire.md §1).
    pub trusted_proxies: Vec<IpAddr>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            body_limit: 1024 * 1024,
            header_timeout_secs: 30,
            shutdown_grace_secs: 10,
            max_connections: 1024,
            prefix: "/solo".to_owned(),
            public_base_url: None,
            trusted_proxies: Vec::new(),
        }
    }
}

impl ServerConfig {
    /// Header read timeout as a `Duration`.
    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout_secs)
    }

    /// Shutdown grace as a `Duration`.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }
}

/// `[database]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` (relative or absolute) or `postgres://USER@HOST/DB`.
    pub url: String,
    /// Connections in the pool.
    pub pool_size: u32,
}

impl DatabaseConfig {
    /// The URL for logs and messages: a PostgreSQL password is replaced by `***`.
    pub fn display_url(&self) -> String {
        unlockd_store::DatabaseUrl::parse(&self.url)
            .map_or_else(|_| "<invalid database URL>".to_owned(), |u| u.to_string())
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: "sqlite://unlockd.db".to_owned(),
            pool_size: 8,
        }
    }
}

/// `[soap]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields, default)]
pub struct SoapSection {
    /// Answer HTTP POST with the bare inner document (wire.md §2.1 hedge).
    pub post_raw_response: bool,
    /// Refuse unsigned client requests with 5005 (wire.md §2.5 key policy).
    pub require_signed: bool,
}

/// `[rules]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RulesConfig {
    /// CLK-1 tolerance for client clocks, in hours.
    pub clock_tolerance_hours: i64,
    /// `offline_request_ttl` (wire.md §7.3): older offline requests get 5030.
    pub offline_request_ttl_days: i64,
}

impl Default for RulesConfig {
    fn default() -> Self {
        Self {
            clock_tolerance_hours: 24,
            offline_request_ttl_days: 30,
        }
    }
}

/// `[back_office]`: XmlLicenseService limits (wire.md §3, §3.7).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct BackOfficeConfig {
    /// Most licenses one SOAP AddMultiple may create (errata E-6 `bulk_max`; above:
    /// 5002). The CLI has no cap.
    pub bulk_max: u32,
    /// Consecutive failed logins that throttle an API user (5044).
    pub throttle_failures: i32,
    /// Minutes a throttled API user is refused.
    pub throttle_minutes: i64,
}

impl Default for BackOfficeConfig {
    fn default() -> Self {
        Self {
            bulk_max: unlockd_core::bulk::DEFAULT_BULK_MAX,
            throttle_failures: 5,
            throttle_minutes: 15,
        }
    }
}

/// `[keys]`.
#[derive(Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields, default)]
pub struct KeysConfig {
    /// Master key sealing the private keys at rest (AES-256-GCM; 64 hex digits or
    /// base64 of 32 bytes). `UNLOCKD_MASTER_KEY` overrides it. Without one, new keys
    /// are stored in clear.
    pub master_key: Option<String>,
}

impl std::fmt::Debug for KeysConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeysConfig")
            .field("master_key", &self.master_key.as_ref().map(|_| "…"))
            .finish()
    }
}

/// `[log]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: LogFormat,
    /// An `EnvFilter` directive; `RUST_LOG` wins when set.
    pub filter: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            filter: "info".to_owned(),
        }
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Values given on the command line; `None` leaves the lower layers in force.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--bind`.
    pub bind: Option<SocketAddr>,
    /// `--database-url`.
    pub database_url: Option<String>,
}

const ENV_PREFIX: &str = "UNLOCKD_";
/// Variables that are not config paths: `UNLOCKD_CONFIG` is read by clap,
/// `UNLOCKD_MASTER_KEY` is the short form of `keys.master_key`.
const NON_CONFIG_VARS: [&str; 2] = ["UNLOCKD_CONFIG", "UNLOCKD_MASTER_KEY"];

impl Config {
    /// Builds the configuration from every layer. `file` is the `--config` path.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> anyhow::Result<Self> {
        let vars: BTreeMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with(ENV_PREFIX))
            .collect();
        Self::load_from(file, &vars, overrides)
    }

    /// [`Config::load`] with an explicit environment (for tests).
    pub fn load_from(
        file: Option<&Path>,
        env: &BTreeMap<String, String>,
        overrides: &Overrides,
    ) -> anyhow::Result<Self> {
        let mut tree = toml::Value::try_from(Config::default()).context("default config")?;
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading config file {}", path.display()))?;
            let from_file: toml::Value = toml::from_str(&text)
                .with_context(|| format!("parsing config file {}", path.display()))?;
            merge(&mut tree, from_file);
        }
        for (name, value) in env {
            if NON_CONFIG_VARS.contains(&name.as_str()) {
                continue;
            }
            let Some(path) = env_path(name) else {
                continue;
            };
            if !set_path(&mut tree, &path, value) {
                tracing::warn!(variable = %name, "ignoring unknown UNLOCKD_ variable");
            }
        }
        let mut config: Config = tree.try_into().context("invalid configuration")?;
        if let Some(master) = env.get("UNLOCKD_MASTER_KEY") {
            config.keys.master_key = Some(master.clone());
        }
        if let Some(bind) = overrides.bind {
            config.server.bind = bind;
        }
        if let Some(url) = &overrides.database_url {
            config.database.url.clone_from(url);
        }
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if !self.server.prefix.starts_with('/') || self.server.prefix.ends_with('/') {
            bail!("server.prefix must start with '/' and not end with one");
        }
        if self.server.body_limit == 0 || self.database.pool_size == 0 {
            bail!("server.body_limit and database.pool_size must be positive");
        }
        if self.rules.clock_tolerance_hours <= 0 {
            bail!("rules.clock_tolerance_hours must be positive");
        }
        if self.rules.offline_request_ttl_days <= 0 {
            bail!("rules.offline_request_ttl_days must be positive");
        }
        let bo = &self.back_office;
        if bo.bulk_max == 0 || bo.throttle_failures <= 0 || bo.throttle_minutes <= 0 {
            bail!("back_office.bulk_max, throttle_failures and throttle_minutes must be positive");
        }
        Ok(())
    }
}

/// Maps `UNLOCKD_SERVER__BODY_LIMIT` to `["server", "body_limit"]`, and the short
/// aliases of errata E-23.
fn env_path(name: &str) -> Option<Vec<String>> {
    let rest = name.strip_prefix(ENV_PREFIX)?;
    let path: Vec<String> = match rest {
        "BIND" => vec!["server".into(), "bind".into()],
        "DATABASE_URL" => vec!["database".into(), "url".into()],
        _ => rest.split("__").map(str::to_ascii_lowercase).collect(),
    };
    Some(path)
}

/// Sets a leaf that exists in the default tree; returns false for unknown keys.
fn set_path(tree: &mut toml::Value, path: &[String], raw: &str) -> bool {
    let Some((leaf, parents)) = path.split_last() else {
        return false;
    };
    let mut node = tree;
    for key in parents {
        match node.get_mut(key.as_str()) {
            Some(next) => node = next,
            None => return false,
        }
    }
    let Some(table) = node.as_table_mut() else {
        return false;
    };
    if !table.contains_key(leaf.as_str()) && !OPTIONAL_LEAVES.contains(&leaf.as_str()) {
        return false;
    }
    let value = match table.get(leaf.as_str()) {
        Some(toml::Value::String(_)) | None => toml::Value::String(raw.to_owned()),
        Some(_) => scalar(raw),
    };
    table.insert(leaf.clone(), value);
    true
}

/// Leaves that are absent from the default tree because they default to `None`.
const OPTIONAL_LEAVES: [&str; 1] = ["public_base_url"];

/// Reads an environment value as a TOML scalar or array, falling back to a string.
fn scalar(raw: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_owned()))
}

fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shown_database_url_hides_a_postgres_password() {
        let db = DatabaseConfig {
            url: "postgres://unlockd:s3cret@db:5432/unlockd".to_owned(),
            pool_size: 8,
        };
        assert_eq!(db.display_url(), "postgres://unlockd:***@db:5432/unlockd");
        let db = DatabaseConfig {
            url: "nonsense".to_owned(),
            pool_size: 8,
        };
        assert_eq!(db.display_url(), "<invalid database URL>");
    }

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_are_valid() {
        let c = Config::load_from(None, &env(&[]), &Overrides::default()).unwrap();
        assert_eq!(c.server.body_limit, 1024 * 1024);
        assert_eq!(c.database.url, "sqlite://unlockd.db");
    }

    #[test]
    fn env_overrides_file_and_flags_override_env() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("unlockd.toml");
        std::fs::write(
            &file,
            "[server]\nbody_limit = 2048\nbind = \"127.0.0.1:9000\"\n",
        )
        .unwrap();
        let vars = env(&[
            ("UNLOCKD_SERVER__BODY_LIMIT", "4096"),
            ("UNLOCKD_DATABASE_URL", "sqlite:///tmp/x.db"),
            ("UNLOCKD_BIND", "127.0.0.1:9001"),
        ]);
        let flags = Overrides {
            bind: Some("127.0.0.1:9002".parse().unwrap()),
            database_url: None,
        };
        let c = Config::load_from(Some(&file), &vars, &flags).unwrap();
        assert_eq!(c.server.body_limit, 4096);
        assert_eq!(c.database.url, "sqlite:///tmp/x.db");
        assert_eq!(c.server.bind.port(), 9002);
    }

    #[test]
    fn back_office_limits_come_from_the_environment() {
        let c = Config::load_from(None, &env(&[]), &Overrides::default()).unwrap();
        assert_eq!(c.back_office, BackOfficeConfig::default());
        let vars = env(&[
            ("UNLOCKD_BACK_OFFICE__BULK_MAX", "500"),
            ("UNLOCKD_BACK_OFFICE__THROTTLE_FAILURES", "3"),
            ("UNLOCKD_BACK_OFFICE__THROTTLE_MINUTES", "60"),
        ]);
        let c = Config::load_from(None, &vars, &Overrides::default()).unwrap();
        assert_eq!(c.back_office.bulk_max, 500);
        assert_eq!(c.back_office.throttle_failures, 3);
        assert_eq!(c.back_office.throttle_minutes, 60);
        let zero = env(&[("UNLOCKD_BACK_OFFICE__BULK_MAX", "0")]);
        assert!(Config::load_from(None, &zero, &Overrides::default()).is_err());
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "[server]\nbodylimit = 1\n").unwrap();
        assert!(Config::load_from(Some(&file), &env(&[]), &Overrides::default()).is_err());
    }
}
