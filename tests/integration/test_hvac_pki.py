"""PKI through every hvac `secrets.pki` method, against a real server over TLS."""

from __future__ import annotations

from typing import Any

import hvac
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hvac import exceptions

from strongroom.testing.server import RunningServer

ROOT, INT = "pki", "pki_int"


def make_csr(common_name: str) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    request = (
        x509.CertificateSigningRequestBuilder().subject_name(subject).sign(key, hashes.SHA256())
    )
    return request.public_bytes(serialization.Encoding.PEM).decode()


@pytest.fixture
def pki(root_client: hvac.Client) -> Any:
    root_client.sys.enable_secrets_engine("pki", path=ROOT)
    root_client.sys.enable_secrets_engine("pki", path=INT)
    return root_client.secrets.pki


def test_ca_hierarchy_and_issuers(pki: Any, server: RunningServer) -> None:
    root = pki.generate_root(
        "internal",
        "Root CA",
        extra_params={"key_type": "ec", "ttl": "87600h", "issuer_name": "r1"},
        mount_point=ROOT,
    )["data"]
    assert root["issuer_name"] == "r1"
    assert pki.read_ca_certificate(mount_point=ROOT).strip() == root["certificate"]
    assert pki.read_ca_certificate_chain(mount_point=ROOT).strip() == root["certificate"]
    public = requests.get(f"{server.address}/v1/{ROOT}/ca", verify=server.ca_file, timeout=10)
    assert public.headers["content-type"] == "application/pkix-cert"
    assert x509.load_der_x509_certificate(public.content).subject.rfc4514_string() == "CN=Root CA"

    csr = pki.generate_intermediate(
        "internal", "Intermediate CA", extra_params={"key_type": "ec"}, mount_point=INT
    )["data"]["csr"]
    signed = pki.sign_intermediate(
        csr, "Intermediate CA", extra_params={"ttl": "8760h"}, mount_point=ROOT
    )["data"]
    assert signed["ca_chain"][1] == root["certificate"]
    imported = pki.set_signed_intermediate(signed["certificate"], mount_point=INT)["data"]
    (issuer_id,) = imported["imported_issuers"]

    issuers = pki.list_issuers(mount_point=INT)["data"]
    assert issuers["keys"] == [issuer_id] and issuers["key_info"][issuer_id]["is_default"]
    updated = pki.update_issuer(issuer_id, extra_params={"issuer_name": "int1"}, mount_point=INT)
    assert updated["data"]["issuer_name"] == "int1"
    read = pki.read_issuer("int1", mount_point=INT)["data"]
    assert [pem.strip() for pem in read["ca_chain"]] == [signed["certificate"]]  # no root here

    # An issuer imported from a bundle, revoked, then deleted.
    exported = pki.generate_root(
        "exported", "Spare", extra_params={"key_type": "ec"}, mount_point=INT
    )["data"]
    pki.delete_issuer(exported["issuer_id"], mount_point=INT)
    bundle = exported["private_key"] + "\n" + exported["certificate"]
    response = pki.submit_ca_information(bundle, mount_point=INT)["data"]
    assert response["existing_keys"] == [exported["key_id"]]  # the deleted issuer's key stayed
    (spare_id,) = response["imported_issuers"]
    assert sorted(pki.list_issuers(mount_point=INT)["data"]["keys"]) == sorted(
        [issuer_id, spare_id]
    )
    assert pki.revoke_issuer(spare_id, mount_point=INT)["data"]["revoked"] is True
    pki.delete_issuer(spare_id, mount_point=INT)
    with pytest.raises(exceptions.InvalidPath):
        pki.read_issuer(spare_id, mount_point=INT)
    # root/sign-self-issued (sudo; the root token has it): cross-sign another root with ROOT.
    other = pki.generate_root(
        "internal", "Other Root", extra_params={"key_type": "ec"}, mount_point=INT
    )["data"]["certificate"]
    crossed = pki.sign_self_issued(other, mount_point=ROOT)["data"]
    assert crossed["issuing_ca"] == root["certificate"]
    crossed_cert = x509.load_pem_x509_certificate(crossed["certificate"].encode())
    root_cert = x509.load_pem_x509_certificate(root["certificate"].encode())
    crossed_cert.verify_directly_issued_by(root_cert)
    assert crossed_cert.subject.rfc4514_string() == "CN=Other Root"
    with pytest.raises(exceptions.InvalidRequest, match="not self-issued"):
        pki.sign_self_issued(signed["certificate"], mount_point=ROOT)

    assert "DELETE /root" in pki.delete_root(mount_point=ROOT)["warnings"][0]
    with pytest.raises(exceptions.InvalidPath):
        pki.list_issuers(mount_point=ROOT)


