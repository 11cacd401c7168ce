//! The load itself: `concurrency` keep-alive HTTP/1.1 connections on one client
//! thread (so the client takes as little of the machine as possible), each sending
//! its next request as soon as the previous answer is in. Bounded by `--requests`
//! and `--max-seconds`.

use std::cell::Cell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use bytes::Bytes;
use clap::{Args, ValueEnum};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::requests::{self, Call};
use crate::setup::{password, FLOATING_LICENSE};
use crate::stats::Summary;

/// Which operation the load sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Op {
    /// ActivateInstallationLicenseFile (PLUS 5: signed, encrypted license file).
    Alf,
    /// ActivateInstallation (PP4 trigger codes).
    Pp4,
    /// CheckInstallationStatus of installations activated before the clock starts.
    Check,
    /// PollSession of `--sessions` sessions opened before the clock starts on the
    /// floating license of `setup --floating-seats` (issue 6).
    Poll,
}

/// Arguments of `unlockd-load run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Target, `http://127.0.0.1:PORT` (loopback only).
    #[arg(long)]
    pub url: String,
    /// Operation.
    #[arg(long, value_enum)]
    pub op: Op,
    /// Concurrent connections.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Total requests (upper bound).
    #[arg(long, default_value_t = 20_000)]
    pub requests: u64,
    /// Time bound in seconds.
    #[arg(long, default_value_t = 30)]
    pub max_seconds: u64,
    /// First license of `setup`.
    #[arg(long, default_value_t = 7000)]
    pub first_license: i32,
    /// Licenses of `setup`; request `i` goes to license `first + i % licenses`.
    #[arg(long, default_value_t = 16)]
    pub licenses: i32,
    /// Open sessions the `poll` load polls in turn.
    #[arg(long, default_value_t = 1_000)]
    pub sessions: u32,
    /// The server's pid: its peak RSS (VmHWM) is printed after the run.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Label of the printed line.
    #[arg(long, default_value = "load")]
    pub label: String,
}

/// Runs the load and prints the summary.
pub fn run(a: &RunArgs) -> anyhow::Result<()> {
    let addr = parse_loopback(&a.url)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    let mut summary = local.block_on(&rt, drive(a, addr))?;
    summary.print(&a.label);
    if let Some(pid) = a.server_pid {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .with_context(|| format!("reading /proc/{pid}/status"))?;
        for line in status.lines() {
            if line.starts_with("VmHWM") || line.starts_with("VmRSS") {
                let kb: u64 = line
                    .split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                println!(
                    "{}: server {} {:.1} MB",
                    a.label,
                    &line[..5],
                    kb as f64 / 1024.0
                );
            }
        }
    }
    Ok(())
}

fn parse_loopback(url: &str) -> anyhow::Result<SocketAddr> {
    let Some(rest) = url.strip_prefix("http://") else {
        bail!("--url must be http://127.0.0.1:PORT");
    };
    let addr: SocketAddr = rest
        .trim_end_matches('/')
        .parse()
        .context("--url address")?;
    if !addr.ip().is_loopback() {
        bail!("the load harness is loopback only");
    }
    Ok(addr)
}

async fn connect(addr: SocketAddr) -> anyhow::Result<SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::task::spawn_local(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

/// One request; the body as text, or the error label.
async fn send(
    sender: &mut SendRequest<Full<Bytes>>,
    addr: SocketAddr,
    call: Call,
) -> Result<String, String> {
    let req = Request::post(call.path)
        .header(hyper::header::HOST, addr.to_string())
        .header(hyper::header::CONTENT_TYPE, "text/xml; charset=utf-8")
        .header("SOAPAction", call.action)
        .body(Full::new(Bytes::from(call.body)))
        .map_err(|e| format!("request: {e}"))?;
    let resp = sender
        .send_request(req)
        .await
        .map_err(|_| "io".to_owned())?;
    let status = resp.status();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|_| "io".to_owned())?
        .to_bytes();
    if !status.is_success() {
        return Err(format!("http {}", status.as_u16()));
    }
    String::from_utf8(body.to_vec()).map_err(|_| "not utf-8".to_owned())
}

