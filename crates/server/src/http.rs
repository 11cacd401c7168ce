//! The hyper service: reads a bounded body, resolves the client address, opens the
//! per-request span and hands everything else to the SOAP façade.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Request, Response, StatusCode};
use tracing::{field, Instrument};
use unlockd_core::history::Attempt;
use unlockd_soap::service::ActivationService;

use crate::adapter::StoreService;
use crate::clock::ServerClock;
use crate::config::Config;

/// The façade settings of `config` (server and CLI share them).
pub fn soap_config(config: &Config) -> unlockd_soap::SoapConfig {
    unlockd_soap::SoapConfig {
        prefix: config.server.prefix.clone(),
        public_base_url: config.server.public_base_url.clone(),
        post_raw_response: config.soap.post_raw_response,
        require_signed: config.soap.require_signed,
        offline_request_ttl: time::Duration::days(config.rules.offline_request_ttl_days),
        clock_tolerance: time::Duration::hours(config.rules.clock_tolerance_hours),
        bulk_max: config.back_office.bulk_max,
        ..unlockd_soap::SoapConfig::default()
    }
}

/// Everything a request handler needs, shared by all connections.
pub struct AppState {
    /// The façade's configuration.
    pub soap: unlockd_soap::SoapConfig,
    /// The service the façade calls.
    pub service: StoreService,
    /// Body limit in bytes.
    pub body_limit: usize,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// The clock; movable only when `test_clock` is set.
    pub clock: Arc<ServerClock>,
    /// Whether `POST /_test/clock` is served (errata E-23).
    pub test_clock: bool,
}

impl AppState {
    /// Builds the state from the configuration and the service.
    pub fn new(
        config: &Config,
        service: StoreService,
        clock: Arc<ServerClock>,
        test_clock: bool,
    ) -> Self {
        let soap = soap_config(config);
        Self {
            soap,
            service,
            body_limit: config.server.body_limit,
            trusted_proxies: config.server.trusted_proxies.clone(),
            clock,
            test_clock,
        }
    }
}

static REQUEST_SEQ: AtomicU64 = AtomicU64::new(1);

/// Serves one HTTP request.
pub async fn serve(
    state: Arc<AppState>,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let request_id = format!("{:x}", REQUEST_SEQ.fetch_add(1, Ordering::Relaxed));
    let span = tracing::info_span!(
        "request",
        id = %request_id,
        method = %req.method(),
        path = %req.uri().path(),
        operation = field::Empty,
        license_id = field::Empty,
        result_code = field::Empty,
        status = field::Empty,
        latency_ms = field::Empty,
    );
    let started = Instant::now();
    let response = handle(&state, peer, req, &request_id)
        .instrument(span.clone())
        .await;
    span.record("status", response.status().as_u16());
    span.record("latency_ms", started.elapsed().as_secs_f64() * 1000.0);
    span.in_scope(|| tracing::info!("answered"));
    Ok(response)
}

async fn handle(
    state: &AppState,
    peer: SocketAddr,
    req: Request<Incoming>,
    request_id: &str,
) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let client_ip = client_ip(peer.ip(), &parts.headers, &state.trusted_proxies);

    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > state.body_limit as u64) {
        tracing::warn!(declared, limit = state.body_limit, "body too large");
        return too_large(state, client_ip).await;
    }
    let body = match Limited::new(body, state.body_limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                tracing::warn!(limit = state.body_limit, "body too large");
                return too_large(state, client_ip).await;
            }
            tracing::debug!(error = %e, "body read failed");
            return plain(StatusCode::BAD_REQUEST, "could not read the request body");
        }
    };

    if state.test_clock && parts.uri.path() == "/_test/clock" {
        return advance_clock(state, &parts.method, &body);
    }

    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let request = unlockd_soap::HttpRequest {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query(),
        content_type: header("content-type"),
        soap_action: header("soapaction"),
        host: header("host"),
        body: &body,
        client_ip: Some(client_ip),
        request_id,
    };
    let answer = unlockd_soap::handle(&state.service, &state.soap, request).await;
    let span = tracing::Span::current();
    if let Some(op) = answer.operation {
        span.record("operation", op);
    }
    if let Some(id) = answer.license_id {
        span.record("license_id", id);
    }
    if let Some(code) = answer.result_code {
        span.record("result_code", code);
    }
    let mut response = Response::new(Full::new(Bytes::from(answer.body)));
    *response.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&answer.content_type) {
        headers.insert(CONTENT_TYPE, v);
    }
    for (name, value) in answer.headers {
        if let (Ok(n), Ok(v)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            headers.insert(n, v);
        }
    }
    response
}

/// `POST /_test/clock` with form field `advance_seconds` (errata E-23).
fn advance_clock(state: &AppState, method: &hyper::Method, body: &[u8]) -> Response<Full<Bytes>> {
    if method != hyper::Method::POST {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "POST only");
    }
    let seconds = form_urlencoded::parse(body)
        .find(|(k, _)| k.eq_ignore_ascii_case("advance_seconds"))
        .and_then(|(_, v)| v.trim().parse::<i64>().ok())
        .filter(|s| *s >= 0);
    match seconds {
        Some(s) => {
            state.clock.advance(s);
            tracing::info!(advance_seconds = s, "test clock advanced");
            plain(
                StatusCode::OK,
                &format!("now {}", crate::clock::Clock::now(&*state.clock)),
            )
        }
        None => plain(
            StatusCode::BAD_REQUEST,
            "advance_seconds must be a non-negative integer",
        ),
    }
}

/// The client address for IP rules (wire.md §1): the TCP peer, or, if the peer is a
/// trusted proxy, the right-most `X-Forwarded-For` hop that is not one.
fn client_ip(peer: IpAddr, headers: &hyper::HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|h| h.trim().parse().ok())
        .collect();
    hops.into_iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .unwrap_or(peer)
}

/// 413 before any parsing (wire.md §2.6), logged as one attempt row (errata E-3).
async fn too_large(state: &AppState, client_ip: IpAddr) -> Response<Full<Bytes>> {
    let attempt = Attempt {
        operation: "Unknown".to_owned(),
        license_id: None,
        installation_id: None,
        result_code: 0,
        reason: "BodyTooLarge".to_owned(),
        client_ip: Some(client_ip),
    };
    if let Err(e) = state.service.record_attempt(attempt).await {
        tracing::error!(error = %e, "could not record the refused attempt");
    }
    plain(StatusCode::PAYLOAD_TOO_LARGE, "request body too large")
}

fn plain(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(text.to_owned())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_only_believed_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let mut h = hyper::HeaderMap::new();
        h.insert("x-forwarded-for", "203.0.113.9, 10.0.0.1".parse().unwrap());
        assert_eq!(client_ip(proxy, &h, &[proxy]).to_string(), "203.0.113.9");
        assert_eq!(client_ip(proxy, &h, &[]), proxy);
    }
}
