"""zeep loads activationserver.asmx?WSDL and calls the typed legacy ActivateLicense
(wire.md §3.9) on demo license 1002 (2 activations, trigger code #1, TC seed 1234);
ErrorCodes per wire.md §4.1."""

import datetime

import zeep


def todays_session(low: int) -> int:
    days = (datetime.datetime.now(datetime.timezone.utc).date() - datetime.date(2000, 1, 1)).days
    return 32768 * days + (low & 0x7FFF)


def activate(client, license_id, password, code2, product_id=0, serial=0):
    return client.service.ActivateLicense(
        licenseID=license_id,
        password=password,
        productID=product_id,
        code1=todays_session(77),
        code2=code2,
        serialNumber=serial,
        requireRegistration=False,
    )


def test_activate_license_over_the_served_wsdl(server):
    client = zeep.Client(f"{server.base}/solo/webservices/activationserver.asmx?WSDL")
    ok = activate(client, 1002, "demo1002", 123456789)
    assert ok.ErrorCode == 0, ok
    assert ok.Product == "Demo Product"
    assert (ok.LicenseID, ok.Quantity, ok.UnlocksLeft) == (1002, 1, 1)
    assert ok.RegCode1 > 0 and ok.RegCode2 == 0

    assert activate(client, 1002, "wrong", 5).ErrorCode == 100
    assert activate(client, 1002, "demo1002", 5, serial=42).ErrorCode == 100
    assert activate(client, 1002, "demo1002", 5, product_id=77).ErrorCode == 200
    assert activate(client, 1002, "demo1002", 0).ErrorCode == 75
    assert activate(client, 1003, "demo1003", 5).ErrorCode == 500  # Void: E-STATUS
    refused = activate(client, 1002, "wrong", 5)
    assert refused.ErrorMessage == "Invalid License ID / Password / SerialNumber"

    assert activate(client, 1002, "demo1002", 222).ErrorCode == 0
    assert activate(client, 1002, "demo1002", 333).ErrorCode == 300
