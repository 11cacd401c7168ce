//! Shared helpers of the black-box tests: start the real `unlockd` binary on a free
//! port with a fresh database, and talk raw HTTP to it over a `TcpStream`.
//!
//! The backend comes from `UNLOCKD_TEST_DATABASE`: `sqlite` (default, a temp file) or
//! `postgres` (a database `unlockd_test_<pid>_<n>` of its own on 127.0.0.1:5432,
//! dropped when the last process using it is gone).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// The SOAP/ASMX namespace of every service (wire.md §1.1).
pub const NS: &str = "http://secure.softwarekey.com/solo/webservices/";
/// The demo EncryptionKeyID (issue 3 demo data).
pub const DEMO_KEY_ID: &str = "6F1C2E7A-0D4B-4C8E-9B1A-5E3D2C1B0A99";
/// Path of the activation service.
pub const ACTIVATION_PATH: &str = "/solo/webservices/XmlActivationService.asmx";
/// Path of the network floating service.
pub const FLOATING_PATH: &str = "/solo/webservices/XmlNetworkFloatingService.asmx";
/// Path of XmlLicenseFileService under the default prefix.
pub const LICENSE_FILE_PATH: &str = "/solo/webservices/XmlLicenseFileService.asmx";

/// Path of the `unlockd` binary: `$UNLOCKD_BIN`, else the workspace's debug build.
pub fn binary() -> PathBuf {
    if let Some(p) = std::env::var_os("UNLOCKD_BIN") {
        return PathBuf::from(p);
    }
    workspace_root().join("target/debug/unlockd")
}

/// The workspace root (the parent of this package).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

pub use unlockd_testdb::{on_postgres, TestDatabase};

/// A running server; killed on drop. Its database goes when the last [`TestApp`]
/// sharing it (see [`TestApp::spawn_peer`]) is dropped.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    child: Child,
    extra: Vec<String>,
    db: Arc<TestDatabase>,
}

impl TestApp {
    /// Starts `unlockd serve --demo --test-clock` on 127.0.0.1:0 with a fresh database.
    pub fn spawn() -> Self {
        Self::spawn_with(&[])
    }

    /// Like [`TestApp::spawn`] with extra `serve` arguments.
    pub fn spawn_with(extra: &[&str]) -> Self {
        let extra = extra.iter().map(|s| (*s).to_owned()).collect();
        Self::spawn_on(Arc::new(TestDatabase::new()), extra)
    }

    /// A second server process with the same arguments on the same database (several
    /// stateless processes sharing one database).
    pub fn spawn_peer(&self) -> Self {
        Self::spawn_on(Arc::clone(&self.db), self.extra.clone())
    }

    fn spawn_on(db: Arc<TestDatabase>, extra: Vec<String>) -> Self {
        let mut child = Command::new(binary())
            .args(["serve", "--bind", "127.0.0.1:0", "--demo", "--test-clock"])
            .args(&extra)
            .env("UNLOCKD_DATABASE_URL", db.url())
            .env(
                "RUST_LOG",
                std::env::var("TEST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(Stdio::piped())
            .stderr(if std::env::var_os("TEST_LOG").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary().display()));
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("unlockd exited before listening")
                .expect("read stdout");
            if let Some(rest) = line.strip_prefix("unlockd listening on http://") {
                break rest.trim().parse().expect("listen address");
            }
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.by_ref() {});
        Self {
            addr,
            child,
            extra,
            db,
        }
    }

    /// The database URL of this app (`sqlite://…` or `postgres://…`).
    pub fn database_url(&self) -> String {
        self.db.url().to_owned()
    }

