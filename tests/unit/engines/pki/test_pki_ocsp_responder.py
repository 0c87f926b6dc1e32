"""The OCSP responder: good, revoked and unknown answers signed by the right issuer, GET and
POST forms, the error responses, and `openssl ocsp -respin` reading what it answers."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from pki_helpers import PKI, cert, openssl

from strongroom.engines.pki.paths_ocsp import RAW_BODY, decode_get
from strongroom.logical import Operation, Response

# OCSP names certificates by SHA-1 hashes (RFC 5019 2.1.1: what clients send); not a signature.
CERT_ID_HASH = hashes.SHA1()  # noqa: S303


def request_der(
    leaf: x509.Certificate,
    issuer: x509.Certificate,
    algorithm: hashes.HashAlgorithm | None = None,
    nonce: bytes = b"",
) -> bytes:
    builder = ocsp.OCSPRequestBuilder().add_certificate(leaf, issuer, algorithm or CERT_ID_HASH)
    if nonce:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(serialization.Encoding.DER)


async def post(pki: PKI, der: bytes) -> Response:
    response = await pki(Operation.UPDATE, "ocsp", {RAW_BODY: der})
    assert response is not None and response.raw_body is not None
    assert response.content_type == "application/ocsp-response"
    return response


async def answer(pki: PKI, der: bytes) -> ocsp.OCSPResponse:
    response = await post(pki, der)
    assert response.status == 200
    return ocsp.load_der_ocsp_response(response.raw_body or b"")


def verify(response: ocsp.OCSPResponse, issuer: x509.Certificate) -> None:
    """The response is signed by `issuer`'s (P-256) key; raises otherwise."""
    public = issuer.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert response.signature_hash_algorithm is not None
    algorithm = ec.ECDSA(response.signature_hash_algorithm)
    public.verify(response.signature, response.tbs_response_bytes, algorithm)


@pytest.fixture
async def issued(pki: PKI) -> dict[str, Any]:
    root = await pki.root()
    await pki.role("r", allow_any_name=True)
    leaf = await pki.ok("issue/r", common_name="a.test", ttl="1h")
    return {
        **leaf,
        "root": cert(root["certificate"]),
        "leaf": cert(leaf["certificate"]),
        "issuer_id": root["issuer_id"],
    }


async def test_good_then_revoked_signed_by_the_issuer(pki: PKI, issued: dict[str, Any]) -> None:
    root, leaf = issued["root"], issued["leaf"]
    good = await answer(pki, request_der(leaf, root, nonce=b"0123456789abcdef"))
    assert good.response_status is ocsp.OCSPResponseStatus.SUCCESSFUL
    assert good.certificate_status is ocsp.OCSPCertStatus.GOOD
    assert good.serial_number == leaf.serial_number
    assert good.responder_name == root.subject and good.certificates == []
    assert good.next_update_utc is not None and good.this_update_utc is not None
    assert (good.next_update_utc - good.this_update_utc).total_seconds() == 12 * 3600
    nonce = good.extensions.get_extension_for_class(x509.OCSPNonce).value
    assert nonce.nonce == b"0123456789abcdef"
    verify(good, root)

    pki.clock.advance(5)
    await pki.ok("revoke", serial_number=issued["serial_number"])
    revoked = await answer(pki, request_der(leaf, root, hashes.SHA256()))
    assert revoked.certificate_status is ocsp.OCSPCertStatus.REVOKED
    assert revoked.revocation_time_utc is not None
    assert revoked.revocation_time_utc.timestamp() == int(pki.clock.now())
    assert revoked.revocation_reason is x509.ReasonFlags.unspecified
    assert isinstance(revoked.hash_algorithm, hashes.SHA256)
    verify(revoked, root)


async def test_get_form_matches_post(pki: PKI, issued: dict[str, Any]) -> None:
    der = request_der(issued["leaf"], issued["root"])
    for text in (
        base64.b64encode(der).decode(),
        base64.urlsafe_b64encode(der).decode().rstrip("="),
    ):
        response = await pki(Operation.READ, f"ocsp/{text}", {})
        assert response is not None and response.status == 200
        parsed = ocsp.load_der_ocsp_response(response.raw_body or b"")
        assert parsed.certificate_status is ocsp.OCSPCertStatus.GOOD
    assert decode_get("not base64!") == b""
    bad = await pki(Operation.READ, "ocsp/AAAA", {})
    assert bad is not None and bad.status == 400


