#!/usr/bin/env python3
"""Independent verifier of unlockd license files (wire.md §5, errata E-9, E-10).

Written against the spec with lxml and cryptography only; it shares no code with
the Rust implementation, so the two cross-check each other.

Usage: verify_license.py KEYS_JSON LICENSE_FILE

KEYS_JSON is the output of `unlockd key export` ({"EncryptionKeyID", "Envelope",
"EnvelopeKey", "ClientKeyPrivatePem", "ServerKeyPublicPem"}). LICENSE_FILE holds a
SoftwareKey element, alone or anywhere inside a larger XML document (e.g. a
decrypted answer's PrivateData/License).

Steps: open the Envelope with the EnvelopeKey (AES-256-CBC, PKCS#7), take the
ClientKey private part from it, check it against the exported PEMs and the
Envelope's own ServerKey signature; extract the SoftwareKey as a standalone
document (E-10); verify its enveloped signature (exclusive C14N, digest and
RSA PKCS#1 v1.5) with the ServerKey public key; decrypt PrivateData (RSA-OAEP
SHA-1 key transport, AES-256-CBC) with the ClientKey; print the PrivateData XML.
Exit status 0 on success, 1 on any failure (reason on stderr).
"""

import base64
import hmac
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.padding import PKCS7
from lxml import etree

DS = "http://www.w3.org/2000/09/xmldsig#"
XENC = "http://www.w3.org/2001/04/xmlenc#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SIGNATURE_METHODS = {
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1": hashes.SHA1,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": hashes.SHA256,
}
DIGEST_METHODS = {
    "http://www.w3.org/2000/09/xmldsig#sha1": hashes.SHA1,
    "http://www.w3.org/2001/04/xmlenc#sha256": hashes.SHA256,
}
AES256_CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"
RSA_OAEP = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"


class Invalid(Exception):
    """The input does not verify or decrypt."""


def q(ns, local):
    return "{%s}%s" % (ns, local)


def parse(data):
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        raise Invalid("not well-formed XML: %s" % e) from e


def b64(text):
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except ValueError as e:
        raise Invalid("bad base64") from e


def only(parent, tag):
    found = parent.findall(tag)
    if len(found) != 1:
        raise Invalid("expected exactly one %s under %s" % (tag, parent.tag))
    return found[0]


def elements(el):
    return [c for c in el if isinstance(c.tag, str)]


def exc_c14n(el):
    return etree.tostring(el, method="c14n", exclusive=True, with_comments=False)


def int_of(parent, name):
    return int.from_bytes(b64(only(parent, name).text), "big")


def open_envelope(envelope_b64, envelope_key_b64):
    key = b64(envelope_key_b64)
    if len(key) != 48:
        raise Invalid("EnvelopeKey is not 48 bytes")
    decryptor = Cipher(algorithms.AES(key[:32]), modes.CBC(key[32:])).decryptor()
    padded = decryptor.update(b64(envelope_b64)) + decryptor.finalize()
    unpadder = PKCS7(128).unpadder()
    try:
        plain = unpadder.update(padded) + unpadder.finalize()
    except ValueError as e:
        raise Invalid("Envelope does not decrypt with the EnvelopeKey") from e
    root = parse(plain)
    if root.tag != "Envelope":
        raise Invalid("Envelope root is %s" % root.tag)
    private = only(root, "PrivateData")
    client = only(only(private, "ClientKey"), "RSAKeyValue")
    server = only(only(private, "ServerKey"), "RSAKeyValue")
    public = rsa.RSAPublicNumbers(int_of(client, "Exponent"), int_of(client, "Modulus"))
    client_key = rsa.RSAPrivateNumbers(
        p=int_of(client, "P"),
        q=int_of(client, "Q"),
        d=int_of(client, "D"),
        dmp1=int_of(client, "DP"),
        dmq1=int_of(client, "DQ"),
        iqmp=int_of(client, "InverseQ"),
        public_numbers=public,
    ).private_key()
    server_key = rsa.RSAPublicNumbers(
        int_of(server, "Exponent"), int_of(server, "Modulus")
    ).public_key()
    key_id = only(private, "EncryptionKeyID").text
    return root, key_id, client_key, server_key