    /// Sends raw request bytes and reads the whole response.
    pub fn raw(&self, request: &[u8]) -> RawResponse {
        let mut s = TcpStream::connect(self.addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(30))).ok();
        s.write_all(request).expect("write request");
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).expect("read response");
        RawResponse::parse(&buf)
    }

    /// POSTs `body` to `path` with the given headers (Connection: close added).
    pub fn post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> RawResponse {
        let mut req = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(body);
        self.raw(&bytes)
    }

    /// GETs `path_and_query`.
    pub fn get(&self, path_and_query: &str) -> RawResponse {
        let req = format!(
            "GET {path_and_query} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        );
        self.raw(req.as_bytes())
    }

    /// Calls an XmlActivationService method over SOAP 1.1 with `inner` as the `xml`
    /// parameter and returns the HTTP response.
    pub fn soap11(&self, method: &str, inner: &str) -> RawResponse {
        let body = soap11_envelope(method, inner);
        let action = format!("\"{NS}{method}\"");
        self.post(
            ACTIVATION_PATH,
            &[
                ("Content-Type", "text/xml; charset=utf-8"),
                ("SOAPAction", &action),
            ],
            body.as_bytes(),
        )
    }

    /// Calls an XmlNetworkFloatingService method over SOAP 1.1 and returns the
    /// unescaped inner answer document.
    pub fn call_floating(&self, method: &str, inner: &str) -> String {
        let body = soap11_envelope(method, inner);
        let action = format!("\"{NS}{method}\"");
        let resp = self.post(
            FLOATING_PATH,
            &[
                ("Content-Type", "text/xml; charset=utf-8"),
                ("SOAPAction", &action),
            ],
            body.as_bytes(),
        );
        assert_eq!(resp.status, 200, "HTTP status; body: {}", resp.text());
        let result_tag = format!("{method}Result");
        extract_text(&resp.text(), &result_tag)
            .unwrap_or_else(|| panic!("no {result_tag} in {}", resp.text()))
    }

    /// Calls `method` of the service at `path` over SOAP 1.1 and returns the
    /// unescaped inner answer document.
    pub fn call_at(&self, path: &str, method: &str, inner: &str) -> String {
        let body = soap11_envelope(method, inner);
        let action = format!("\"{NS}{method}\"");
        let resp = self.post(
            path,
            &[
                ("Content-Type", "text/xml; charset=utf-8"),
                ("SOAPAction", &action),
            ],
            body.as_bytes(),
        );
        assert_eq!(resp.status, 200, "HTTP status; body: {}", resp.text());
        let result_tag = format!("{method}Result");
        extract_text(&resp.text(), &result_tag)
            .unwrap_or_else(|| panic!("no {result_tag} in {}", resp.text()))
    }

    /// Calls `method` of the service at `path` over SOAP 1.2 and returns the
    /// unescaped inner answer document.
    pub fn call12_at(&self, path: &str, method: &str, inner: &str) -> String {
        let body = soap12_envelope(method, inner);
        let resp = self.post(
            path,
            &[("Content-Type", "application/soap+xml; charset=utf-8")],
            body.as_bytes(),
        );
        assert_eq!(resp.status, 200, "HTTP status; body: {}", resp.text());
        let result_tag = format!("{method}Result");
        extract_text(&resp.text(), &result_tag)
            .unwrap_or_else(|| panic!("no {result_tag} in {}", resp.text()))
    }

    /// Calls `{path}/{segment}` over the HTTP POST binding (form field `xml`) and
    /// returns the unescaped `string` answer.
    pub fn post_at(&self, path: &str, segment: &str, inner: &str) -> String {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("xml", inner)
            .finish();
        let resp = self.post(
            &format!("{path}/{segment}"),
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        );
        assert_eq!(resp.status, 200, "HTTP status; body: {}", resp.text());
        extract_text(&resp.text(), "string")
            .unwrap_or_else(|| panic!("no string in {}", resp.text()))
    }

    /// Calls a method over SOAP 1.1 and returns the unescaped inner answer document.
    pub fn call(&self, method: &str, inner: &str) -> String {
        let resp = self.soap11(method, inner);
        assert_eq!(resp.status, 200, "HTTP status; body: {}", resp.text());
        let result_tag = format!("{method}Result");
        extract_text(&resp.text(), &result_tag)
            .unwrap_or_else(|| panic!("no {result_tag} in {}", resp.text()))
    }

    /// Advances the server's test clock.
    pub fn advance_clock(&self, seconds: i64) {
        let body = format!("advance_seconds={seconds}");
        let r = self.post(
            "/_test/clock",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", r.text());
    }

    /// Runs an `unlockd` admin subcommand (`option add …`, `license add …`) against
    /// this app's database and panics with its stderr if it fails.
    pub fn admin(&self, args: &[&str]) {
        let out = Command::new(binary())
            .args(args)
            .env("UNLOCKD_DATABASE_URL", self.database_url())
            .env("RUST_LOG", "error")
            .output()
            .expect("run admin subcommand");
        assert!(
            out.status.success(),
            "unlockd {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Calls a method over SOAP 1.1 like [`TestApp::call`], but returns I/O failures
    /// (a dead server) instead of panicking; `None` when the answer is not HTTP 200.
    pub fn try_call(&self, method: &str, inner: &str) -> std::io::Result<Option<String>> {
        let body = soap11_envelope(method, inner);
        let head = format!(
            "POST {ACTIVATION_PATH} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: text/xml; charset=utf-8\r\nSOAPAction: \"{NS}{method}\"\r\nContent-Length: {}\r\n\r\n",
            self.addr,
            body.len()
        );
        let mut s = TcpStream::connect(self.addr)?;
        s.set_read_timeout(Some(Duration::from_secs(30)))?;
        s.write_all(head.as_bytes())?;
        s.write_all(body.as_bytes())?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf)?;
        let text = String::from_utf8_lossy(&buf);
        if !text.starts_with("HTTP/1.1 200") {
            return Ok(None);
        }
        let result_tag = format!("{method}Result");
        Ok(extract_text(&text, &result_tag))
    }

    /// Kills the server with SIGKILL (no shutdown, no flush) and waits until it is
    /// dead; the database stays for [`TestApp::spawn_peer`] (crash tests, rules
    /// CON-6). Takes `&self` so that client threads may still hold the app.
    pub fn kill9(&self) {
        let pid = self.child.id();
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
        // Dead = gone or a zombie (reaped on drop).
        for _ in 0..1000 {
            match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
                Ok(stat)
                    if !stat
                        .rsplit(')')
                        .next()
                        .unwrap_or("")
                        .trim_start()
                        .starts_with('Z') =>
                {
                    std::thread::sleep(Duration::from_millis(5))
                }
                _ => return,
            }
        }
        panic!("unlockd {pid} survived SIGKILL");
    }

    /// Stops the server with SIGTERM and waits for it.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        self.child.wait().expect("wait")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A parsed HTTP/1.1 response.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl RawResponse {
    fn parse(buf: &[u8]) -> Self {
        let split = buf
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("end of headers");
        let head = String::from_utf8_lossy(&buf[..split]).into_owned();
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status code");
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Self {
            status,
            headers,
            body: buf[split + 4..].to_vec(),
        }
    }

    /// A header value by (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as UTF-8 text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Escapes text for XML content.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Reverses [`escape`] plus `&#xD;` and `&quot;`, enough for our answers.
pub fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#xD;", "\r")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// A SOAP 1.1 request envelope carrying `inner` as the `xml` parameter.
pub fn soap11_envelope(method: &str, inner: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><{method} xmlns=\"{NS}\"><xml>{}</xml></{method}></soap:Body></soap:Envelope>",
        escape(inner)
    )
}

/// A SOAP 1.2 request envelope carrying `inner` as the `xml` parameter.
pub fn soap12_envelope(method: &str, inner: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap12:Envelope xmlns:soap12=\"http://www.w3.org/2003/05/soap-envelope\"><soap12:Body><{method} xmlns=\"{NS}\"><xml>{}</xml></{method}></soap12:Body></soap12:Envelope>",
        escape(inner)
    )
}

