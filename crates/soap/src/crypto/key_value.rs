//! `RSAKeyValue` in .NET's XML form (wire.md §5.2): base64 of big-endian integers,
//! private parts padded to the lengths `RSA.FromXmlString` requires (D as long as the
//! modulus, P, Q, DP, DQ, InverseQ half of it).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use openssl::bn::{BigNum, BigNumRef};
use openssl::pkey::{HasPublic, Private, Public};
use openssl::rsa::{Rsa, RsaRef};

use super::error::CryptoError;
use super::tree::Element;

/// Serialises the public part: `<RSAKeyValue><Modulus/><Exponent/></RSAKeyValue>`.
pub(crate) fn public_xml<T: HasPublic>(rsa: &RsaRef<T>) -> String {
    format!(
        "<RSAKeyValue><Modulus>{}</Modulus><Exponent>{}</Exponent></RSAKeyValue>",
        STANDARD.encode(rsa.n().to_vec()),
        STANDARD.encode(rsa.e().to_vec()),
    )
}

/// Serialises the whole private key, elements in .NET's order.
pub(crate) fn private_xml(rsa: &RsaRef<Private>) -> Result<String, CryptoError> {
    let missing = || CryptoError::Key("private key lacks CRT parameters");
    let full = rsa.size();
    let half = full.div_ceil(2);
    let padded = |n: Option<&BigNumRef>, len: u32| -> Result<String, CryptoError> {
        let len = i32::try_from(len).map_err(|_| CryptoError::KeySize(len))?;
        Ok(STANDARD.encode(n.ok_or_else(missing)?.to_vec_padded(len)?))
    };
    Ok(format!(
        "<RSAKeyValue><Modulus>{}</Modulus><Exponent>{}</Exponent><P>{}</P><Q>{}</Q>\
         <DP>{}</DP><DQ>{}</DQ><InverseQ>{}</InverseQ><D>{}</D></RSAKeyValue>",
        STANDARD.encode(rsa.n().to_vec()),
        STANDARD.encode(rsa.e().to_vec()),
        padded(rsa.p(), half)?,
        padded(rsa.q(), half)?,
        padded(rsa.dmp1(), half)?,
        padded(rsa.dmq1(), half)?,
        padded(rsa.iqmp(), half)?,
        padded(Some(rsa.d()), full)?,
    ))
}

/// Reads `<RSAKeyValue>` holding at least Modulus and Exponent.
pub(crate) fn parse_public(key_value: &Element) -> Result<Rsa<Public>, CryptoError> {
    Ok(Rsa::from_public_components(
        number(key_value, "Modulus")?,
        number(key_value, "Exponent")?,
    )?)
}

/// Reads a complete private `<RSAKeyValue>` and checks its consistency.
pub(crate) fn parse_private(key_value: &Element) -> Result<Rsa<Private>, CryptoError> {
    let rsa = Rsa::from_private_components(
        number(key_value, "Modulus")?,
        number(key_value, "Exponent")?,
        number(key_value, "D")?,
        number(key_value, "P")?,
        number(key_value, "Q")?,
        number(key_value, "DP")?,
        number(key_value, "DQ")?,
        number(key_value, "InverseQ")?,
    )?;
    if !rsa.check_key()? {
        return Err(CryptoError::Key("inconsistent RSA private key"));
    }
    Ok(rsa)
}

/// Decodes base64 tolerating the whitespace XML writers insert.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD.decode(compact).ok()
}

fn number(key_value: &Element, name: &'static str) -> Result<BigNum, CryptoError> {
    let bytes = key_value
        .only_child("", name)
        .and_then(|e| decode_base64(&e.text()))
        .ok_or(CryptoError::Key("RSAKeyValue part missing or not base64"))?;
    Ok(BigNum::from_slice(&bytes)?)
}

#[cfg(test)]
mod tests {
    use super::super::tree::parse;
    use super::*;

    #[test]
    fn private_key_value_round_trips_with_dotnet_lengths() {
        let rsa = Rsa::generate(1024).unwrap();
        let xml = private_xml(&rsa).unwrap();
        let root = parse(&xml).unwrap();
        let d = decode_base64(&root.only_child("", "D").unwrap().text()).unwrap();
        assert_eq!(d.len(), 128);
        let p = decode_base64(&root.only_child("", "P").unwrap().text()).unwrap();
        assert_eq!(p.len(), 64);
        let back = parse_private(&root).unwrap();
        assert_eq!(back.n(), rsa.n());
        assert_eq!(back.d(), rsa.d());
        assert_eq!(parse_public(&root).unwrap().n(), rsa.n());
    }

    #[test]
    fn exponent_is_the_dotnet_aqab() {
        let rsa = Rsa::generate(1024).unwrap();
        assert!(public_xml(&rsa).contains("<Exponent>AQAB</Exponent>"));
    }

    #[test]
    fn inconsistent_private_key_is_refused() {
        let a = private_xml(&Rsa::generate(1024).unwrap()).unwrap();
        let b = private_xml(&Rsa::generate(1024).unwrap()).unwrap();
        let d_of_b = &b[b.find("<D>").unwrap()..];
        let mixed = format!("{}{}", &a[..a.find("<D>").unwrap()], d_of_b);
        assert!(parse_private(&parse(&mixed).unwrap()).is_err());
    }
}