def test_roles_issue_sign_revoke_crl(pki: Any, root_client: hvac.Client) -> None:
    pki.generate_root("internal", "Root CA", extra_params={"key_type": "ec"}, mount_point=ROOT)
    pki.create_or_update_role(
        "web",
        {
            "allowed_domains": ["example.com"],
            "allow_subdomains": True,
            "key_type": "ec",
            "max_ttl": "24h",
        },
        mount_point=ROOT,
    )
    assert pki.read_role("web", mount_point=ROOT)["data"]["max_ttl"] == 86400
    assert pki.list_roles(mount_point=ROOT)["data"]["keys"] == ["web"]

    issued = pki.generate_certificate("web", "www.example.com", mount_point=ROOT)["data"]
    assert issued["private_key_type"] == "ec"
    with pytest.raises(exceptions.InvalidRequest, match="not allowed"):
        pki.generate_certificate("web", "www.evil.com", mount_point=ROOT)
    signed = pki.sign_certificate(
        "web", make_csr("api.example.com"), "api.example.com", mount_point=ROOT
    )["data"]
    assert "private_key" not in signed
    with pytest.raises(exceptions.InvalidRequest, match="not allowed"):
        pki.sign_certificate("web", make_csr("evil.com"), "evil.com", mount_point=ROOT)
    verbatim = pki.sign_verbatim(make_csr("anything.test"), mount_point=ROOT)["data"]
    leaf = x509.load_pem_x509_certificate(verbatim["certificate"].encode())
    assert leaf.subject.rfc4514_string() == "CN=anything.test"

    serials = pki.list_certificates(mount_point=ROOT)["data"]["keys"]
    assert issued["serial_number"] in serials and signed["serial_number"] in serials
    read = pki.read_certificate(issued["serial_number"], mount_point=ROOT)["data"]
    assert read["certificate"].strip() == issued["certificate"]
    revoked = pki.revoke_certificate(issued["serial_number"], mount_point=ROOT)["data"]
    assert revoked["revocation_time"] > 0

    pki.set_crl_configuration(expiry="48h", mount_point=ROOT)
    assert pki.read_crl_configuration(mount_point=ROOT)["data"]["expiry"] == "48h"
    pki.rotate_crl(mount_point=ROOT)
    crl = x509.load_pem_x509_crl(pki.read_crl(mount_point=ROOT).encode())
    number = int(issued["serial_number"].replace(":", ""), 16)
    assert crl.get_revoked_certificate_by_serial_number(number) is not None

    pki.set_urls({"issuing_certificates": ["http://pki.test/ca"]}, mount_point=ROOT)
    assert pki.read_urls(mount_point=ROOT)["data"]["issuing_certificates"] == ["http://pki.test/ca"]
    tidy = {"tidy_cert_store": True, "tidy_acme": True, "acme_account_safety_buffer": "720h"}
    tidied = pki.tidy(extra_params=tidy, mount_point=ROOT)
    assert tidied.status_code == 202
    status = root_client.read(f"{ROOT}/tidy-status")["data"]
    assert status["tidy_acme"] is True and status["acme_account_safety_buffer"] == 720 * 3600
    assert status["total_acme_account_count"] == status["acme_orders_deleted_count"] == 0

    pki.delete_role("web", mount_point=ROOT)
    with pytest.raises(exceptions.InvalidPath):
        pki.read_role("web", mount_point=ROOT)