/// The unescaped text content of the first `<tag>` or `<tag xmlns…>` element.
pub fn extract_text(doc: &str, tag: &str) -> Option<String> {
    let open_plain = format!("<{tag}>");
    let open_attr = format!("<{tag} ");
    let start = doc
        .find(&open_plain)
        .map(|i| i + open_plain.len())
        .or_else(|| {
            doc.find(&open_attr)
                .and_then(|i| doc[i..].find('>').map(|j| i + j + 1))
        })?;
    let end = doc[start..].find(&format!("</{tag}>"))? + start;
    Some(unescape(&doc[start..end]))
}

/// The raw (still escaped) content of the first `<tag>` element, for child XML.
pub fn element(doc: &str, tag: &str) -> Option<String> {
    let start = doc.find(&format!("<{tag}>"))?;
    let close = format!("</{tag}>");
    let end = doc[start..].find(&close)? + start + close.len();
    Some(doc[start..end].to_owned())
}

/// A client session code the default trigger-code algorithm dates to today
/// (wire.md §6.3: 32768 × days since 2000-01-01 + 15 random bits).
pub fn todays_session_code(low_bits: i32) -> i32 {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0) as i64
        - 10_957;
    (32_768 * days + i64::from(low_bits & 0x7fff)) as i32
}
