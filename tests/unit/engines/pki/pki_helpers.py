"""Drive the PKI backend the way the pipeline does, and the PEM helpers its tests share."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from strongroom.engines.pki import PKIBackend
from strongroom.errors import StrongroomError
from strongroom.logical import Operation, Response
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.backend_driver import BackendDriver
from strongroom.testing.clock import FakeClock


class PKI(BackendDriver):
    def __init__(self, backend: PKIBackend, storage: InmemBackend, clock: FakeClock) -> None:
        super().__init__(backend, storage, clock, "pki/")

    async def ok(self, path: str, operation: Operation = Operation.UPDATE, **data: Any) -> Any:
        return await self.data_of(operation, path, data)

    async def read(self, path: str, **data: Any) -> Any:
        return await self.ok(path, Operation.READ, **data)

    async def list(self, path: str) -> list[str]:
        keys: list[str] = (await self.ok(path, Operation.LIST))["keys"]
        return keys

    async def raw(self, path: str) -> Response:
        response = await self(Operation.READ, path)
        assert response is not None and response.raw_body is not None
        return response

    async def fails(
        self, path: str, operation: Operation = Operation.UPDATE, **data: Any
    ) -> StrongroomError:
        return await self.error_of(operation, path, data)

    async def root(self, **settings: Any) -> dict[str, Any]:
        params = {"common_name": "Root CA", "key_type": "ec", "ttl": "87600h", **settings}
        data: dict[str, Any] = await self.ok("root/generate/internal", **params)
        return data

    async def role(self, name: str, **settings: Any) -> dict[str, Any]:
        data: dict[str, Any] = await self.ok(f"roles/{name}", **{"key_type": "ec", **settings})
        return data


def cert(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def san(certificate: x509.Certificate) -> x509.SubjectAlternativeName:
    return certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value


def csr(common_name: str = "", names: list[x509.GeneralName] | None = None) -> str:
    """A PEM CSR with a fresh P-256 key."""
    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)] if common_name else []
    builder = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(attributes))
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    request = builder.sign(key, hashes.SHA256())
    return request.public_bytes(serialization.Encoding.PEM).decode()


def openssl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=30, check=False
    )
