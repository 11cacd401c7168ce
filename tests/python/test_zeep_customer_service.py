"""An ERP system's customer path (issue 4, wire.md §3.8): a real third-party SOAP client
(zeep) loads the XmlCustomerService and licenseserver.asmx WSDLs unlockd serves, adds a
customer (CustomerAddS), reads it back (GetCustomerDataByAuthorS), finds it by e-mail
(CustomerSearchS), and creates a license with a new unregistered customer in one call
(AddLicenseAndUnregisteredCustomer) that then activates through
XmlActivationService."""

import xml.etree.ElementTree as ET

import zeep

from conftest import DEMO_KEY_ID

AUTH = "<AuthorID>1</AuthorID><UserID>demo</UserID><UserPassword>demo</UserPassword>"


def doc(text: str) -> ET.Element:
    return ET.fromstring(text.encode("utf-8"))


def test_zeep_adds_reads_and_searches_a_customer(server):
    customers = zeep.Client(server.wsdl.replace("XmlActivationService", "XmlCustomerService"))
    added = doc(
        customers.service.CustomerAddS(
            xml=f"<CustomerAdd>{AUTH}<Customer><CompanyName>Zeep &amp; Co</CompanyName>"
            "<FirstName>Zoe</FirstName><Email>zoe@example.com</Email></Customer></CustomerAdd>"
        )
    )
    assert added.tag == "CustomerData"
    assert added.findtext("ResultCode") == "0", ET.tostring(added)
    customer_id = added.findtext("Customer/CustomerID")
    assert added.findtext("Customer/Registered") == "true"  # ACT-6: contact data entered

    read = doc(
        customers.service.GetCustomerDataByAuthorS(
            xml=f"<GetCustomerDataByAuthor>{AUTH}<CustomerID>{customer_id}</CustomerID>"
            "</GetCustomerDataByAuthor>"
        )
    )
    assert read.findtext("ResultCode") == "0"
    assert read.findtext("Customer/CompanyName") == "Zeep & Co"

    found = doc(
        customers.service.CustomerSearchS(
            xml=f"<CustomerSearch>{AUTH}<Email>ZOE@example.COM</Email></CustomerSearch>"
        )
    )
    assert [c.findtext("CustomerID") for c in found.findall("Customer")] == [customer_id]

    unknown = doc(
        customers.service.GetCustomerDataByAuthorS(
            xml=f"<GetCustomerDataByAuthor>{AUTH}<CustomerID>999</CustomerID></GetCustomerDataByAuthor>"
        )
    )
    assert unknown.findtext("ResultCode") == "5042"
    assert unknown.find("Customer") is None


def test_zeep_adds_a_license_with_an_unregistered_customer_and_activates_it(server):
    legacy = zeep.Client(f"{server.base}/solo/webservices/licenseserver.asmx?WSDL")
    result = legacy.service.AddLicenseAndUnregisteredCustomer(
        authorID=1,
        userID="demo",
        userPassword="demo",
        prodOptionID=1,
        distributorID=0,
        quantity=1,
        licenseNotes="zeep order",
    )
    assert result.ErrorCode == 0, result
    assert result.LicenseID > 0 and result.CustomerID > 1
    assert len(result.ActivationPassword) == 10 and len(result.CustomerPassword) == 6

    customers = zeep.Client(server.wsdl.replace("XmlActivationService", "XmlCustomerService"))
    read = doc(
        customers.service.GetCustomerDataByAuthorS(
            xml=f"<GetCustomerDataByAuthor>{AUTH}<CustomerID>{result.CustomerID}</CustomerID>"
            "</GetCustomerDataByAuthor>"
        )
    )
    assert read.findtext("Customer/Registered") == "false"

    client = zeep.Client(server.wsdl)
    answer = client.service.ActivateInstallationLicenseFile(
        xml=f"<ActivateInstallationLicenseFile><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID>"
        f"<PrivateData><LicenseID>{result.LicenseID}</LicenseID>"
        f"<Password>{result.ActivationPassword}</Password>"
        "<SessionCode>shop1</SessionCode><SystemIdentifiers>"
        '<SystemIdentifier name="ComputerName" type="20" value="SHOP-PC"/>'
        "</SystemIdentifiers></PrivateData></ActivateInstallationLicenseFile>"
    )
    assert doc(answer).find("PrivateData").findtext("ResultCode") == "0", answer

    refused = legacy.service.AddLicenseAndUnregisteredCustomer(
        authorID=1, userID="demo", userPassword="wrong", prodOptionID=1
    )
    assert (refused.ErrorCode, refused.LicenseID, refused.CustomerID) == (5040, 0, 0)
