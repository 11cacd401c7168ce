//! The client frame of wire.md §2.5 around every XmlActivationService and
//! XmlNetworkFloatingService operation:
//! reading EncryptionKeyID, RequestMethod, PrivateData (plain or protected) and
//! ClientTimestamp, then writing ResultCode, ErrorMessage, ServerTimestamp,
//! SessionCode, UpdateCounter and the method outputs, protected like the request.
//!
//! Checks run in the order of errata E-12: 5001 → 5003 → 5005 → 5004 → 5006 → 5002 →
//! rules. Every non-zero code writes one attempt-history row (errata E-3).

use std::net::IpAddr;
use std::sync::Arc;

use unlockd_core::{EncryptionKeyId, InstallationId, LicenseId, Refusal, SessionCode};

use crate::crypto::{self, KeySet, OpenError};
use crate::error::{InputError, OpError, Refused};
use crate::fields::Fields;
use crate::ops::{Failed, OpContext, Operation, Reply, Request};
use crate::result_code::{self, WireCode};
use crate::service::{Attempt, ClientService, OfflineClaim, RequestContext};
use crate::value;
use crate::xml::{self, Element, Limits, XmlWriter};

/// XML-Enc namespace (wire.md §5.3).
const XENC: &str = "http://www.w3.org/2001/04/xmlenc#";
/// XML-DSig namespace (wire.md §5.3).
const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";

/// Who sent the request.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// Client address (wire.md §1).
    pub client_ip: Option<IpAddr>,
    /// The log span's request ID.
    pub request_id: String,
}

/// Frame settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FrameConfig {
    /// Limits for the inner document.
    pub limits: Limits,
    /// Key policy: refuse unsigned requests (5005).
    pub require_signed: bool,
    /// Set for requests carried by hand (ManualRequest.aspx, `offline respond`).
    pub offline: Option<OfflineRules>,
}

/// The extra checks of offline requests (wire.md §7.2, §7.3, errata E-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OfflineRules {
    /// `offline_request_ttl`: an older ClientTimestamp gets 5030.
    pub ttl: time::Duration,
    /// CLK-1 tolerance: a ClientTimestamp further ahead gets 5022.
    pub clock_tolerance: time::Duration,
}

/// The answered inner document.
#[derive(Debug)]
pub(crate) struct Answer {
    /// The inner output document, beginning with the XML declaration.
    pub document: String,
    /// Its ResultCode.
    pub result_code: i32,
    /// Its ErrorMessage (empty on success).
    pub error_message: &'static str,
    /// The license the request named, if it parsed that far.
    pub license_id: Option<LicenseId>,
}

/// What the frame learnt while reading, needed to write the answer.
#[derive(Default)]
struct Progress {
    keys: Option<Arc<KeySet>>,
    encrypted: bool,
    signed: bool,
    session: Option<SessionCode>,
    license_id: Option<LicenseId>,
    installation_id: Option<InstallationId>,
}

/// Answers the inner document `xml` of `op` (a known operation).
pub(crate) async fn answer<S: ClientService>(
    svc: &S,
    cfg: FrameConfig,
    op: Operation,
    xml: &str,
    caller: &Caller,
) -> Answer {
    let mut progress = Progress::default();
    let result = run(svc, cfg, op, xml, caller, &mut progress).await;
    let (mut code, mut reply) = match result {
        Ok(reply) => (result_code::OK, reply),
        Err(failed) => {
            if let OpError::Internal(detail) = &failed.error {
                tracing::error!(operation = op.name(), %detail, "internal error after framing");
            }
            let reply = Reply {
                update_counter: None,
                outputs: failed.outputs,
            };
            (result_code::of(&failed.error), reply)
        }
    };
    if code.number != 0 {
        let attempt = Attempt {
            operation: op.name().to_owned(),
            license_id: progress.license_id,
            installation_id: progress.installation_id,
            result_code: code.number,
            reason: code.reason.to_owned(),
            client_ip: caller.client_ip,
        };
        if let Err(error) = svc.record_attempt(attempt).await {
            tracing::error!(%error, "attempt history not written");
            code = result_code::of(&OpError::Internal(error.to_string()));
            reply = Reply::default();
        }
    }
    let now = svc.now();
    let content = private_data(code, &reply, progress.session.as_ref(), now);
    let document = match (&progress.keys, progress.signed || progress.encrypted) {
        (Some(keys), true) => match crypto::seal(op.name(), &content, keys, progress.encrypted) {
            Ok(sealed) => sealed,
            Err(error) => {
                tracing::error!(%error, "answer could not be sealed");
                code = result_code::of(&OpError::Internal(error.to_string()));
                plain(op, &private_data(code, &Reply::default(), None, now))
            }
        },
        _ => plain(op, &content),
    };
    Answer {
        document,
        result_code: code.number,
        error_message: code.text,
        license_id: progress.license_id,
    }
}

