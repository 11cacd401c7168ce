"""A real third-party SOAP client (zeep) loads the WSDL unlockd serves and drives the
activation flow of issue 3 (rules ACT-2, DEA-1, CHK-1, CNT-2, STS-2)."""

import json
import pathlib
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import zeep

from conftest import DEMO_KEY_ID

HERE = pathlib.Path(__file__).resolve().parent


def doc(text: str) -> ET.Element:
    return ET.fromstring(text.encode("utf-8"))


def private(answer: str) -> ET.Element:
    root = doc(answer)
    pd = root.find("PrivateData")
    assert pd is not None, answer
    return pd


def code(answer: str) -> int:
    return int(private(answer).findtext("ResultCode"))


def activate(client, license_id: int, password: str, computer: str, session: str) -> str:
    xml = (
        f"<ActivateInstallationLicenseFile><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID>"
        f"<PrivateData><LicenseID>{license_id}</LicenseID><Password>{password}</Password>"
        f"<SessionCode>{session}</SessionCode><SystemIdentifiers>"
        f'<SystemIdentifier name="ComputerName" type="20" value="{computer}"/>'
        f"</SystemIdentifiers></PrivateData></ActivateInstallationLicenseFile>"
    )
    return client.service.ActivateInstallationLicenseFile(xml=xml)


def on_installation(client, method: str, installation: str) -> str:
    xml = (
        f"<{method}><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData>"
        f"<InstallationID>{installation}</InstallationID></PrivateData></{method}>"
    )
    return getattr(client.service, method)(xml=xml)


def test_zeep_drives_the_whole_activation_flow(server):
    client = zeep.Client(server.wsdl)

    installations = []
    for i, pc in enumerate(["PC-A", "PC-B", "PC-C"]):
        answer = activate(client, 1001, "demo1001", pc, f"zeep{i}")
        pd = private(answer)
        assert pd.findtext("ResultCode") == "0", answer
        assert pd.findtext("SessionCode") == f"zeep{i}"
        assert pd.findtext("ActivationsLeft") == str(2 - i)
        installations.append(pd.findtext("InstallationID"))
    assert len(set(installations)) == 3

    # The fourth computer is refused: no activations left (5011).
    answer = activate(client, 1001, "demo1001", "PC-D", "zeep3")
    assert code(answer) == 5011, answer

    # Deactivate one, then the fourth computer gets the freed seat.
    answer = on_installation(client, "DeactivateInstallation", installations[0])
    assert code(answer) == 0, answer
    assert private(answer).findtext("ActivationsLeft") == "1"
    answer = activate(client, 1001, "demo1001", "PC-D", "zeep4")
    assert code(answer) == 0, answer

    # License 1003 is Void: 5017.
    answer = activate(client, 1003, "demo1003", "PC-A", "zeep5")
    assert code(answer) == 5017, answer

    # Status check of a live and of the deactivated installation.
    answer = on_installation(client, "CheckInstallationStatus", installations[1])
    assert code(answer) == 0, answer
    assert private(answer).findtext("LicenseStatus") == "OK"
    answer = on_installation(client, "CheckInstallationStatus", installations[0])
    assert code(answer) == 5016, answer

    # Counter decrement.
    xml = (
        f"<DecrementLicenseCounter><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData>"
        "<LicenseID>1001</LicenseID><Password>demo1001</Password><Amount>10</Amount>"
        "</PrivateData></DecrementLicenseCounter>"
    )
    answer = client.service.DecrementLicenseCounter(xml=xml)
    assert code(answer) == 0, answer
    assert private(answer).findtext("LicenseCounter") == "90"


def test_license_file_verifies_with_an_independent_implementation(server):
    """errata E-9: open the Envelope with the EnvelopeKey, decrypt the license with the
    ClientKey, verify the signature with the ServerKey public key -- in Python."""
    client = zeep.Client(server.wsdl)
    answer = activate(client, 1001, "demo1001", "PC-VERIFY", "verify1")
    pd = private(answer)
    assert pd.findtext("ResultCode") == "0", answer
    # Cut the SoftwareKey element out of the answer text byte for byte: re-serialising
    # it through ElementTree would rename namespace prefixes and break the signature.
    start = answer.find("<SoftwareKey")
    end = answer.find("</SoftwareKey>")
    assert start >= 0 and end > start, answer
    software_key = answer[start : end + len("</SoftwareKey>")]
    keys = server.key_export()
    with tempfile.TemporaryDirectory() as d:
        key_path = pathlib.Path(d) / "key.json"
        lic_path = pathlib.Path(d) / "LicenseFile.lfx"
        key_path.write_text(json.dumps(keys))
        lic_path.write_text(software_key)
        out = subprocess.run(
            [sys.executable, str(HERE / "verify_license.py"), str(key_path), str(lic_path)],
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, out.stderr
        lic = doc(out.stdout).find(".//License")
        assert lic is not None, out.stdout
        assert lic.findtext("LicenseID") == "1001"
        assert lic.findtext("InstallationID") == pd.findtext("InstallationID")
        assert lic.findtext("TriggerCode") == "1"

        # A tampered copy must be refused.
        tampered = lic_path.read_text().replace("<CipherValue>", "<CipherValue>AAAA", 1)
        lic_path.write_text(tampered)
        out = subprocess.run(
            [sys.executable, str(HERE / "verify_license.py"), str(key_path), str(lic_path)],
            capture_output=True,
            text=True,
        )
        assert out.returncode != 0
