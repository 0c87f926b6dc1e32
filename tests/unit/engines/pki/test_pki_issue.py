"""Issuing with roles: what a role allows, strictly (also through a CSR), formats, and a real
TLS handshake with an issued certificate."""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import socket
import ssl
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pki_helpers import PKI, cert, csr, san

from strongroom.errors import InvalidParameter
from strongroom.logical import Operation

SECRET = "s3cr3t-value-never-echoed"


@pytest.fixture
async def web(pki: PKI) -> PKI:
    await pki.root()
    await pki.role(
        "web",
        allowed_domains=["example.com"],
        allow_subdomains=True,
        allow_wildcard_certificates=False,
        allow_localhost=False,
        allow_ip_sans=False,
        max_ttl="72h",
    )
    return pki


async def test_issue_checks_out(web: PKI) -> None:
    data = await web.ok("issue/web", common_name="www.example.com", alt_names="api.example.com")
    leaf = cert(data["certificate"])
    assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "www.example.com"
    assert san(leaf).get_values_for_type(x509.DNSName) == ["www.example.com", "api.example.com"]
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
    with pytest.raises(x509.ExtensionNotFound):
        leaf.extensions.get_extension_for_class(x509.BasicConstraints)
    assert data["private_key"].startswith("-----BEGIN EC PRIVATE KEY-----")
    assert len(bytes.fromhex(data["serial_number"].replace(":", ""))) <= 20
    assert data["expiration"] - int(web.clock.now()) == 72 * 3600  # capped by max_ttl
    assert (leaf.not_valid_after_utc - leaf.not_valid_before_utc).total_seconds() == 72 * 3600 + 30
    assert data["serial_number"] in await web.list("certs")


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"common_name": "a.other.com"}, "a.other.com not allowed"),
        ({"common_name": "a.example.com", "alt_names": "b.evil.com"}, "b.evil.com not allowed"),
        ({"common_name": "*.example.com"}, "wildcard"),
        ({"common_name": "*foo.example.com"}, "leftmost label"),
        ({"common_name": "foo.*.example.com"}, "leftmost label"),
        ({"common_name": "localhost"}, "localhost not allowed"),
        ({"common_name": "A.EXAMPLE.COM"}, "upper-case"),
        ({"common_name": "a.example.com."}, "empty label"),
        ({"common_name": "bücher.example.com"}, "punycode"),
        ({"common_name": "a_b.example.com"}, "not a valid hostname"),
        ({"common_name": "example.com"}, "example.com not allowed"),
        ({"common_name": "evil.com\u0000.example.com"}, "not ASCII"),
        ({"common_name": "a.example.com", "ip_sans": "10.0.0.1"}, "IP Subject Alternative"),
        ({"common_name": "a.example.com", "uri_sans": "spiffe://x"}, "URI Subject Alternative"),
        ({"common_name": "a.example.com", "other_sans": "1.2.3.4;UTF8:x"}, "other SAN OID"),
        ({"common_name": "a.example.com", "ttl": "1h", "format": SECRET}, "invalid format"),
        ({"common_name": "a.example.com", "private_key_format": SECRET}, "private_key_format"),
        ({"common_name": "a.example.com", "ip_sans": SECRET}, "invalid ip_sans"),
    ],
)
async def test_issue_refuses(web: PKI, params: dict[str, str], problem: str) -> None:
    error = await web.fails("issue/web", **params)
    assert isinstance(error, InvalidParameter) and error.status == 400
    assert problem in error.message
    assert SECRET not in error.message
    assert len(await web.list("certs")) == 1  # only the root: nothing was issued


