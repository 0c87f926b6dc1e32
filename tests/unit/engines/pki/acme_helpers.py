"""An ACME client for unit tests: JWS built with joserfc, requests driven straight into the
PKI backend (as the pipeline would), answers decoded; and a tiny HTTP server that serves
http-01 key authorizations on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from joserfc import jws
from joserfc.jwk import ECKey, OctKey
from joserfc.registry import HeaderParameter
from pki_helpers import PKI

from strongroom.engines.pki import PKIBackend
from strongroom.logical import Operation, Response

MOUNT_URL = "https://acme.test:8200/v1/pki"
_REGISTRY = jws.JWSRegistry(
    header_registry={
        "nonce": HeaderParameter("nonce", "str"),
        "url": HeaderParameter("url", "str"),
    },
    algorithms=["ES256", "RS256", "EdDSA", "ES384", "HS256"],
)
_REGISTRY.max_header_length = 8192


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(header: dict[str, Any], payload: bytes, key: Any) -> dict[str, str]:
    return dict(jws.serialize_json({"protected": header}, payload, key, registry=_REGISTRY))


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any  # parsed JSON, or the raw bytes

    @property
    def problem(self) -> str:
        return str(self.body["type"]).removeprefix("urn:ietf:params:acme:error:")


def answer(response: Response | None) -> Answer:
    assert response is not None and response.raw_body is not None
    body: Any = response.raw_body
    if response.content_type in ("application/json", "application/problem+json"):
        body = orjson.loads(response.raw_body)
    return Answer(response.status or 200, dict(response.headers), body)


@dataclass
class ACMEBench:
    pki: PKI
    answers: dict[str, str]  # token -> what the local challenge server answers


class ACMEClient:
    def __init__(self, pki: PKI, directory: str = "acme/", key: ECKey | None = None) -> None:
        self.pki = pki
        self.directory = directory  # the prefix inside the mount
        self.key = key or ECKey.generate_key("P-256")
        self.kid = ""

    def url(self, resource: str) -> str:
        return f"{MOUNT_URL}/{self.directory}{resource}"

    async def nonce(self) -> str:
        response = await self.pki(Operation.HEADER, self.directory + "new-nonce")
        return answer(response).headers["Replay-Nonce"]

    def jws(
        self,
        resource: str,
        payload: Any,
        *,
        use_jwk: bool = False,
        nonce: str,
        url: str = "",
        key: Any = None,
    ) -> dict[str, str]:
        key = key or self.key
        header: dict[str, Any] = {"alg": "ES256", "nonce": nonce, "url": url or self.url(resource)}
        if use_jwk or not self.kid:
            header["jwk"] = key.as_dict(private=False)
        else:
            header["kid"] = self.kid
        body = b"" if payload is None else orjson.dumps(payload)
        return sign(header, body, key)

    async def post(self, resource: str, payload: Any = None, **options: Any) -> Answer:
        """POST to `resource` (payload None: POST-as-GET); options go to `jws`."""
        nonce = options.pop("nonce", None) or await self.nonce()
        body = self.jws(resource, payload, nonce=nonce, **options)
        return await self.send(resource, body)

    async def send(self, resource: str, body: dict[str, Any]) -> Answer:
        return answer(await self.pki(Operation.UPDATE, self.directory + resource, body))

    async def register(self, **payload: Any) -> Answer:
        result = await self.post("new-account", {"termsOfServiceAgreed": True, **payload})
        if result.status in (200, 201):
            self.kid = result.headers["Location"]
        return result

    async def order(self, *identifiers: tuple[str, str]) -> Answer:
        wanted = [{"type": kind, "value": value} for kind, value in identifiers]
        return await self.post("new-order", {"identifiers": wanted})

    def relative(self, url: str) -> str:
        return url.removeprefix(self.url(""))

    def key_authorization(self, token: str) -> str:
        return f"{token}.{self.key.thumbprint()}"


def eab_binding(eab_id: str, mac_key: str, url: str, account_key: ECKey) -> dict[str, str]:
    header = {"alg": "HS256", "kid": eab_id, "url": url}
    payload = orjson.dumps(account_key.as_dict(private=False))
    secret = OctKey.import_key(base64.urlsafe_b64decode(mac_key + "=" * (-len(mac_key) % 4)))
    return sign(header, payload, secret)


def csr_der(*names: x509.GeneralName, common_name: str = "") -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, common_name)] if common_name else []
    )
    builder = x509.CertificateSigningRequestBuilder().subject_name(subject)
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
    return b64(builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))


async def enable(pki: PKI, **settings: Any) -> None:
    """A root CA, the cluster path, and ACME on; the default directory issues with role
    `local`, which allows `localhost` and 127.0.0.1 (what the local challenge server is)."""
    await pki.root()
    await pki.role("local", allow_localhost=True, allow_ip_sans=True, key_type="any")
    await pki.data_of(Operation.UPDATE, "config/cluster", {"path": MOUNT_URL})
    await pki.ok(
        "config/acme", enabled=True, **{"default_directory_policy": "role:local", **settings}
    )


Reply = Callable[[str], bytes]  # request line -> whole HTTP response


@asynccontextmanager
async def http_server(reply: Reply) -> AsyncIterator[int]:
    """A one-request-per-connection HTTP server on 127.0.0.1 answering with `reply`; yields
    the port."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        line = (await reader.readline()).decode()
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        writer.write(reply(line))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def challenge_server(answers: dict[str, str]) -> AbstractAsyncContextManager[int]:
    """Serves `/.well-known/acme-challenge/<token>` → answers[token]; yields the port."""

    def reply(line: str) -> bytes:
        token = line.split(" ")[1].rsplit("/", 1)[-1] if " " in line else ""
        body = answers.get(token, "").encode()
        return response("200 OK" if body else "404 Not Found", body)

    return http_server(reply)


