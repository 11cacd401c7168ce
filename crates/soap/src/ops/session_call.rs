//! PollSession, CloseSession, CheckoutSession and CheckinSession: calls on an open
//! network floating session (wire.md §3.10, rules FLT-5, FLT-6, errata E-5). They
//! share one shape: SessionID, an optional LicenseID that must own the session, and
//! for checkout the hours.

use unlockd_core::floating::{SessionAction, SessionId, SessionRequest};
use unlockd_core::{LicenseId, ParseError};

use super::{certificate, Failed, OpContext, Reply};
use crate::error::InputError;
use crate::fields::Fields;
use crate::service::FloatingService;
use crate::value;

/// A parsed call on a session.
#[derive(Debug)]
pub(crate) struct SessionCall {
    session_id: SessionId,
    license_id: Option<LicenseId>,
    action: SessionAction,
}

/// Which session method is being parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionMethod {
    /// PollSession.
    Poll,
    /// CloseSession.
    Close,
    /// CheckoutSession (CheckoutHours required).
    Checkout,
    /// CheckinSession.
    Checkin,
}

impl SessionCall {
    /// Reads SessionID (32 hex digits), LicenseID and, for checkout, CheckoutHours
    /// (a non-negative int; its min..max bounds are the rules', 5002 via E-PARAM).
    pub(crate) fn parse(method: SessionMethod, f: &Fields<'_>) -> Result<Self, InputError> {
        let action = match method {
            SessionMethod::Poll => SessionAction::Poll,
            SessionMethod::Close => SessionAction::Close,
            SessionMethod::Checkin => SessionAction::Checkin,
            SessionMethod::Checkout => {
                SessionAction::Checkout(f.parse_required("CheckoutHours", hours)?)
            }
        };
        Ok(Self {
            session_id: f.parse_required("SessionID", SessionId::parse)?,
            license_id: f.parse("LicenseID", LicenseId::parse)?,
            action,
        })
    }

    /// The session called.
    pub(crate) fn session_id(&self) -> &SessionId {
        &self.session_id
    }

    /// The license the client named, if any.
    pub(crate) fn license_id(&self) -> Option<LicenseId> {
        self.license_id
    }

    /// Runs the action; every method but CloseSession answers the signed certificate.
    #[tracing::instrument(skip_all, fields(session_id = %self.session_id))]
    pub(crate) async fn apply<S: FloatingService>(
        self,
        svc: &S,
        ctx: OpContext<'_>,
    ) -> Result<Reply, Failed> {
        let close = self.action == SessionAction::Close;
        let request = SessionRequest {
            session_id: self.session_id,
            license_id: self.license_id,
            action: self.action,
            client_time: ctx.client_time,
        };
        let grant = svc.session_action(request, ctx.request).await?;
        let outputs = if close {
            String::new()
        } else {
            certificate::signed(&grant, ctx.keys)?
        };
        Ok(Reply {
            update_counter: Some(grant.update_counter),
            outputs,
        })
    }
}

fn hours(s: &str) -> Result<u32, ParseError> {
    u32::try_from(value::int(s)?).map_err(|_| ParseError::Range)
}
