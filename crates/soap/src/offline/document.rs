//! Finding the request document in what the user brought (wire.md §7.2): the XML
//! itself, or a wrapper such as the native sample's `ManualActivationRequest.htm`,
//! which is HTML-unescaped once; the first element named after a client method is
//! taken up to its end tag.

use crate::ops::Operation;

/// The operation and its request document, or `None` if no client method element is
/// found.
pub(super) fn extract(text: &str) -> Option<(Operation, String)> {
    find(text).or_else(|| find(&html_unescape(text)))
}

fn find(text: &str) -> Option<(Operation, String)> {
    let mut best: Option<(usize, Operation)> = None;
    for op in Operation::KNOWN {
        let open = format!("<{}", op.name());
        let mut from = 0;
        while let Some(i) = text[from..].find(&open).map(|i| i + from) {
            let next = text[i + open.len()..].chars().next();
            if matches!(next, Some('>' | '/' | ' ' | '\t' | '\r' | '\n')) {
                if best.is_none_or(|(b, _)| i < b) {
                    best = Some((i, op));
                }
                break;
            }
            from = i + open.len();
        }
    }
    let (start, op) = best?;
    let close = format!("</{}>", op.name());
    let end = text[start..].find(&close)? + start + close.len();
    Some((op, text[start..end].to_owned()))
}

/// One level of HTML unescaping: the five XML entities and numeric references.
fn html_unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(semi) = rest[..rest.len().min(12)].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_document_from_xml_or_an_htm_wrapper() {
        let doc =
            "<DeactivateInstallation><EncryptionKeyID>x</EncryptionKeyID></DeactivateInstallation>";
        let (op, found) = extract(&format!("<?xml version=\"1.0\"?>{doc}\n")).unwrap();
        assert_eq!(op, Operation::DeactivateInstallation);
        assert_eq!(found, doc);
        let wrapped = format!(
            "<html><body><textarea>{}</textarea></body></html>",
            doc.replace('<', "&lt;").replace('>', "&gt;")
        );
        assert_eq!(extract(&wrapped).unwrap().1, doc);
        assert!(extract("<html>nothing</html>").is_none());
    }

    #[test]
    fn prefix_names_do_not_match_longer_methods() {
        let doc = "<ActivateInstallationLicenseFile></ActivateInstallationLicenseFile>";
        assert_eq!(
            extract(doc).unwrap().0,
            Operation::ActivateInstallationLicenseFile
        );
    }

    #[test]
    fn unescape_handles_numeric_and_stray_ampersands() {
        assert_eq!(html_unescape("a &amp; b &#60;&#x3E; & c"), "a & b <> & c");
    }
}
