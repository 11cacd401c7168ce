#!/usr/bin/env python3
"""Cross-checks unlockd's Rust crypto against independent Python implementations.

Runs `cargo run -p unlockd-soap --example sealed_license_fixture` into a temporary
directory (or uses the directory named by UNLOCKD_LICENSE_FIXTURE_DIR), then checks
that verify_license.py (lxml + cryptography) accepts the license file and the
answer holding it, rejects tampered copies and foreign keys, agrees with the Rust
exclusive C14N on namespace and escaping edge cases, and that signxml verifies the
same signatures.

Usage: .venv/bin/python tests/python/test_verify_license.py
"""

import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from signxml import DigestAlgorithm, SignatureConfiguration, SignatureMethod, XMLVerifier

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
VERIFIER = HERE / "verify_license.py"
sys.path.insert(0, str(HERE))

import verify_license  # noqa: E402

FIXTURE = None


def setUpModule():
    global FIXTURE
    given = os.environ.get("UNLOCKD_LICENSE_FIXTURE_DIR")
    if given:
        FIXTURE = Path(given)
        return
    FIXTURE = Path(tempfile.mkdtemp(prefix="unlockd-license-"))
    subprocess.run(
        ["cargo", "run", "-q", "-p", "unlockd-soap", "--example", "sealed_license_fixture", "--", str(FIXTURE)],
        cwd=ROOT,
        check=True,
    )


def run_verifier(keys_path, license_path):
    return subprocess.run(
        [sys.executable, str(VERIFIER), str(keys_path), str(license_path)],
        capture_output=True,
        text=True,
    )


def flip_in(text, element, nth=0):
    """Flips one bit inside the nth base64 value of <element>, keeping it base64."""
    matches = list(re.finditer(r"<%s>([^<]*)</%s>" % (element, element), text))
    match = matches[nth]
    raw = bytearray(base64.b64decode(match.group(1)))
    raw[len(raw) // 2] ^= 1
    return text[: match.start(1)] + base64.b64encode(bytes(raw)).decode() + text[match.end(1) :]


class VerifyLicense(unittest.TestCase):
    def write(self, name, content):
        path = Path(self.tmp.name) / name
        path.write_text(content)
        return path

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.keys = FIXTURE / "keys.json"
        self.license = (FIXTURE / "license.xml").read_text()

    def tearDown(self):
        self.tmp.cleanup()

    def test_accepts_the_license_file_and_prints_private_data(self):
        result = run_verifier(self.keys, FIXTURE / "license.xml")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.startswith("<PrivateData><License><LicenseID>1002</LicenseID>"))

    def test_accepts_a_license_nested_in_an_answer_e10(self):
        result = run_verifier(self.keys, FIXTURE / "answer.xml")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("<LicenseID>1002</LicenseID>", result.stdout)

    def test_rejects_tampered_copies(self):
        cases = {
            "key CipherValue": flip_in(self.license, "CipherValue", 0),
            "data CipherValue": flip_in(self.license, "CipherValue", 1),
            "DigestValue": flip_in(self.license, "DigestValue"),
            "SignatureValue": flip_in(self.license, "SignatureValue"),
            "signed attribute": self.license.replace('Id="PrivateData"', 'Id="PrivateData" x="1"', 1),
        }
        for what, tampered in cases.items():
            with self.subTest(what):
                result = run_verifier(self.keys, self.write("tampered.xml", tampered))
                self.assertNotEqual(result.returncode, 0, what)
                self.assertIn("verify_license:", result.stderr)

    def test_rejects_a_foreign_server_key(self):
        keys = json.loads(self.keys.read_text())
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        keys["ServerKeyPublicPem"] = (
            other.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )
        result = run_verifier(self.write("keys.json", json.dumps(keys)), FIXTURE / "license.xml")
        self.assertNotEqual(result.returncode, 0)

    def test_rejects_a_wrong_envelope_key(self):
        keys = json.loads(self.keys.read_text())
        keys["EnvelopeKey"] = base64.b64encode(bytes(48)).decode()
        result = run_verifier(self.write("keys.json", json.dumps(keys)), FIXTURE / "license.xml")
        self.assertNotEqual(result.returncode, 0)

    def test_lxml_exclusive_c14n_agrees_on_namespace_and_escaping_cases(self):
        keys = json.loads(self.keys.read_text())
        server = serialization.load_pem_public_key(keys["ServerKeyPublicPem"].encode())
        document = verify_license.parse((FIXTURE / "c14n.xml").read_bytes())
        verify_license.verify_signature(document, server, keys["EncryptionKeyID"])

    def test_signxml_verifies_the_same_signatures(self):
        config = SignatureConfiguration(
            require_x509=False,
            signature_methods=frozenset(SignatureMethod),
            digest_algorithms=frozenset(DigestAlgorithm),
            expect_references=1,
        )
        for name in ("license.xml", "c14n.xml"):
            with self.subTest(name):
                XMLVerifier().verify(
                    (FIXTURE / name).read_bytes(), expect_config=config, ignore_ambiguous_key_info=True
                )


if __name__ == "__main__":
    unittest.main()
