//! Protected documents (wire.md §5): key sets, XML-Enc, XML-DSig with exclusive C14N,
//! envelopes. The only module that touches OpenSSL.

use unlockd_core::EncryptionKeyId;

/// The server's keys for one EncryptionKeyID: ServerKey private (signs answers and
/// license files), ClientKey public (answers and license files are encrypted to it).
pub struct KeySet {
    /// The key ring entry.
    pub id: EncryptionKeyId,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySet").field("id", &self.id).finish_non_exhaustive()
    }
}