def response(status: str, body: bytes, *extra: str) -> bytes:
    """A whole HTTP/1.1 response; `extra` are header lines."""
    headers = "".join(f"{header}\r\n" for header in extra)
    head = f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n{headers}Connection: close\r\n\r\n"
    return head.encode() + body


async def idle(pki: PKI) -> None:
    backend = pki.backend
    assert isinstance(backend, PKIBackend)
    await backend.acme_challenges.idle()


async def validated_order(bench: ACMEBench, client: ACMEClient, *names: tuple[str, str]) -> Answer:
    """Register, order, answer every http-01 challenge and wait for the validations."""
    if not client.kid:
        await client.register()
    order = await client.order(*names)
    assert order.status == 201, order.body
    for authz_url in order.body["authorizations"]:
        authz = await client.post(client.relative(authz_url))
        (challenge,) = authz.body["challenges"]
        assert challenge["type"] == "http-01" and challenge["status"] == "pending"
        bench.answers[challenge["token"]] = client.key_authorization(challenge["token"])
        started = await client.post(client.relative(challenge["url"]), {})
        assert started.body["status"] == "processing"
        assert started.headers["Link"].endswith(f'<{authz_url}>;rel="up"')
    await idle(bench.pki)
    return order


async def finalize(client: ACMEClient, order: Answer, csr: str) -> Answer:
    return await client.post(client.relative(order.body["finalize"]), {"csr": csr})


async def revocable(acme: ACMEBench) -> tuple[ACMEClient, str, Any]:
    await enable(acme.pki)
    client = ACMEClient(acme.pki)
    order = await validated_order(acme, client, ("dns", "localhost"))
    private = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([]))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(private, hashes.SHA256())
    )
    done = await finalize(client, order, b64(csr.public_bytes(serialization.Encoding.DER)))
    chain = await client.post(client.relative(done.body["certificate"]))
    leaf = x509.load_pem_x509_certificates(chain.body)[0]
    return client, b64(leaf.public_bytes(serialization.Encoding.DER)), ECKey.import_key(private)
