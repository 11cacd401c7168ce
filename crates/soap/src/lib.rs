//! unlockd-soap: the SOAP/XML wire façade (wire.md). It knows XML and the wire,
//! depends on core types and the [`service::ActivationService`] trait, and never on
//! diesel or hyper: the server calls [`handle`] with an [`HttpRequest`] and sends the
//! [`HttpResponse`] back.
//!
//! Layout: [`xml`] (hardened reader, writer) → `envelope`/`binding` (SOAP 1.1, 1.2,
//! HTTP POST, faults) → `frame` (client frame §2.5, protection) → `ops` (one file per
//! operation) → [`result_code`] (the only code table).

mod binding;
pub mod crypto;
mod customer_service;
mod document_call;
mod envelope;
mod error;
mod fault;
mod fields;
mod frame;
mod handler;
mod legacy;
mod license_service;
mod metadata;
mod offline;
mod ops;
pub mod result_code;
pub mod service;
mod value;
pub mod xml;

pub use error::{InputError, OpError, Refused};
pub use handler::{handle, HttpRequest, HttpResponse, SoapConfig};
pub use offline::{respond as offline_respond, OfflineAnswer};
pub use xml::Limits;
