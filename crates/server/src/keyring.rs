//! The key ring's private parts at rest (issue 7): new keys are sealed with the
//! operator's master key (`UNLOCKD_MASTER_KEY` / `[keys] master_key`, AES-256-GCM,
//! bound to EncryptionKeyID and role); reading them opens them. Rows stored in clear
//! (before a master key was configured) stay readable, so old keys keep verifying.

use anyhow::{bail, Context};
use unlockd_soap::crypto::{is_sealed, MasterKey};
use unlockd_store::{KeyRow, NewKey, PrivateParts};

use crate::config::Config;

/// Seals and opens private keys of the key ring.
#[derive(Debug, Clone, Default)]
pub struct KeyRing {
    master: Option<MasterKey>,
}

impl KeyRing {
    /// The key ring of `config` (no master key: clear storage).
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let master = config
            .keys
            .master_key
            .as_deref()
            .map(MasterKey::parse)
            .transpose()
            .context("keys.master_key / UNLOCKD_MASTER_KEY")?;
        Ok(Self { master })
    }

    /// The key ring of an explicit master key (`key reseal`'s new key).
    pub fn with_master_key(text: &str) -> anyhow::Result<Self> {
        let master = MasterKey::parse(text).context("the new master key")?;
        Ok(Self {
            master: Some(master),
        })
    }

    /// `key` with both private PEMs sealed, if a master key is configured.
    pub fn protect(&self, mut key: NewKey) -> anyhow::Result<NewKey> {
        if let Some(master) = &self.master {
            let id = key.id.to_string();
            key.server_private_pem = master
                .seal(&key.server_private_pem, &context(&id, "server"))
                .context("sealing the ServerKey")?;
            key.client_private_pem = master
                .seal(&key.client_private_pem, &context(&id, "client"))
                .context("sealing the ClientKey")?;
        }
        Ok(key)
    }

    /// The ServerKey private PEM of `row`.
    pub fn server_private(&self, row: &KeyRow) -> anyhow::Result<String> {
        self.open(row, &row.server_private_pem, "server")
    }

    /// The ClientKey private PEM of `row` (for `key export`).
    pub fn client_private(&self, row: &KeyRow) -> anyhow::Result<String> {
        self.open(row, &row.client_private_pem, "client")
    }

    /// Both private PEMs of `row` opened with this ring and sealed under `new`
    /// (`key reseal`). Fails if this ring cannot open them.
    pub fn reseal(&self, row: &KeyRow, new: &KeyRing) -> anyhow::Result<PrivateParts> {
        let id = row.id.to_string();
        let seal = |pem: String, role: &str| match &new.master {
            Some(master) => master
                .seal(&pem, &context(&id, role))
                .with_context(|| format!("sealing the {role} key of {id}")),
            None => Ok(pem),
        };
        Ok(PrivateParts {
            server_private_pem: seal(self.server_private(row)?, "server")?,
            client_private_pem: seal(self.client_private(row)?, "client")?,
        })
    }

    fn open(&self, row: &KeyRow, stored: &str, role: &str) -> anyhow::Result<String> {
        if !is_sealed(stored) {
            return Ok(stored.to_owned());
        }
        let Some(master) = &self.master else {
            bail!("key {} is sealed; set UNLOCKD_MASTER_KEY", row.id);
        };
        master
            .open(stored, &context(&row.id.to_string(), role))
            .with_context(|| format!("opening the {role} key of {}", row.id))
    }
}

fn context(id: &str, role: &str) -> String {
    format!("{id}/{role}")
}