async fn run<S: ClientService>(
    svc: &S,
    cfg: FrameConfig,
    op: Operation,
    xml: &str,
    caller: &Caller,
    progress: &mut Progress,
) -> Result<Reply, Failed> {
    // 5001: unparsable, or not rooted at the method name without a namespace.
    let root = xml::parse(xml.as_bytes(), &cfg.limits).map_err(|_| Refused::Document)?;
    if root.namespace.is_some() || root.name != op.name() {
        return Err(Refused::Document.into());
    }
    let top = Fields::new(&root);
    // 5003: the key must be named, known and not revoked; answers stay plain before.
    let key_id = top
        .parse("EncryptionKeyID", EncryptionKeyId::parse)
        .ok()
        .flatten()
        .ok_or(Refused::Key)?;
    let keys = svc.key_set(key_id).await?.ok_or(Refused::Key)?;
    progress.keys = Some(Arc::clone(&keys));
    progress.encrypted = root
        .children
        .iter()
        .any(|c| c.is(Some(XENC), "EncryptedData"));
    progress.signed = root.children.iter().any(|c| c.is(Some(DSIG), "Signature"));
    // 5005 then 5004: verification comes before decryption (wire.md §5.3); offline
    // requests must be signed (§7.2).
    if (cfg.require_signed || cfg.offline.is_some()) && !progress.signed {
        return Err(Refused::Signature.into());
    }
    let opened = if progress.encrypted || progress.signed {
        let result = crypto::open_request(xml, &keys).map_err(|e| match e {
            OpenError::Signature => Refused::Signature,
            OpenError::Decrypt => Refused::Decrypt,
            OpenError::Malformed => Refused::Document,
        })?;
        progress.encrypted = result.encrypted;
        progress.signed = result.signed;
        let element = xml::parse(result.private_data_xml.as_bytes(), &cfg.limits)
            .map_err(|_| Refused::Document)?;
        Some(element)
    } else {
        None
    };
    // 5006: RequestMethod, when present, names this method.
    let request_method = top.text("RequestMethod")?;
    if request_method.is_some_and(|m| m != op.name()) {
        return Err(Refused::RequestMethod.into());
    }
    // Offline: only the methods of §7.2 (5006), RequestMethod required (5002).
    if cfg.offline.is_some() {
        if !op.allowed_offline() {
            return Err(Refused::RequestMethod.into());
        }
        request_method.ok_or(InputError::Missing("RequestMethod"))?;
    }
    // 5002: PrivateData and its fields.
    let private_data: &Element = match &opened {
        Some(element) => element,
        None => top
            .element("PrivateData")?
            .ok_or(InputError::Missing("PrivateData"))?,
    };
    let fields = Fields::new(private_data);
    progress.session = fields.parse("SessionCode", SessionCode::parse)?;
    let mut client_time = fields.parse("ClientTimestamp", value::date_time)?;
    let request = Request::parse(op, &fields).ok_or(Refused::Document)??;
    progress.license_id = request.license_id();
    progress.installation_id = request.installation_id();
    let offline = match cfg.offline {
        None => None,
        Some(rules) => {
            let session = progress
                .session
                .as_ref()
                .ok_or(InputError::Missing("SessionCode"))?;
            let sent = client_time.ok_or(InputError::Missing("ClientTimestamp"))?;
            check_offline_age(sent, svc.now(), rules)?;
            // E-2: the age is the TTL's business; CLK-1 refuses only a clock ahead,
            // checked above, so the rules see no client time.
            client_time = None;
            Some(OfflineClaim {
                key: key_id.to_string(),
                subject: request.offline_subject(),
                session_code: session.as_str().to_owned(),
            })
        }
    };
    let ctx = OpContext {
        request: RequestContext {
            client_ip: caller.client_ip,
            key_id,
            request_id: caller.request_id.clone(),
            offline,
        },
        keys: &keys,
        client_time,
    };
    request.apply(svc, ctx).await
}

/// wire.md §7.3 and errata E-2: older than the TTL is 5030, ahead of the server
/// beyond the clock tolerance is 5022 (E-12: 5030/5022 before 5029).
fn check_offline_age(
    sent: time::OffsetDateTime,
    now: time::OffsetDateTime,
    rules: OfflineRules,
) -> Result<(), Failed> {
    if sent < now - rules.ttl {
        return Err(Refused::OfflineTooOld.into());
    }
    if sent > now + rules.clock_tolerance {
        return Err(Refusal::Clock.into());
    }
    Ok(())
}

/// `PrivateData` of the answer: the frame, then the method outputs (wire.md §2.5).
fn private_data(
    code: WireCode,
    reply: &Reply,
    session: Option<&SessionCode>,
    now: time::OffsetDateTime,
) -> String {
    let mut w = XmlWriter::fragment();
    w.start("PrivateData", &[])
        .element_display("ResultCode", code.number)
        .element("ErrorMessage", code.text)
        .element("ServerTimestamp", &value::format_date_time(now));
    if let Some(session) = session {
        w.element("SessionCode", session.as_str());
    }
    if let Some(counter) = reply.update_counter {
        w.element_display("UpdateCounter", counter);
    }
    w.raw(&reply.outputs).end("PrivateData");
    w.finish()
}

/// An unprotected answer document.
fn plain(op: Operation, private_data: &str) -> String {
    let mut w = XmlWriter::document();
    w.start(op.name(), &[]).raw(private_data).end(op.name());
    w.finish()
}
