//! The echo ceiling: hyper on tokio, HTTP/1.1 keep-alive, one fixed SOAP answer.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::requests::ECHO_BODY;

/// Serves [`ECHO_BODY`] on `bind` until the process is killed; prints
/// `echo listening on http://ADDR` once bound.
pub fn serve(bind: SocketAddr) -> anyhow::Result<()> {
    anyhow::ensure!(bind.ip().is_loopback(), "the echo server is loopback only");
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async move {
            let listener = TcpListener::bind(bind).await?;
            println!("echo listening on http://{}", listener.local_addr()?);
            loop {
                let (stream, _) = listener.accept().await?;
                stream.set_nodelay(true)?;
                tokio::spawn(async move {
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service_fn(answer))
                        .await;
                });
            }
        })
}

/// Reads the whole request (as the real server does) and answers the fixed body.
async fn answer(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let _ = req.into_body().collect().await;
    let mut resp = Response::new(Full::new(Bytes::from_static(ECHO_BODY.as_bytes())));
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    Ok(resp)
}
