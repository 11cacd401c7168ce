//! unlockd-client: the reference client. It plays the application side of the wire
//! contract so that tests, the load harness and integrators have one documented
//! implementation of every format the server emits:
//!
//! - [`plus5`]: PLUS 5 requests (wire.md §2.5, §3.2, §3.4), answers and license files
//!   (§5.3, §5.4, errata E-9/E-10), with the SessionCode echo check (§5.5) and the
//!   per-license `UpdateCounter` book that refuses replayed or rolled-back answers
//!   (§7.3).
//! - [`pp4`]: PLUS 4 trigger codes (§6): session codes, decoding Activation Codes 1
//!   and 2 with the default `unlockd-tc1`, and the offline activation files of §7.4
//!   (format in [`offact`]).
//! - [`vectors`]: the published trigger-code conformance vectors.
//!
//! The cryptography is the façade's own ([`unlockd_soap::crypto::client`]); this crate
//! adds the application's checks on top, never a second implementation.

pub mod plus5;
pub mod pp4;
pub mod vectors;

pub use unlockd_core::offact;
pub use unlockd_soap::crypto::client::ClientKeys;