/// Installations for the check load: one ALF activation per license, before the clock.
async fn prepare_installations(a: &RunArgs, addr: SocketAddr) -> anyhow::Result<Vec<String>> {
    let mut sender = connect(addr).await?;
    let mut ids = Vec::new();
    let base = computer_base();
    for (n, license) in (a.first_license..a.first_license + a.licenses).enumerate() {
        let call = requests::license_file(license, &password(license), base + n as u64);
        let body = send(&mut sender, addr, call)
            .await
            .map_err(|e| anyhow::anyhow!("preparing installations: {e}"))?;
        let id = requests::inner_field(&body, "InstallationID")
            .with_context(|| format!("no InstallationID in {body}"))?;
        ids.push(id.to_owned());
    }
    Ok(ids)
}

/// Sessions for the poll load: `--sessions` OpenSession calls on the floating
/// license, before the clock.
async fn prepare_sessions(a: &RunArgs, addr: SocketAddr) -> anyhow::Result<Vec<String>> {
    let mut sender = connect(addr).await?;
    let mut ids = Vec::new();
    let base = computer_base();
    for n in 0..u64::from(a.sessions) {
        let call = requests::open_session(FLOATING_LICENSE, &password(FLOATING_LICENSE), base + n);
        let body = send(&mut sender, addr, call)
            .await
            .map_err(|e| anyhow::anyhow!("opening sessions: {e}"))?;
        let id = requests::inner_field(&body, "SessionID")
            .with_context(|| format!("no SessionID in {body}"))?;
        ids.push(id.to_owned());
    }
    Ok(ids)
}

/// Computer numbers unique to this run (so repeated runs on one database activate
/// new computers, not reactivations).
fn computer_base() -> u64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    (secs % 1_000) * 1_000_000
}

async fn drive(a: &RunArgs, addr: SocketAddr) -> anyhow::Result<Summary> {
    // Installations to check, or sessions to poll.
    let installations = Rc::new(match a.op {
        Op::Check => prepare_installations(a, addr).await?,
        Op::Poll => prepare_sessions(a, addr).await?,
        Op::Alf | Op::Pp4 => Vec::new(),
    });
    let next = Rc::new(Cell::new(0u64));
    let base = computer_base() + 500_000;
    let deadline = Instant::now() + Duration::from_secs(a.max_seconds);
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..a.concurrency.max(1) {
        let (next, installations) = (Rc::clone(&next), Rc::clone(&installations));
        let (op, total, first, licenses) = (a.op, a.requests, a.first_license, a.licenses.max(1));
        workers.push(tokio::task::spawn_local(async move {
            let mut s = Summary::default();
            let mut sender = None;
            loop {
                let i = next.get();
                if i >= total || Instant::now() >= deadline {
                    break;
                }
                next.set(i + 1);
                let license = first + (i % licenses as u64) as i32;
                let call = match op {
                    Op::Alf => requests::license_file(license, &password(license), base + i),
                    Op::Pp4 => requests::trigger_code(license, &password(license), base + i),
                    Op::Check => requests::check(&installations[i as usize % installations.len()]),
                    Op::Poll => {
                        requests::poll_session(&installations[i as usize % installations.len()])
                    }
                };
                if sender.is_none() {
                    match connect(addr).await {
                        Ok(c) => sender = Some(c),
                        Err(_) => {
                            *s.errors.entry("connect".into()).or_default() += 1;
                            continue;
                        }
                    }
                }
                let Some(c) = sender.as_mut() else { continue };
                let t0 = Instant::now();
                let outcome = send(c, addr, call).await;
                s.latencies_us.push(t0.elapsed().as_micros() as u64);
                match outcome {
                    Ok(body) => match requests::inner_field(&body, "ResultCode") {
                        Some("0") => s.ok += 1,
                        Some(code) => *s.errors.entry(format!("result {code}")).or_default() += 1,
                        None => *s.errors.entry("no ResultCode".into()).or_default() += 1,
                    },
                    Err(label) => {
                        sender = None;
                        *s.errors.entry(label).or_default() += 1;
                    }
                }
            }
            s
        }));
    }
    let mut summary = Summary::default();
    for w in workers {
        summary.absorb(w.await?);
    }
    summary.elapsed = start.elapsed();
    Ok(summary)
}
