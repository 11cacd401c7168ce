#!/usr/bin/env python3
"""Independent checker of the published conformance vectors in tests/vectors/
(issue 7): verifies license-file, floating-certificate and offline
response/request signatures and decrypts them with lxml + cryptography (verify_license.py, no Rust involved),
recomputes the unlockd-tc1 trigger codes with Python's hmac, and checks the PP4
offline files' HMAC-SHA-256 MACs.

Usage: .venv/bin/python -m pytest tests/python/test_vectors.py
"""

import hashlib
import hmac
import json
import sys
from datetime import date, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization

HERE = Path(__file__).resolve().parent
VECTORS = HERE.parent / "vectors"
sys.path.insert(0, str(HERE))

import verify_license as vl  # noqa: E402


def load(name):
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def keys(k):
    return (
        serialization.load_pem_private_key(k["ClientKeyPrivatePem"].encode(), password=None),
        serialization.load_pem_public_key(k["ClientKeyPublicPem"].encode()),
        serialization.load_pem_private_key(k["ServerKeyPrivatePem"].encode(), password=None),
        serialization.load_pem_public_key(k["ServerKeyPublicPem"].encode()),
    )


def open_document(text, verify_with, decrypt_with, key_id):
    doc = vl.parse(text.encode("utf-8"))
    vl.verify_signature(doc, verify_with, key_id)
    return vl.decrypt_private_data(doc, decrypt_with)


def test_license_file_vectors():
    data = load("license-file-v1.json")
    k = data["keys"]
    client_private = serialization.load_pem_private_key(
        k["ClientKeyPrivatePem"].encode(), password=None
    )
    server_public = serialization.load_pem_public_key(k["ServerKeyPublicPem"].encode())
    envelope, envelope_id, env_client, env_server = vl.open_envelope(k["Envelope"], k["EnvelopeKey"])
    assert envelope_id.upper() == k["EncryptionKeyID"].upper()
    assert env_client.private_numbers() == client_private.private_numbers()
    vl.verify_signature(envelope, server_public, k["EncryptionKeyID"])
    for case in data["cases"]:
        plain = open_document(case["document"], server_public, client_private, k["EncryptionKeyID"])
        assert plain == case["plaintext"]
        assert case["cipher_value"] in case["document"]
        tampered = case["document"].replace("<CipherValue>", "<CipherValue>AB", 1)
        try:
            open_document(tampered, server_public, client_private, k["EncryptionKeyID"])
        except vl.Invalid:
            pass
        else:
            raise AssertionError("tampered license file verified")


def test_offline_vectors():
    data = load("offline-v1.json")
    k = data["keys"]
    client_private, client_public, server_private, server_public = keys(k)
    key_id = k["EncryptionKeyID"]
    counters = []
    for case in data["plus5"]:
        # Requests: signed by the ClientKey, encrypted to the ServerKey.
        request = open_document(case["request"], client_public, server_private, key_id)
        assert request == case["request_plaintext"]
        # Responses: signed by the ServerKey, encrypted to the ClientKey; they echo the
        # session code and carry the license file, itself protected (E-10).
        response = open_document(case["response"], server_public, client_private, key_id)
        assert response == case["response_plaintext"]
        assert "<SessionCode>%s</SessionCode>" % case["session_code"] in response
        inner = vl.software_key_document(response.encode("utf-8"))
        vl.verify_signature(inner, server_public, key_id)
        license_text = vl.decrypt_private_data(inner, client_private)
        assert "<UpdateCounter>%d</UpdateCounter>" % case["update_counter"] in license_text
        counters.append(case["update_counter"])
    assert counters == sorted(counters) and len(set(counters)) == len(counters)

    pp4 = data["pp4"]
    for text in (pp4["request"], pp4["response"]):
        body, mac_line = text.rstrip("\n").rsplit("\n", 1)
        expected = hmac.new(pp4["offact_key"].encode(), (body + "\n").encode(), hashlib.sha256)
        assert mac_line == "MAC=" + expected.hexdigest()
    assert pp4["request"].endswith(
        "MAC=4e1d3aa624b51e4a8bac241c39e9d3b3da920ae57c54fa593c2619fa25cff094\n"
    )


def test_floating_certificate_vectors():
    data = load("floating-certificate-v1.json")
    k = data["keys"]
    _, _, _, server_public = keys(k)
    for case in data["cases"]:
        doc = vl.parse(case["document"].encode("utf-8"))
        vl.verify_signature(doc, server_public, k["EncryptionKeyID"])
        assert case["signature_value"] in case["document"]
        assert case["plaintext"].replace("</NetworkSession>", "") in case["document"]
        tampered = case["document"].replace("<TotalSeats>2<", "<TotalSeats>3<", 1)
        try:
            vl.verify_signature(vl.parse(tampered.encode("utf-8")), server_public, k["EncryptionKeyID"])
        except vl.Invalid:
            pass
        else:
            raise AssertionError("tampered certificate verified")


def test_offline_refresh_and_session_vectors():
    data = load("offline-sessions-v1.json")
    k = data["keys"]
    client_private, client_public, server_private, server_public = keys(k)
    key_id = k["EncryptionKeyID"]
    for case in data["plus5"]:
        request = open_document(case["request"], client_public, server_private, key_id)
        assert request == case["request_plaintext"]
        response = open_document(case["response"], server_public, client_private, key_id)
        assert response == case["response_plaintext"]
        assert "<SessionCode>%s</SessionCode>" % case["session_code"] in response
        assert "<UpdateCounter>%d</UpdateCounter>" % case["update_counter"] in response
        if case["method"] == "GetLicenseFile":
            inner = vl.software_key_document(response.encode("utf-8"))
            vl.verify_signature(inner, server_public, key_id)
            license_text = vl.decrypt_private_data(inner, client_private)
            assert "<UpdateCounter>%d</UpdateCounter>" % case["update_counter"] in license_text
        else:
            start = response.index("<NetworkSession>")
            end = response.index("</NetworkSession>") + len("</NetworkSession>")
            certificate = vl.parse(response[start:end].encode("utf-8"))
            vl.verify_signature(certificate, server_public, key_id)


def tc1_regkey1(event, session, computer, tc_seed):
    key = b"unlockd-tc1" + tc_seed.to_bytes(4, "big")
    msg = session.to_bytes(4, "big", signed=True) + computer.to_bytes(4, "big", signed=True)
    t = int.from_bytes(hmac.new(key, msg + bytes([event]), hashlib.sha256).digest()[:4], "big")
    return 50 * (t % 42949672) + (event - 1)


def tc1_regkey2(data, seed):
    mac = hmac.new(b"unlockd-rk2" + bytes([seed]), data.to_bytes(2, "big"), hashlib.sha256)
    return 16384 * int.from_bytes(mac.digest()[:2], "big") + data


def test_trigger_code_vectors():
    data = load("trigger-codes-v1.json")
    assert len(data["regkey1"]) + len(data["regkey2"]) >= 200
    for c in data["regkey1"]:
        assert tc1_regkey1(c["event"], c["session"], c["computer"], c["tc_seed"]) == c["regkey1"], c
    for c in data["regkey2"]:
        assert tc1_regkey2(c["data"], c["rk2_seed"]) == c["regkey2"], c
    for c in data["session_dates"]:
        s = c["session"]
        want = None if s < 0 else (date(2000, 1, 1) + timedelta(days=s // 32768)).isoformat()
        assert c["date"] == want, c