@pytest.mark.parametrize(
    ("common_name", "names", "problem"),
    [
        ("a.example.com", [x509.DNSName("b.evil.com")], "b.evil.com not allowed"),
        ("a.example.com", [x509.DNSName("*.example.com")], "wildcard"),
        ("a.example.com", [x509.DNSName("*foo.example.com")], "leftmost label"),
        ("a.example.com", [x509.IPAddress(ipaddress.ip_address("10.0.0.1"))], "via the CSR"),
        ("evil.com", [x509.DNSName("a.example.com")], "common name evil.com not allowed"),
        ("a.example.com", [x509.DNSName("localhost")], "localhost not allowed"),
        ("a.example.com", [x509.RFC822Name("root@evil.com")], "root@evil.com not allowed"),
        ("a.example.com", [x509.UniformResourceIdentifier("https://evil.com")], "URI"),
        ("a.example.com", [x509.DirectoryName(x509.Name([]))], "unsupported kind"),
        ("a.example.com", [x509.RegisteredID(x509.ObjectIdentifier("1.2.3"))], "unsupported kind"),
    ],
)
async def test_sign_refuses_what_the_csr_smuggles(
    web: PKI, common_name: str, names: list[x509.GeneralName], problem: str
) -> None:
    error = await web.fails("sign/web", csr=csr(common_name, names))
    assert isinstance(error, InvalidParameter) and problem in error.message


async def test_sign_uses_only_checked_csr_values(web: PKI) -> None:
    request = csr("a.example.com", [x509.DNSName("b.example.com")])
    data = await web.ok("sign/web", csr=request, common_name="ignored.example.com")
    leaf = cert(data["certificate"])
    assert "private_key" not in data
    assert leaf.subject.rfc4514_string() == "CN=a.example.com"
    assert san(leaf).get_values_for_type(x509.DNSName) == ["a.example.com", "b.example.com"]
    await web.role(
        "api",
        allowed_domains=["example.com"],
        allow_subdomains=True,
        use_csr_common_name=False,
        use_csr_sans=False,
    )
    data = await web.ok(
        "sign/api", csr=csr("evil.com", [x509.DNSName("evil.com")]), common_name="c.example.com"
    )
    leaf = cert(data["certificate"])
    assert leaf.subject.rfc4514_string() == "CN=c.example.com"
    assert san(leaf).get_values_for_type(x509.DNSName) == ["c.example.com"]


async def test_sign_checks_key_type_and_csr_signature(web: PKI) -> None:
    await web.role("rsa-only", key_type="rsa", allow_any_name=True)
    assert "type rsa" in (await web.fails("sign/rsa-only", csr=csr("a.test"))).message
    tampered = csr("a.example.com").replace("A", "B", 3)
    error = await web.fails("sign/web", csr=tampered)
    assert "csr" in error.message


async def test_formats_der_and_pem_bundle(web: PKI) -> None:
    der = await web.ok(
        "issue/web", common_name="a.example.com", format="der", private_key_format="pkcs8"
    )
    leaf = x509.load_der_x509_certificate(base64.b64decode(der["certificate"]))
    assert leaf.serial_number == int(der["serial_number"].replace(":", ""), 16)
    assert base64.b64decode(der["private_key"])[:2] == b"\x30\x81"  # a DER SEQUENCE
    bundle = await web.ok("issue/web", common_name="a.example.com", format="pem_bundle")
    assert bundle["certificate"].startswith("-----BEGIN EC PRIVATE KEY-----")
    assert bundle["certificate"].count("BEGIN CERTIFICATE") == 2


async def test_role_rules(pki: PKI) -> None:
    await pki.root()
    await pki.role(
        "r",
        allowed_domains=["example.com", "*.glob.test"],
        allow_bare_domains=True,
        allow_glob_domains=True,
        allowed_uri_sans=["spiffe://example.com/*"],
        allowed_other_sans=["1.3.6.1.4.1.311.20.2.3;UTF8:*@example.com"],
        allow_subdomains=False,
        ou=["Ops"],
        organization=["Acme"],
        policy_identifiers=["1.2.3.4"],
        basic_constraints_valid_for_non_ca=True,
        code_signing_flag=True,
        server_flag=False,
        client_flag=False,
    )
    data = await pki.ok(
        "issue/r",
        common_name="example.com",
        alt_names="a.b.glob.test",
        uri_sans="spiffe://example.com/svc",
        other_sans="1.3.6.1.4.1.311.20.2.3;UTF8:me@example.com",
    )
    leaf = cert(data["certificate"])
    assert leaf.subject.rfc4514_string() == "CN=example.com,OU=Ops,O=Acme"
    assert san(leaf).get_values_for_type(x509.UniformResourceIdentifier) == [
        "spiffe://example.com/svc"
    ]
    other = san(leaf).get_values_for_type(x509.OtherName)[0]
    assert other.value == b"\x0c\x0eme@example.com"
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.CODE_SIGNING]
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    policies = leaf.extensions.get_extension_for_class(x509.CertificatePolicies).value
    assert policies[0].policy_identifier.dotted_string == "1.2.3.4"
    assert "not allowed" in (await pki.fails("issue/r", common_name="sub.example.com")).message
    error = await pki.fails("issue/r", common_name="example.com", uri_sans="spiffe://evil.com/x")
    assert "URI" in error.message
    assert "require" in (await pki.fails("issue/r")).message


