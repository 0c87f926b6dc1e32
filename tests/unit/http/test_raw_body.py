"""Raw (non-JSON) bodies: a backend's `Response.raw_body` is sent as it is, with its own
content type, without the envelope (PKI's CA and CRL downloads)."""

from __future__ import annotations

import httpx
from cryptography import x509

from strongroom.http import VaultApp
from strongroom.testing.core import unsealed_core


async def test_raw_body_and_content_type_without_a_token() -> None:
    setup = await unsealed_core(shares=1, threshold=1)
    transport = httpx.ASGITransport(app=VaultApp(setup.core))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        headers = {"X-Vault-Token": setup.root_token}
        mounted = await client.post("/v1/sys/mounts/pki", json={"type": "pki"}, headers=headers)
        assert mounted.status_code == 204
        empty = await client.get("/v1/pki/ca")
        assert empty.status_code == 204 and empty.content == b""
        root = await client.post(
            "/v1/pki/root/generate/internal",
            json={"common_name": "Root", "key_type": "ec"},
            headers=headers,
        )
        assert root.status_code == 200
        pem = root.json()["data"]["certificate"]
        der = await client.get("/v1/pki/ca")
        assert der.status_code == 200
        assert der.headers["content-type"] == "application/pkix-cert"
        assert der.headers["cache-control"] == "no-store"
        assert x509.load_der_x509_certificate(der.content) == x509.load_pem_x509_certificate(
            pem.encode()
        )
        crl = await client.get("/v1/pki/crl/pem")
        assert crl.headers["content-type"] == "application/x-pem-file"
        assert crl.content.startswith(b"-----BEGIN X509 CRL-----")
        refused = await client.post("/v1/pki/roles/x", json={"allow_any_name": True})
        assert refused.status_code == 403  # only the raw reads are unauthenticated
        assert refused.headers["content-type"] == "application/json"
