#!/usr/bin/env python3
"""Cross-checks unlockd's Rust crypto against independent Python implementations.

Writes seeded random namespace-heavy PrivateData documents into a temporary
directory, runs `cargo run -p unlockd-soap --example sealed_license_fixture` there,
then checks that verify_license.py (lxml + cryptography) accepts the license file
and the answer holding it, rejects tampered copies and foreign keys, that lxml's
exclusive C14N agrees with the Rust one on every signed document (edge cases and
the random ones), and that signxml verifies the same signatures.

Usage: .venv/bin/python tests/python/test_verify_license.py
"""

import base64
import json
import random
import re
import shutil
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

RANDOM_DOCUMENTS = 100
FIXTURE = None

URIS = ["urn:a", "urn:b", "urn:c", "http://x/y?z&amp;w"]
TEXTS = ["", "t", " a&amp;b ", "&lt;x&gt;", "&#13;&#9;", "\"q\" 'a'", "<![CDATA[<&>]]>", "\u00e9\u20ac", "a\r\nb\tc\n"]
VALUES = ["1", "a&amp;b", "&lt;&quot;&#10;&#9;", "  sp  ", "'", "l\r\nm\tn"]


def random_element(rng, scope, depth):
    """A well-formed element with random namespace declarations (including
    redeclarations and xmlns=""), prefixed and xml: attributes, and text needing
    C14N escapes."""
    decls = {}
    for prefix in rng.sample(["", "a", "b", "c"], rng.randint(0, 3)):
        decls[prefix] = "" if prefix == "" and rng.random() < 0.3 else rng.choice(URIS)
    inner = dict(scope, **decls)
    bound = [p for p, uri in inner.items() if p and uri]
    prefix = rng.choice(bound + ["", ""])
    name = (prefix + ":" if prefix else "") + rng.choice("EFG")
    attrs, seen = [], set()
    for _ in range(rng.randint(0, 3)):
        attr_prefix = rng.choice(bound + ["", "", "xml"])
        local = rng.choice(["x", "y", "lang"])
        expanded = (inner.get(attr_prefix, attr_prefix), local)
        if expanded in seen:
            continue
        seen.add(expanded)
        qname = (attr_prefix + ":" if attr_prefix else "") + local
        attrs.append(' %s="%s"' % (qname, rng.choice(VALUES)))
    declared = "".join(' xmlns%s="%s"' % (":" + p if p else "", uri) for p, uri in decls.items())
    children = ""
    if depth < 4:
        for _ in range(rng.randint(0, 3)):
            children += rng.choice(TEXTS) + random_element(rng, inner, depth + 1)
        children += rng.choice(TEXTS)
    start = name + declared + "".join(attrs)
    if not children and rng.random() < 0.5:
        return "<%s/>" % start
    return "<%s>%s</%s>" % (start, children, name)


def setUpModule():
    global FIXTURE
    FIXTURE = Path(tempfile.mkdtemp(prefix="unlockd-license-"))
    rng = random.Random(20261126)
    for n in range(RANDOM_DOCUMENTS):
        document = "<PrivateData>%s</PrivateData>" % random_element(rng, {}, 0)
        (FIXTURE / ("c14n-input-%03d.xml" % n)).write_bytes(document.encode())
    subprocess.run(
        ["cargo", "run", "-q", "-p", "unlockd-soap", "--example", "sealed_license_fixture", "--", str(FIXTURE)],
        cwd=ROOT,
        check=True,
    )


def tearDownModule():
    shutil.rmtree(FIXTURE, ignore_errors=True)


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

    def test_lxml_exclusive_c14n_agrees_on_random_documents(self):
        keys = json.loads(self.keys.read_text())
        server = serialization.load_pem_public_key(keys["ServerKeyPublicPem"].encode())
        sealed = sorted(FIXTURE.glob("c14n-sealed-*.xml"))
        self.assertEqual(len(sealed), RANDOM_DOCUMENTS)
        for path in sealed:
            with self.subTest(path.name):
                document = verify_license.parse(path.read_bytes())
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