async def test_ttl_beyond_issuer_and_not_after(pki: PKI) -> None:
    await pki.root(ttl="10h")
    await pki.role("r", allow_any_name=True, max_ttl="100h")
    error = await pki.fails("issue/r", common_name="a.test", ttl="20h")
    assert "beyond the expiration of the CA" in error.message
    await pki.ok("issuer/default", leaf_not_after_behavior="truncate")
    data = await pki.ok("issue/r", common_name="a.test", ttl="20h")
    root_expiry = cert((await pki.read("issuer/default"))["certificate"]).not_valid_after_utc
    assert cert(data["certificate"]).not_valid_after_utc == root_expiry
    at = "2027-01-15T12:00:00Z"
    data = await pki.ok("issue/r", common_name="a.test", not_after=at)
    assert cert(data["certificate"]).not_valid_after_utc.isoformat().startswith("2027-01-15T12:00")


async def test_no_store_generate_lease_and_any_key_type(pki: PKI) -> None:
    await pki.root()
    await pki.role("quiet", allow_any_name=True, no_store=True, key_type="any")
    assert "key_type" in (await pki.fails("issue/quiet", common_name="a.test")).message
    data = await pki.ok("issue/quiet", common_name="a.test", key_type="ed25519")
    assert data["private_key_type"] == "ed25519"
    assert data["serial_number"] not in await pki.list("certs")
    await pki.role("leased", allow_any_name=True, generate_lease=True, ttl="1h")
    response = await pki(Operation.UPDATE, "issue/leased", {"common_name": "b.test"})
    assert response is not None and response.secret is not None
    assert response.secret.ttl == 3600 and response.secret.renewable is False


async def test_issued_certificate_passes_a_tls_handshake(live: PKI, tmp_path: Path) -> None:
    root = await live.root()
    await live.role("tls", allowed_domains=["localhost"], allow_bare_domains=True)
    leaf = await live.ok("issue/tls", common_name="localhost", ip_sans="127.0.0.1", ttl="1h")
    (tmp_path / "leaf.pem").write_text(leaf["certificate"] + "\n" + leaf["private_key"] + "\n")
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(tmp_path / "leaf.pem")
    client_context = ssl.create_default_context(cadata=root["certificate"])
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        connection, _ = listener.accept()
        with server_context.wrap_socket(connection, server_side=True) as tls:
            tls.sendall(b"hello")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def connect(hostname: str) -> bytes:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
            client_context.wrap_socket(raw, server_hostname=hostname) as tls,
        ):
            return tls.recv(5)

    assert await asyncio.to_thread(connect, "localhost") == b"hello"
    thread.join(timeout=5)
    listener.close()
    # The hostname is checked: another name fails verification.
    listener = socket.create_server(("127.0.0.1", port))
    thread = threading.Thread(target=_refuse_one, args=(listener, server_context), daemon=True)
    thread.start()
    with pytest.raises(ssl.SSLCertVerificationError):
        await asyncio.to_thread(connect, "other.test")
    thread.join(timeout=5)
    listener.close()


def _refuse_one(listener: socket.socket, context: ssl.SSLContext) -> None:
    connection, _ = listener.accept()
    try:
        with context.wrap_socket(connection, server_side=True):
            pass
    except (ssl.SSLError, OSError):
        pass