def verify_signature(doc, public_key, key_id):
    """Verify the enveloped signature that is a child of the root `doc`."""
    signatures = doc.findall(q(DS, "Signature"))
    if len(signatures) != 1:
        raise Invalid("expected exactly one Signature under the root")
    signature = signatures[0]
    parts = elements(signature)
    if len(parts) not in (2, 3) or [p.tag for p in parts[:2]] != [
        q(DS, "SignedInfo"),
        q(DS, "SignatureValue"),
    ]:
        raise Invalid("Signature is not SignedInfo, SignatureValue[, KeyInfo]")
    signed_info, signature_value = parts[0], parts[1]
    if len(parts) == 3:
        check_key_info(parts[2], public_key, key_id)

    info = elements(signed_info)
    if [e.tag for e in info] != [
        q(DS, "CanonicalizationMethod"),
        q(DS, "SignatureMethod"),
        q(DS, "Reference"),
    ]:
        raise Invalid("SignedInfo must hold exactly one Reference")
    if info[0].get("Algorithm") != EXC_C14N or len(info[0]):
        raise Invalid("CanonicalizationMethod is not exclusive C14N")
    signature_hash = SIGNATURE_METHODS.get(info[1].get("Algorithm"))
    if signature_hash is None:
        raise Invalid("unsupported SignatureMethod")
    reference = info[2]
    if reference.get("URI") != "":
        raise Invalid('Reference URI is not ""')
    ref_parts = elements(reference)
    if [e.tag for e in ref_parts] != [
        q(DS, "Transforms"),
        q(DS, "DigestMethod"),
        q(DS, "DigestValue"),
    ]:
        raise Invalid("Reference is not Transforms, DigestMethod, DigestValue")
    transforms = elements(ref_parts[0])
    if [(t.tag, t.get("Algorithm"), len(t)) for t in transforms] != [
        (q(DS, "Transform"), ENVELOPED, 0),
        (q(DS, "Transform"), EXC_C14N, 0),
    ]:
        raise Invalid("Transforms are not exactly enveloped-signature, exc-c14n")
    digest_hash = DIGEST_METHODS.get(ref_parts[1].get("Algorithm"))
    if digest_hash is None:
        raise Invalid("unsupported DigestMethod")

    # Enveloped-signature transform: the document without this Signature.
    stripped = etree.fromstring(etree.tostring(doc))
    stripped.remove(stripped.find(q(DS, "Signature")))
    digest = hashes.Hash(digest_hash())
    digest.update(exc_c14n(stripped))
    if not hmac.compare_digest(digest.finalize(), b64(ref_parts[2].text)):
        raise Invalid("DigestValue does not match the document")
    try:
        public_key.verify(
            b64(signature_value.text),
            exc_c14n(signed_info),
            padding.PKCS1v15(),
            signature_hash(),
        )
    except InvalidSignature as e:
        raise Invalid("SignatureValue does not verify with the ServerKey") from e


def check_key_info(key_info, public_key, key_id):
    """KeyInfo is never trusted, only compared with the key we hold."""
    if key_info.tag != q(DS, "KeyInfo"):
        raise Invalid("third Signature child is not KeyInfo")
    name = key_info.find(q(DS, "KeyName"))
    if name is not None and (name.text or "").strip().upper() != key_id.upper():
        raise Invalid("KeyName names another key")
    value = key_info.find(q(DS, "KeyValue"))
    if value is not None:
        rsa_value = only(value, q(DS, "RSAKeyValue"))
        numbers = public_key.public_numbers()
        if (int_of(rsa_value, q(DS, "Modulus")), int_of(rsa_value, q(DS, "Exponent"))) != (
            numbers.n,
            numbers.e,
        ):
            raise Invalid("KeyValue is not the ServerKey")


def decrypt_private_data(doc, client_key):
    encrypted = only(doc, q(XENC, "EncryptedData"))
    if encrypted.get("Id") != "PrivateData":
        raise Invalid('EncryptedData Id is not "PrivateData"')
    if only(encrypted, q(XENC, "EncryptionMethod")).get("Algorithm") != AES256_CBC:
        raise Invalid("data cipher is not aes256-cbc")
    encrypted_key = only(only(encrypted, q(DS, "KeyInfo")), q(XENC, "EncryptedKey"))
    if only(encrypted_key, q(XENC, "EncryptionMethod")).get("Algorithm") != RSA_OAEP:
        raise Invalid("key transport is not rsa-oaep-mgf1p")

    def cipher_value(parent):
        return b64(only(only(parent, q(XENC, "CipherData")), q(XENC, "CipherValue")).text)

    try:
        key = client_key.decrypt(
            cipher_value(encrypted_key),
            padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None),
        )
    except ValueError as e:
        raise Invalid("the ClientKey cannot unwrap the data key") from e
    data = cipher_value(encrypted)
    if len(key) != 32 or len(data) < 32 or len(data) % 16:
        raise Invalid("bad key or ciphertext length")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(data[:16])).decryptor()
    plain = decryptor.update(data[16:]) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= 16:
        raise Invalid("bad XML-Enc padding")
    return plain[:-pad].decode("utf-8")


def software_key_document(data):
    """E-10: the SoftwareKey element as a standalone document."""
    root = parse(data)
    element = root if etree.QName(root).localname == "SoftwareKey" else None
    if element is None:
        element = next(iter(root.iter("{*}SoftwareKey")), None)
    if element is None:
        raise Invalid("no SoftwareKey element")
    return parse(etree.tostring(element))


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        with open(argv[1], "rb") as f:
            keys = json.load(f)
        with open(argv[2], "rb") as f:
            license_data = f.read()
        key_id = keys["EncryptionKeyID"]
        server_key = serialization.load_pem_public_key(keys["ServerKeyPublicPem"].encode())
        exported_client = serialization.load_pem_private_key(
            keys["ClientKeyPrivatePem"].encode(), password=None
        )

        envelope, envelope_id, client_key, envelope_server_key = open_envelope(
            keys["Envelope"], keys["EnvelopeKey"]
        )
        if envelope_id.strip().upper() != key_id.upper():
            raise Invalid("Envelope names another EncryptionKeyID")
        if client_key.private_numbers() != exported_client.private_numbers():
            raise Invalid("Envelope ClientKey differs from ClientKeyPrivatePem")
        if envelope_server_key.public_numbers() != server_key.public_numbers():
            raise Invalid("Envelope ServerKey differs from ServerKeyPublicPem")
        verify_signature(envelope, server_key, key_id)

        doc = software_key_document(license_data)
        verify_signature(doc, server_key, key_id)
        print(decrypt_private_data(doc, client_key))
        return 0
    except (Invalid, KeyError, ValueError, OSError) as e:
        print("verify_license: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
