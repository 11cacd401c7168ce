//! The key ring (wire.md §5.1): per EncryptionKeyID a ClientKey and a ServerKey pair
//! plus the envelope handed to applications; states active, retired, revoked.

use std::fmt;

use diesel::prelude::*;
use time::OffsetDateTime;
use unlockd_core::{AuthorId, EncryptionKeyId};

use crate::convert::{from_db_time, to_db_time};
use crate::error::StoreError;
use crate::rows::KeyRowDb;
use crate::schema::encryption_keys;
use crate::Store;

/// A key to add to the ring (PEMs as produced by the crypto layer).
#[derive(Clone, PartialEq, Eq)]
pub struct NewKey {
    /// The EncryptionKeyID.
    pub id: EncryptionKeyId,
    /// Key algorithm label, e.g. `RSA-2048`.
    pub algorithm: String,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// ClientKey private part (PKCS#8 PEM); travels only inside the envelope.
    pub client_private_pem: String,
    /// ClientKey public part.
    pub client_public_pem: String,
    /// ServerKey private part; never leaves the server.
    pub server_private_pem: String,
    /// ServerKey public part.
    pub server_public_pem: String,
    /// The envelope (wire.md §5.2), base64.
    pub envelope: String,
    /// The envelope key, base64 of 48 bytes.
    pub envelope_key: String,
}

impl fmt::Debug for NewKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewKey")
            .field("id", &self.id)
            .field("algorithm", &self.algorithm)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// A key's private PEMs as stored (sealed under the master key, or clear).
pub struct PrivateParts {
    /// ServerKey private part.
    pub server_private_pem: String,
    /// ClientKey private part.
    pub client_private_pem: String,
}

/// Lifecycle of a key (wire.md §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    /// In use.
    Active,
    /// Still answers and verifies, for no new products.
    Retired,
    /// Refused (5003).
    Revoked,
}

/// A stored key with its state. `Debug` omits the secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyRow {
    /// The EncryptionKeyID.
    pub id: EncryptionKeyId,
    /// The owning author.
    pub author_id: AuthorId,
    /// Key algorithm label.
    pub algorithm: String,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// When it was retired, if it was.
    pub retired_at: Option<OffsetDateTime>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<OffsetDateTime>,
    /// ClientKey private part.
    pub client_private_pem: String,
    /// ClientKey public part.
    pub client_public_pem: String,
    /// ServerKey private part.
    pub server_private_pem: String,
    /// ServerKey public part.
    pub server_public_pem: String,
    /// The envelope, base64.
    pub envelope: String,
    /// The envelope key, base64.
    pub envelope_key: String,
    /// Revoked wins over retired.
    pub state: KeyState,
}

impl fmt::Debug for KeyRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRow")
            .field("id", &self.id)
            .field("author_id", &self.author_id)
            .field("algorithm", &self.algorithm)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

fn key_row(r: KeyRowDb) -> Result<KeyRow, StoreError> {
    let corrupt = |column: &str| {
        StoreError::Config(format!(
            "encryption_keys {}: stored {column} is invalid",
            r.id
        ))
    };
    let state = match (r.revoked_at, r.retired_at) {
        (Some(_), _) => KeyState::Revoked,
        (None, Some(_)) => KeyState::Retired,
        (None, None) => KeyState::Active,
    };
    Ok(KeyRow {
        id: EncryptionKeyId::parse(&r.id).map_err(|_| corrupt("id"))?,
        author_id: AuthorId::new(r.author_id).map_err(|_| corrupt("author_id"))?,
        algorithm: r.algorithm,
        created_at: from_db_time(r.created_at),
        retired_at: r.retired_at.map(from_db_time),
        revoked_at: r.revoked_at.map(from_db_time),
        client_private_pem: r.client_private_pem,
        client_public_pem: r.client_public_pem,
        server_private_pem: r.server_private_pem,
        server_public_pem: r.server_public_pem,
        envelope: r.envelope,
        envelope_key: r.envelope_key,
        state,
    })
}

