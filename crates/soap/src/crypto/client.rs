//! The application's side of protected documents (wire.md §5, E-9, E-10), for tests
//! and the reference client: open the Envelope, read license files and answers,
//! build requests.

use unlockd_core::EncryptionKeyId;

use super::envelope;
use super::error::{CryptoError, OpenError};
use super::keys::{OwnKey, PeerKey};
use super::protected::{open_with, seal_with, Opened};
use super::tree;
use super::xmldsig::{self, NS_DSIG};

/// What an application holds for one EncryptionKeyID: ClientKey private part and
/// ServerKey public part, taken from the Envelope.
pub struct ClientKeys {
    id: EncryptionKeyId,
    client: OwnKey,
    server: PeerKey,
}

impl ClientKeys {
    /// Decrypts the Envelope with the EnvelopeKey (both base64), verifies its
    /// signature with the enclosed ServerKey and keeps both keys.
    pub fn from_envelope(
        envelope_b64: &str,
        envelope_key_b64: &str,
    ) -> Result<ClientKeys, CryptoError> {
        let contents = envelope::open(envelope_b64, envelope_key_b64)?;
        Ok(ClientKeys {
            id: contents.id,
            client: contents.client,
            server: contents.server,
        })
    }

    /// The EncryptionKeyID named in the Envelope.
    pub fn id(&self) -> EncryptionKeyId {
        self.id
    }

    /// Opens an answer or a license file: verifies a ServerKey signature if present,
    /// decrypts with the ClientKey. A license file must be signed: check
    /// [`Opened::signed`]. For a license file or certificate nested in another
    /// document, [`extract_element`] it first (E-10).
    pub fn open(&self, xml: &str) -> Result<Opened, OpenError> {
        open_with(xml, &self.client, &self.server, self.id)
    }

    /// Verifies a standalone document signed by the ServerKey, such as the floating
    /// certificate `NetworkSession` (wire.md §3.10, errata E-10): exactly one
    /// Signature child, valid for this EncryptionKeyID; an unsigned document fails.
    pub fn verify_signed(&self, xml: &str) -> Result<(), OpenError> {
        let root = tree::parse(xml).map_err(|_| OpenError::Malformed)?;
        let mut signatures = root.elements().filter(|e| e.is(NS_DSIG, "Signature"));
        let signature = signatures.next().ok_or(OpenError::Signature)?;
        if signatures.next().is_some() {
            return Err(OpenError::Signature);
        }
        xmldsig::verify(&root, signature, &self.server, self.id)
    }

    /// Builds a request `<{root}><EncryptionKeyID/><RequestMethod/>PrivateData…</{root}>`
    /// (wire.md §2.5; RequestMethod = root, as offline requests need it), PrivateData
    /// encrypted to the ServerKey if `encrypt`, signed with the ClientKey if `sign`.
    pub fn seal_request(
        &self,
        root: &str,
        private_data_xml: &str,
        encrypt: bool,
        sign: bool,
    ) -> Result<String, CryptoError> {
        let clear_fields = format!(
            "<EncryptionKeyID>{}</EncryptionKeyID><RequestMethod>{root}</RequestMethod>",
            self.id
        );
        seal_with(
            root,
            &clear_fields,
            private_data_xml,
            encrypt.then_some(&self.server),
            sign.then_some(&self.client),
        )
    }
}

impl std::fmt::Debug for ClientKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientKeys")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// The source text of the first element named `local_name` (any namespace,
/// document order), e.g. the SoftwareKey inside an answer's License. A signature
/// inside it covers it as a standalone document (E-10). Namespace declarations of
/// its ancestors are not carried along; unlockd's documents use none there.
pub fn extract_element<'a>(xml: &'a str, local_name: &str) -> Result<&'a str, OpenError> {
    let root = tree::parse(xml).map_err(|_| OpenError::Malformed)?;
    let element = root.find_local(local_name).ok_or(OpenError::Malformed)?;
    Ok(&xml[element.span.clone()])
}
