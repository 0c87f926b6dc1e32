"""Role rules `allowed_ip_sans_cidr` and `allowed_serial_numbers`, and `root/sign-self-issued`.

Expected error texts and behaviours were checked against OpenBao 2.7 (`bao server -dev`).
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from pki_helpers import PKI, cert, csr, san

from strongroom.engines.pki.names import NameRefused, check_ip, check_serial_number
from strongroom.errors import InvalidParameter

IP = x509.IPAddress


def serial_csr(common_name: str, serial_number: str) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number),
        ]
    )
    request = (
        x509.CertificateSigningRequestBuilder().subject_name(subject).sign(key, hashes.SHA256())
    )
    return request.public_bytes(serialization.Encoding.PEM).decode()


def subject_serial(pem: str) -> list[str]:
    found = cert(pem).subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    return [str(attribute.value) for attribute in found]


# allowed_ip_sans_cidr


async def test_cidrs_are_stored_canonical_and_checked(pki: PKI) -> None:
    role = await pki.role("r", allowed_ip_sans_cidr="10.1.2.3/8, fd00::/8")
    assert role["allowed_ip_sans_cidr"] == ["10.0.0.0/8", "fd00::/8"]
    assert (await pki.role("plain"))["allowed_ip_sans_cidr"] == []
    for bad in ("10.1.2.3", "notacidr", "10.0.0.0/33"):
        error = await pki.fails("roles/bad", allowed_ip_sans_cidr=bad, key_type="ec")
        assert error.message == f"error parsing allowed_ip_sans_cidr: invalid CIDR address: {bad}"


async def test_ip_sans_must_fall_in_a_cidr(pki: PKI) -> None:
    await pki.root()
    await pki.role(
        "r", allowed_domains="example.com", allow_subdomains=True, allowed_ip_sans_cidr="10.0.0.0/8"
    )
    issued = await pki.ok("issue/r", common_name="a.example.com", ip_sans="10.1.1.1", ttl="1h")
    assert san(cert(issued["certificate"])).get_values_for_type(IP) == [
        ipaddress.ip_address("10.1.1.1")
    ]
    for outside in ("11.1.1.1", "fe00::1"):
        error = await pki.fails("issue/r", common_name="a.example.com", ip_sans=outside)
        assert isinstance(error, InvalidParameter)
        assert error.message == f'the IP address "{outside}" is not allowed in this role'
    # One good address does not carry a bad one through.
    error = await pki.fails("issue/r", common_name="a.example.com", ip_sans="10.0.0.1,8.8.8.8")
    assert "8.8.8.8" in error.message


async def test_a_csr_ip_outside_the_cidrs_is_refused(pki: PKI) -> None:
    await pki.root()
    await pki.role(
        "r", allowed_domains="example.com", allow_subdomains=True, allowed_ip_sans_cidr="10.0.0.0/8"
    )
    inside = csr("a.example.com", [IP(ipaddress.ip_address("10.9.9.9"))])
    signed = await pki.ok("sign/r", csr=inside, ttl="1h")
    assert ipaddress.ip_address("10.9.9.9") in san(cert(signed["certificate"])).get_values_for_type(
        IP
    )
    smuggled = csr(
        "a.example.com",
        [IP(ipaddress.ip_address("10.9.9.9")), IP(ipaddress.ip_address("192.168.1.1"))],
    )
    error = await pki.fails("sign/r", csr=smuggled)
    assert error.message == 'the IP address "192.168.1.1" is not allowed in this role'
    # use_csr_sans off: the CSR's IPs are not used, the request's are checked.
    await pki.role(
        "api",
        allowed_domains="example.com",
        allow_subdomains=True,
        allowed_ip_sans_cidr="10.0.0.0/8",
        use_csr_sans=False,
    )
    error = await pki.fails("sign/api", csr=inside, ip_sans="172.16.0.1")
    assert "172.16.0.1" in error.message


async def test_cidrs_do_not_override_allow_ip_sans(pki: PKI) -> None:
    await pki.root()
    await pki.role(
        "r",
        allowed_domains="example.com",
        allow_subdomains=True,
        allow_ip_sans=False,
        allowed_ip_sans_cidr="10.0.0.0/8",
    )
    error = await pki.fails("issue/r", common_name="a.example.com", ip_sans="10.1.1.1")
    assert error.message.startswith("IP Subject Alternative Names are not allowed in this role")


def test_check_ip_treats_mapped_ipv4_as_ipv4() -> None:
    networks = [ipaddress.ip_network("10.0.0.0/8")]
    check_ip(networks, ipaddress.ip_address("::ffff:10.1.1.1"))
    with pytest.raises(NameRefused):
        check_ip(networks, ipaddress.ip_address("::ffff:11.1.1.1"))
    with pytest.raises(NameRefused):
        check_ip([], ipaddress.ip_address("10.1.1.1"))


# allowed_serial_numbers


def test_serial_number_globs() -> None:
    check_serial_number(["ab*"], "abc")
    check_serial_number(["", "x?z"], "x?z")  # only * is special (go-glob)
    for patterns, value in ((["ab*"], "zab"), (["x?z"], "xyz"), ([""], "a"), ([], "a")):
        with pytest.raises(NameRefused):
            check_serial_number(patterns, value)


async def test_serial_number_from_the_request(pki: PKI) -> None:
    await pki.root()
    await pki.role("s", allowed_domains="example.com", allow_subdomains=True)
    await pki.role(
        "globs", allowed_domains="example.com", allow_subdomains=True, allowed_serial_numbers="ab*"
    )
    role = await pki.read("roles/globs")
    assert role["allowed_serial_numbers"] == ["ab*"]
    issued = await pki.ok("issue/globs", common_name="a.example.com", serial_number="abc", ttl="1h")
    assert subject_serial(issued["certificate"]) == ["abc"]
    assert cert(issued["certificate"]).subject.rfc4514_string() == "2.5.4.5=abc,CN=a.example.com"
    plain = await pki.ok("issue/globs", common_name="a.example.com", ttl="1h")
    assert subject_serial(plain["certificate"]) == []
    error = await pki.fails("issue/globs", common_name="a.example.com", serial_number="zzz")
    assert error.message == "serial_number zzz not allowed by this role"
    # A role without allowed_serial_numbers allows no serialNumber at all (as OpenBao).
    error = await pki.fails("issue/s", common_name="a.example.com", serial_number="q")
    assert error.message == "serial_number q not allowed by this role"


async def test_serial_number_from_a_csr(pki: PKI) -> None:
    await pki.root()
    await pki.role(
        "globs", allowed_domains="example.com", allow_subdomains=True, allowed_serial_numbers="ab*"
    )
    signed = await pki.ok("sign/globs", csr=serial_csr("a.example.com", "abq"), ttl="1h")
    assert subject_serial(signed["certificate"]) == ["abq"]
    error = await pki.fails("sign/globs", csr=serial_csr("a.example.com", "zz"))
    assert error.message == "serial_number zz not allowed by this role"
    # The request's serial_number wins over the CSR's, and is what is checked.
    signed = await pki.ok(
        "sign/globs", csr=serial_csr("a.example.com", "zz"), serial_number="abx", ttl="1h"
    )
    assert subject_serial(signed["certificate"]) == ["abx"]
    await pki.role("none", allowed_domains="example.com", allow_subdomains=True)
    error = await pki.fails("sign/none", csr=serial_csr("a.example.com", "abq"))
    assert error.message == "serial_number abq not allowed by this role"


# root/sign-self-issued


def self_issued(
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | None = None,
    *,
    ca: bool | None = True,
    issuer_cn: str = "Other Root",
) -> tuple[str, x509.Certificate]:
    key = key or ec.generate_private_key(ec.SECP384R1())
    now = datetime.now(UTC).replace(microsecond=0)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Other Root")]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_cn)]))
        .public_key(key.public_key())
        .serial_number(1234)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=3650))
    )
    if ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=None), True)
    builder = builder.add_extension(
        x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
    )
    signed = builder.sign(key, hashes.SHA256())
    return signed.public_bytes(serialization.Encoding.PEM).decode(), signed


async def test_sign_self_issued_cross_signs(pki: PKI) -> None:
    root = cert((await pki.root(issuer_name="r1"))["certificate"])
    await pki.ok("config/urls", issuing_certificates="http://pki.test/ca")
    pem, original = self_issued()
    data = await pki.ok("root/sign-self-issued", certificate=pem)
    assert sorted(data) == ["certificate", "issuing_ca"]
    assert cert(data["issuing_ca"]) == root
    crossed = cert(data["certificate"])
    crossed.verify_directly_issued_by(root)  # issuer name, signature: raises if wrong
    assert crossed.subject == original.subject and crossed.issuer == root.subject
    assert crossed.serial_number == 1234 and crossed.public_key() == original.public_key()
    assert crossed.not_valid_after_utc == original.not_valid_after_utc
    basic = crossed.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.value.ca and basic.critical
    assert crossed.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    root_ski = root.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    aki = crossed.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == root_ski.digest
    aia = crossed.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    assert [d.access_location.value for d in aia] == ["http://pki.test/ca"]
    # The original still verifies itself; the cross-signed copy chains to our root.
    original.verify_directly_issued_by(original)
    # issuer_ref picks another issuer; the submitted cert may use another key type.
    other = cert((await pki.root(issuer_name="r2", key_type="rsa"))["certificate"])
    data = await pki.ok("root/sign-self-issued", certificate=pem, issuer_ref="r2")
    cert(data["certificate"]).verify_directly_issued_by(other)


async def test_sign_self_issued_refusals(pki: PKI) -> None:
    await pki.root()
    cases = [
        ("nope", "certificate could not be PEM-decoded"),
        ("-----BEGIN CERTIFICATE-----\n", "certificate could not be PEM-decoded"),
        (self_issued(ca=False)[0], "given certificate is not a CA certificate"),
        (self_issued(ca=None)[0], "given certificate is not a CA certificate"),
        (self_issued(issuer_cn="Someone Else")[0], "given certificate is not self-issued"),
    ]
    for pem, message in cases:
        error = await pki.fails("root/sign-self-issued", certificate=pem)
        assert isinstance(error, InvalidParameter) and error.message == message
    rsa_pem, _ = self_issued(rsa.generate_private_key(65537, 2048))
    error = await pki.fails(
        "root/sign-self-issued", certificate=rsa_pem, require_matching_certificate_algorithms=True
    )
    assert "require_matching_certificate_algorithms is true" in error.message
    assert "(ec)" in error.message and "(rsa)" in error.message
    error = await pki.fails("root/sign-self-issued", certificate=rsa_pem, issuer_ref="missing")
    assert error.message


def test_sign_self_issued_needs_sudo(pki: PKI) -> None:
    assert pki.backend.properties("root/sign-self-issued").sudo
    assert not pki.backend.properties("root/sign-intermediate").sudo
