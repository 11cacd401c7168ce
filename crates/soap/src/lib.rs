//! unlockd-soap: the SOAP/XML wire façade (wire.md). It knows XML and the wire,
//! depends on core types and the [`service::ActivationService`] trait, and never on
//! diesel or hyper.

pub mod crypto;
pub mod service;
