"""The ERP-to-client path end to end (issue 4, wire.md §3.7, §3.8): a real third-party
SOAP client (zeep) loads the XmlCustomerService and XmlLicenseService WSDLs unlockd
serves, creates a customer (CustomerAddS), adds a license for it with AddS, reads and
updates its custom data, updates its user-defined fields with UpdateUserDefinedFields
(client frame, rules UDF-1), and the new license then activates through
XmlActivationService."""

import xml.etree.ElementTree as ET

import zeep

from conftest import DEMO_KEY_ID

AUTH = "<AuthorID>1</AuthorID><UserID>demo</UserID><UserPassword>demo</UserPassword>"


def doc(text: str) -> ET.Element:
    return ET.fromstring(text.encode("utf-8"))


def test_zeep_creates_a_license_and_the_client_activates_it(server):
    customers = zeep.Client(server.wsdl.replace("XmlActivationService", "XmlCustomerService"))
    customer = doc(
        customers.service.CustomerAddS(
            xml=f"<CustomerAdd>{AUTH}<Customer><CompanyName>ERP Buyer</CompanyName>"
            "<Email>buyer@example.com</Email></Customer></CustomerAdd>"
        )
    )
    assert customer.findtext("ResultCode") == "0", ET.tostring(customer)
    customer_id = customer.findtext("Customer/CustomerID")

    office = zeep.Client(server.wsdl.replace("XmlActivationService", "XmlLicenseService"))
    added = doc(
        office.service.AddS(
            xml=f"<LicenseAdd>{AUTH}<CustomerID>{customer_id}</CustomerID>"
            "<ProductOptionID>1</ProductOptionID>"
            "<UserDefinedFields><UDefChar1>seat A</UDefChar1></UserDefinedFields>"
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

    assert added.findtext("License/CustomerID") == customer_id

    # UDF-1: the client changes only the fields it names (option 1 makes them writable).
    udf = doc(
        office.service.UpdateUserDefinedFields(
            xml=f"<UpdateUserDefinedFields><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID>"
            f"<PrivateData><LicenseID>{license_id}</LicenseID><Password>{password}</Password>"
            "<UserDefinedFields><UDefChar2>build 7</UDefChar2><UDefNum1>3</UDefNum1>"
            "</UserDefinedFields></PrivateData></UpdateUserDefinedFields>"
        )
    ).find("PrivateData")
    assert udf.findtext("ResultCode") == "0", ET.tostring(udf)
    assert udf.findtext("UserDefinedFields/UDefChar1") == "seat A"
    assert udf.findtext("UserDefinedFields/UDefChar2") == "build 7"
    assert udf.findtext("UserDefinedFields/UDefNum1") == "3"
    info = doc(
        office.service.InfoCheckS(
            xml=f"<InfoCheck><LicenseID>{license_id}</LicenseID><Password>{password}</Password></InfoCheck>"
        )
    )
    assert info.findtext("ResultCode") == "0"
    assert info.findtext("License/UserDefinedFields/UDefChar2") == "build 7"
    assert info.find("License/ActivationPassword") is None  # client mode

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