impl Store {
    /// Adds a key to `author`'s ring.
    pub fn insert_key(&self, author: AuthorId, k: &NewKey) -> Result<(), StoreError> {
        self.write(|conn| {
            diesel::insert_into(encryption_keys::table)
                .values(KeyRowDb {
                    id: k.id.to_string(),
                    author_id: author.get(),
                    algorithm: k.algorithm.clone(),
                    created_at: to_db_time(k.created_at),
                    retired_at: None,
                    revoked_at: None,
                    client_private_pem: k.client_private_pem.clone(),
                    client_public_pem: k.client_public_pem.clone(),
                    server_private_pem: k.server_private_pem.clone(),
                    server_public_pem: k.server_public_pem.clone(),
                    envelope: k.envelope.clone(),
                    envelope_key: k.envelope_key.clone(),
                })
                .execute(conn)?;
            Ok(())
        })
    }

    /// The key `id`, in any state; `None` if unknown.
    pub fn key(&self, id: EncryptionKeyId) -> Result<Option<KeyRow>, StoreError> {
        let mut conn = self.conn()?;
        encryption_keys::table
            .find(id.to_string())
            .select(KeyRowDb::as_select())
            .get_result(&mut conn)
            .optional()?
            .map(key_row)
            .transpose()
    }

    /// Every key, oldest first.
    pub fn keys(&self) -> Result<Vec<KeyRow>, StoreError> {
        let mut conn = self.conn()?;
        encryption_keys::table
            .order((encryption_keys::created_at, encryption_keys::id))
            .select(KeyRowDb::as_select())
            .load(&mut conn)?
            .into_iter()
            .map(key_row)
            .collect()
    }

    /// Retires key `id` at `now` (it keeps answering; wire.md §5.1).
    pub fn retire_key(&self, id: EncryptionKeyId, now: OffsetDateTime) -> Result<(), StoreError> {
        self.write(|conn| {
            let changed = diesel::update(encryption_keys::table.find(id.to_string()))
                .set(encryption_keys::retired_at.eq(Some(to_db_time(now))))
                .execute(conn)?;
            exactly_one(changed)
        })
    }

    /// Re-seals the private parts of every key in one transaction (`key reseal`):
    /// `reseal` maps each row to its new private parts; its first
    /// error rolls everything back and is returned as [`StoreError::Config`]. Returns
    /// how many keys were rewritten.
    pub fn reseal_keys(
        &self,
        reseal: &mut dyn FnMut(&KeyRow) -> Result<PrivateParts, String>,
    ) -> Result<usize, StoreError> {
        self.write(|conn| {
            let rows = encryption_keys::table
                .order(encryption_keys::id)
                .select(KeyRowDb::as_select())
                .load(conn)?;
            let count = rows.len();
            for row in rows {
                let key = key_row(row)?;
                let parts = reseal(&key).map_err(StoreError::Config)?;
                let changed = diesel::update(encryption_keys::table.find(key.id.to_string()))
                    .set((
                        encryption_keys::server_private_pem.eq(parts.server_private_pem),
                        encryption_keys::client_private_pem.eq(parts.client_private_pem),
                    ))
                    .execute(conn)?;
                exactly_one(changed)?;
            }
            Ok(count)
        })
    }

    /// Revokes key `id` at `now` (requests naming it get 5003).
    pub fn revoke_key(&self, id: EncryptionKeyId, now: OffsetDateTime) -> Result<(), StoreError> {
        self.write(|conn| {
            let changed = diesel::update(encryption_keys::table.find(id.to_string()))
                .set(encryption_keys::revoked_at.eq(Some(to_db_time(now))))
                .execute(conn)?;
            exactly_one(changed)
        })
    }
}

fn exactly_one(changed: usize) -> Result<(), StoreError> {
    if changed == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}
