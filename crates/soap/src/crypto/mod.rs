//! Protected documents (wire.md §5): key sets, envelopes, XML-Enc and XML-DSig with
//! exclusive C14N. The only module that touches OpenSSL.
//!
//! Server side: [`KeySet`] (ServerKey private + ClientKey public), [`seal`] for
//! answers and license files, [`open_request`] for requests. Application side:
//! [`client::ClientKeys`]. Key generation: [`GeneratedKey`].
//!
//! Not built on `xml-sec`: it pulls a large dependency tree and does RSA with the
//! pure-Rust `rsa` crate (not constant-time, RUSTSEC-2023-0071) while we already link
//! OpenSSL; `xml-canonical` is not published on crates.io. Our documents carry no
//! DTD, comments or PIs, so exclusive C14N fits in one small module (`c14n`).

mod at_rest;
mod c14n;
pub mod client;
mod envelope;
mod error;
mod key_value;
mod keys;
mod protected;
mod tree;
mod xmldsig;
mod xmlenc;

pub use at_rest::{is_sealed, MasterKey};
pub use envelope::GeneratedKey;
pub use error::{CryptoError, OpenError};
pub use keys::KeySet;
pub use protected::{open_request, seal, sign_standalone, Opened};

#[cfg(test)]
mod tests;
