"""Request bodies that are not JSON: an `application/ocsp-request` body reaches the backend
undecoded, as `bytes` under RAW_BODY_FIELD, while JSON bodies keep every JSON limit."""

from __future__ import annotations

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from strongroom.errors import InvalidJSON
from strongroom.http import VaultApp
from strongroom.http.body import RAW_BODY_FIELD, JSONLimits, decode_body
from strongroom.testing.core import unsealed_core

DER = b"\x30\x03\x02\x01\x07"


def test_ocsp_request_body_is_passed_raw() -> None:
    data = decode_body(DER, "application/ocsp-request", JSONLimits())
    assert data == {RAW_BODY_FIELD: DER}
    assert decode_body(b"", "application/ocsp-request", JSONLimits()) == {}


def test_json_bodies_are_still_parsed_and_limited() -> None:
    with pytest.raises(InvalidJSON):
        decode_body(DER, "application/json", JSONLimits())
    with pytest.raises(InvalidJSON):
        decode_body(b'{"a": "xx"}', "application/json", JSONLimits(max_string_length=1))
    assert decode_body(b'{"http_raw_body": "x"}', "", JSONLimits()) == {"http_raw_body": "x"}


async def test_ocsp_post_through_the_app_without_a_token() -> None:
    setup = await unsealed_core(shares=1, threshold=1)
    transport = httpx.ASGITransport(app=VaultApp(setup.core))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        headers = {"X-Vault-Token": setup.root_token}
        await client.post("/v1/sys/mounts/pki", json={"type": "pki"}, headers=headers)
        root = await client.post(
            "/v1/pki/root/generate/internal",
            json={"common_name": "Root", "key_type": "ec"},
            headers=headers,
        )
        ca = x509.load_pem_x509_certificate(root.json()["data"]["certificate"].encode())
        request = ocsp.OCSPRequestBuilder().add_certificate(ca, ca, hashes.SHA1()).build()  # noqa: S303
        answered = await client.post(
            "/v1/pki/ocsp",
            content=request.public_bytes(serialization.Encoding.DER),
            headers={"Content-Type": "application/ocsp-request"},
        )
        assert answered.status_code == 200
        assert answered.headers["content-type"] == "application/ocsp-response"
        response = ocsp.load_der_ocsp_response(answered.content)
        assert response.certificate_status is ocsp.OCSPCertStatus.GOOD
        assert response.serial_number == ca.serial_number
        as_json = await client.post("/v1/pki/ocsp", content=b"\x30\x03")
        assert as_json.status_code == 400 and as_json.headers["content-type"] == "application/json"
