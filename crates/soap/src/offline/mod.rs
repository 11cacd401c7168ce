//! Offline activation (wire.md §7): requests carried by hand to ManualRequest.aspx or
//! `unlockd offline respond`, and ManualTriggerCodes.aspx.
//!
//! [`respond`] is the one entry point of both surfaces: a PP4 activation file (by its
//! first line, §7.4) goes to [`pp4`]; anything else is taken as a PLUS 5 request
//! document (§7.2, [`document`]) and answered by the client frame in offline mode:
//! signature, RequestMethod, SessionCode and ClientTimestamp required, the TTL (5030)
//! and one use per request (5029) enforced, the answer exactly the online one (OFF-2).

mod document;
mod multipart;
pub(crate) mod page;
mod pp4;

use std::net::IpAddr;

use crate::frame::{self, Caller, FrameConfig, OfflineRules};
use crate::handler::SoapConfig;
use crate::ops::Operation;
use crate::result_code;
use crate::service::ClientService;

/// The result of an offline submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfflineAnswer {
    /// ResultCode 0: the response file to carry back.
    Response {
        /// The response document or file text.
        text: String,
        /// The suggested file name (`ManualResponse.xml` or `ManualResponse.txt`).
        file_name: &'static str,
        /// The license the request named.
        license_id: Option<i32>,
    },
    /// A refusal: the code and its fixed text (never written as a response file).
    Refused {
        /// The ResultCode (wire.md §4.1).
        code: i32,
        /// Its ErrorMessage.
        message: String,
        /// The license the request named, if it parsed that far.
        license_id: Option<i32>,
    },
}

impl OfflineAnswer {
    /// The ResultCode (0 for a response).
    pub fn code(&self) -> i32 {
        match self {
            Self::Response { .. } => 0,
            Self::Refused { code, .. } => *code,
        }
    }

    fn refused(error: &crate::error::OpError, license_id: Option<i32>) -> Self {
        let code = result_code::of(error);
        Self::Refused {
            code: code.number,
            message: code.text.to_owned(),
            license_id,
        }
    }
}

/// Answers one offline submission (the pasted or uploaded text) from `client_ip`
/// (rules IP-3: the submitter's address).
pub async fn respond<S: ClientService>(
    svc: &S,
    cfg: &SoapConfig,
    submitted: &str,
    client_ip: Option<IpAddr>,
    request_id: &str,
) -> OfflineAnswer {
    let caller = Caller {
        client_ip,
        request_id: request_id.to_owned(),
    };
    if unlockd_core::offact::is_request_file(submitted) {
        return pp4::respond(svc, cfg, submitted, &caller).await;
    }
    let (op, xml) = match document::extract(submitted) {
        Some((op, xml)) => (op, xml),
        // 5001 on the method the text claims to be, recorded like every refusal.
        None => (Operation::ActivateInstallationLicenseFile, String::new()),
    };
    let frame_cfg = FrameConfig {
        limits: cfg.limits,
        require_signed: true,
        offline: Some(OfflineRules {
            ttl: cfg.offline_request_ttl,
            clock_tolerance: cfg.clock_tolerance,
        }),
    };
    let answer = frame::answer(svc, frame_cfg, op, &xml, &caller).await;
    let license_id = answer.license_id.map(|id| id.get());
    if answer.result_code == 0 {
        OfflineAnswer::Response {
            text: answer.document,
            file_name: "ManualResponse.xml",
            license_id,
        }
    } else {
        OfflineAnswer::Refused {
            code: answer.result_code,
            message: answer.error_message.to_owned(),
            license_id,
        }
    }
}
