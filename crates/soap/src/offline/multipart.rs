//! Just enough `multipart/form-data` (RFC 7578) for the offline page: named parts
//! with their bytes. Files are ≤ 1 MiB (the server's body limit, wire.md §7.2).

/// One part: its `name` and content.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Part<'a> {
    pub name: String,
    pub body: &'a [u8],
}

/// The `boundary` parameter of a `multipart/form-data` Content-Type.
pub(super) fn boundary(content_type: &str) -> Option<String> {
    let (media, params) = content_type.split_once(';')?;
    if !media.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty() && b.len() <= 70)
    })
}

/// The parts of `body`; `None` if it is not well-formed.
pub(super) fn parts<'a>(body: &'a [u8], boundary: &str) -> Option<Vec<Part<'a>>> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut rest = &body[find(body, delimiter)? + delimiter.len()..];
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let header_end = find(rest, b"\r\n\r\n")?;
        let headers = std::str::from_utf8(&rest[..header_end]).ok()?;
        let content = &rest[header_end + 4..];
        let end = find(content, &[b"\r\n", delimiter].concat())?;
        if let Some(name) = headers.split("\r\n").find_map(disposition_name) {
            parts.push(Part {
                name,
                body: &content[..end],
            });
        }
        rest = &content[end + 2 + delimiter.len()..];
    }
}

/// `name` of a `Content-Disposition: form-data; name="…"` header line.
fn disposition_name(line: &str) -> Option<String> {
    let (key, value) = line.split_once(':')?;
    if !key.trim().eq_ignore_ascii_case("content-disposition") {
        return None;
    }
    value.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim() == "name").then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_files() {
        let ct = "multipart/form-data; boundary=\"XyZ\"";
        let b = boundary(ct).unwrap();
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"request\"\r\n\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name=\"requestFile\"; filename=\"r.xml\"\r\nContent-Type: text/xml\r\n\r\n<A>\r\n</A>\r\n--XyZ--\r\n";
        let p = parts(body, &b).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].name, "request");
        assert_eq!(p[0].body, b"");
        assert_eq!(p[1].name, "requestFile");
        assert_eq!(p[1].body, b"<A>\r\n</A>");
        assert!(parts(b"garbage", &b).is_none());
        assert!(boundary("text/plain").is_none());
    }
}
