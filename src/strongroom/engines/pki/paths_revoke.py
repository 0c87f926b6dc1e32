"""Revocation and the certificate store: `revoke`, `revoke-with-key`, `certs` and
`certs/revoked` (LIST), `cert/:serial` (also `cert/ca`, `cert/ca_chain`, `cert/crl`,
`cert/delta-crl`)."""

from __future__ import annotations

from typing import Any

from cryptography import x509

from strongroom.engines.pki.crl import crl_pem, current_crl, current_delta
from strongroom.engines.pki.encoding import load_cert, parse_serial, rfc3339_ns
from strongroom.engines.pki.keys import load_private_key, public_der
from strongroom.engines.pki.records import CertRecord
from strongroom.engines.pki.revocation import find_issued, revocation_view, revoke
from strongroom.engines.pki.store import PKIStore
from strongroom.errors import InvalidParameter, NotFound
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response

REVOKE_FIELDS = {
    "serial_number": Field(FieldType.STRING, "the serial, hex pairs joined by : or -", default=""),
    "certificate": Field(FieldType.STRING, "the PEM certificate", default=""),
}
REVOKE_WITH_KEY_FIELDS = {
    **REVOKE_FIELDS,
    "private_key": Field(FieldType.STRING, "the certificate's PEM private key", required=True),
}
SERIAL_FIELDS = {"serial": Field(FieldType.STRING, "a serial, or ca, ca_chain, crl, delta-crl")}
KEY_MISMATCH = "revocation request was rejected: the private key does not match the certificate"


class RevokePaths:
    def __init__(self, store: PKIStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        return [
            PathSpec("revoke", {Operation.UPDATE: self.revoke}, REVOKE_FIELDS),
            PathSpec(
                "revoke-with-key", {Operation.UPDATE: self.revoke_with_key}, REVOKE_WITH_KEY_FIELDS
            ),
            PathSpec("certs/?", {Operation.LIST: self.list_certs}),
            PathSpec("certs/revoked/?", {Operation.LIST: self.list_revoked}),
            PathSpec(
                "cert/(?P<serial>[0-9A-Za-z:_-]+)",
                {Operation.READ: self.read_cert},
                SERIAL_FIELDS,
                unauthenticated=True,
            ),
        ]

    async def _target(self, data: FieldData) -> CertRecord:
        serial, pem = data.get("serial_number"), data.get("certificate")
        if bool(serial) == bool(pem):
            raise InvalidParameter("exactly one of serial_number or certificate must be given")
        if pem:
            return await find_issued(self._store, load_cert(pem))
        record = await self._store.cert(parse_serial(serial))
        if record is None:
            raise InvalidParameter(f"certificate with serial {serial} not found.")
        return record

    async def revoke(self, request: Request, data: FieldData) -> Response:
        record = await revoke(self._store, await self._target(data))
        return Response(revocation_view(record))

    async def revoke_with_key(self, request: Request, data: FieldData) -> Response:
        record = await self._target(data)
        key = load_private_key(data.get("private_key"))
        cert = load_cert(record.certificate)
        if public_der(key.public_key()) != public_der(cert.public_key()):
            raise InvalidParameter(KEY_MISMATCH)
        return Response(revocation_view(await revoke(self._store, record)))

    async def list_certs(self, request: Request, data: FieldData) -> Response:
        serials = await self._store.cert_serials()
        if not serials:
            raise NotFound()
        return Response({"keys": serials})

    async def list_revoked(self, request: Request, data: FieldData) -> Response:
        serials = await self._store.revoked_serials()
        if not serials:
            raise NotFound()
        return Response({"keys": serials})

    async def read_cert(self, request: Request, data: FieldData) -> Response:
        serial = data.get("serial")
        special = await self._special(serial)
        if special is not None:
            return Response({**special, "revocation_time": 0, "revocation_time_rfc3339": ""})
        try:
            record = await self._store.cert(parse_serial(serial))
        except InvalidParameter:
            record = None
        if record is None:
            raise NotFound()
        found: dict[str, Any] = {
            "certificate": record.certificate,
            "revocation_time": record.revocation_time_ns // 1_000_000_000,
            "revocation_time_rfc3339": "",
        }
        if record.revoked:
            found["revocation_time_rfc3339"] = rfc3339_ns(record.revocation_time_ns)
            found["issuer_id"] = record.issuer_id
        return Response(found)

    async def _special(self, name: str) -> dict[str, Any] | None:
        if name not in ("ca", "ca_chain", "crl", "delta-crl"):
            return None
        issuer = await self._store.issuer("default")
        if issuer is None:
            raise NotFound()
        if name == "crl":
            return {"certificate": crl_pem(await current_crl(self._store, issuer))}
        if name == "delta-crl":
            return {"certificate": crl_pem(await current_delta(self._store, issuer))}
        if name == "ca":
            return {"certificate": issuer.certificate}
        return {"certificate": issuer.certificate, "ca_chain": "".join(issuer.chain)}


def certificate_of(record: CertRecord) -> x509.Certificate:
    return load_cert(record.certificate)