def by_hash(serial: int) -> bytes:
    """A request about `serial` under an issuer no mount has."""
    builder = ocsp.OCSPRequestBuilder().add_certificate_by_hash(
        b"\x01" * 20, b"\x02" * 20, serial, CERT_ID_HASH
    )
    return builder.build().public_bytes(serialization.Encoding.DER)


async def test_unknown_issuer_is_answered_unknown_by_the_default(
    pki: PKI, issued: dict[str, Any]
) -> None:
    unknown = await answer(pki, by_hash(1234))
    assert unknown.certificate_status is ocsp.OCSPCertStatus.UNKNOWN
    assert unknown.serial_number == 1234
    verify(unknown, issued["root"])


async def test_errors_are_ocsp_error_responses(pki: PKI, issued: dict[str, Any]) -> None:
    malformed = await post(pki, b"\x30\x03garbage")
    assert malformed.status == 400
    parsed = ocsp.load_der_ocsp_response(malformed.raw_body or b"")
    assert parsed.response_status is ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    missing = await pki(Operation.UPDATE, "ocsp", {"anything": "json"})
    assert missing is not None and missing.status == 400
    assert (await post(pki, b"\x30" * 4096)).status == 400  # over Vault's 2048-byte limit

    await pki.ok("config/crl", ocsp_disable=True)
    refused = await post(pki, request_der(issued["leaf"], issued["root"]))
    assert refused.status == 401
    status = ocsp.load_der_ocsp_response(refused.raw_body or b"").response_status
    assert status is ocsp.OCSPResponseStatus.UNAUTHORIZED


async def test_issuer_without_ocsp_signing_usage_is_unauthorized(
    pki: PKI, issued: dict[str, Any]
) -> None:
    await pki.ok(f"issuer/{issued['issuer_id']}", usage="issuing-certificates,crl-signing")
    refused = await post(pki, request_der(issued["leaf"], issued["root"]))
    assert refused.status == 401


async def test_no_issuer_at_all_is_unauthorized(pki: PKI) -> None:
    assert (await post(pki, by_hash(7))).status == 401


async def test_revoked_under_another_issuer_is_unknown(pki: PKI, issued: dict[str, Any]) -> None:
    """A serial revoked by one issuer is not reported revoked when asked under another."""
    second = await pki.ok(
        "root/generate/internal", common_name="Second", key_type="ec", issuer_name="second"
    )
    await pki.ok("revoke", serial_number=issued["serial_number"])
    under_second = await answer(pki, request_der(issued["leaf"], cert(second["certificate"])))
    assert under_second.certificate_status is ocsp.OCSPCertStatus.UNKNOWN


async def test_openssl_reads_the_answer(live: PKI, tmp_path: Path) -> None:
    root = cert((await live.root())["certificate"])
    await live.role("r", allow_any_name=True)
    leaf = cert((await live.ok("issue/r", common_name="a.test", ttl="1h"))["certificate"])
    (tmp_path / "ca.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "leaf.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    made = openssl(
        "ocsp",
        "-issuer",
        "ca.pem",
        "-cert",
        "leaf.pem",
        "-no_nonce",
        "-reqout",
        "req.der",
        cwd=tmp_path,
    )
    assert made.returncode == 0, made.stderr
    response = await post(live, (tmp_path / "req.der").read_bytes())
    (tmp_path / "resp.der").write_bytes(response.raw_body or b"")
    read = openssl(
        "ocsp", "-issuer", "ca.pem", "-cert", "leaf.pem", "-CAfile", "ca.pem",
        "-no_nonce", "-respin", "resp.der", cwd=tmp_path,
    )  # fmt: skip
    assert read.returncode == 0, read.stderr
    assert "leaf.pem: good" in read.stdout and "Response verify OK" in read.stderr
