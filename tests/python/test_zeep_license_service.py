"""The ERP-to-client path end to end (issue 4, wire.md §3.7): a real third-party SOAP
client (zeep) loads the XmlLicenseService WSDL unlockd serves, creates a license with
AddS, reads and updates its custom data, and the new license then activates through
XmlActivationService."""

import xml.etree.ElementTree as ET

import zeep

from conftest import DEMO_KEY_ID

AUTH = "<AuthorID>1</AuthorID><UserID>demo</UserID><UserPassword>demo</UserPassword>"


def doc(text: str) -> ET.Element:
    return ET.fromstring(text.encode("utf-8"))


def test_zeep_creates_a_license_and_the_client_activates_it(server):
    office = zeep.Client(server.wsdl.replace("XmlActivationService", "XmlLicenseService"))
    added = doc(
        office.service.AddS(
            xml=f"<LicenseAdd>{AUTH}<CustomerID>1</CustomerID><ProductOptionID>1</ProductOptionID>"
            "<CustomData>erp order 42</CustomData></LicenseAdd>"
        )
    )
    assert added.tag == "LicenseAddResult"
    assert added.findtext("ResultCode") == "0", ET.tostring(added)
    license_id = int(added.findtext("License/LicenseID"))
    password = added.findtext("License/ActivationPassword")
    assert len(password) == 10

    get = f"<GetLicenseCustomData>{AUTH}<LicenseID>{license_id}</LicenseID></GetLicenseCustomData>"
    read = doc(office.service.GetLicenseCustomDataS(xml=get))
    assert read.findtext("LicenseCustomData") == "erp order 42"
    assert read.findtext("Format") == "Text"

    updated = doc(
        office.service.UpdateLicenseCustomDataS(
            xml=f"<UpdateLicenseCustomData>{AUTH}<LicenseID>{license_id}</LicenseID>"
            "<LicenseCustomData>&lt;seats n=\"2\"/&gt;</LicenseCustomData><Format>Xml</Format>"
            "</UpdateLicenseCustomData>"
        )
    )
    assert updated.findtext("ResultCode") == "0"
    read = doc(office.service.GetLicenseCustomDataS(xml=get))
    assert read.findtext("LicenseCustomData") == '<seats n="2"/>'
    assert read.findtext("Format") == "Xml"

    client = zeep.Client(server.wsdl)
    answer = client.service.ActivateInstallationLicenseFile(
        xml=f"<ActivateInstallationLicenseFile><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID>"
        f"<PrivateData><LicenseID>{license_id}</LicenseID><Password>{password}</Password>"
        "<SessionCode>erp1</SessionCode><SystemIdentifiers>"
        '<SystemIdentifier name="ComputerName" type="20" value="ERP-PC"/>'
        "</SystemIdentifiers></PrivateData></ActivateInstallationLicenseFile>"
    )
    private = doc(answer).find("PrivateData")
    assert private.findtext("ResultCode") == "0", answer
    assert private.findtext("InstallationID")


def test_zeep_sees_wrong_credentials_as_5040(server):
    office = zeep.Client(server.wsdl.replace("XmlActivationService", "XmlLicenseService"))
    answer = doc(
        office.service.AddS(
            xml="<LicenseAdd><AuthorID>1</AuthorID><UserID>demo</UserID><UserPassword>x</UserPassword>"
            "<CustomerID>1</CustomerID><ProductOptionID>1</ProductOptionID></LicenseAdd>"
        )
    )
    assert answer.findtext("ResultCode") == "5040"
