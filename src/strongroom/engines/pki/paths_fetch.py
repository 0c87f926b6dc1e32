"""Unauthenticated reads of CAs and CRLs in their raw forms, as Vault serves them:
`ca` (DER), `ca/pem`, `ca_chain`, `crl` (DER), `crl/pem`, `crl/delta` (DER), `crl/delta/pem`,
and per issuer `issuer/:ref/{pem,der,json}`, `issuer/:ref/crl[/pem|/der]` and
`issuer/:ref/crl/delta[/pem|/der]`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from strongroom.engines.pki.crl import crl_pem, current_crl, current_delta
from strongroom.engines.pki.encoding import cert_der, load_cert
from strongroom.engines.pki.params import ISSUER_REF, ref
from strongroom.engines.pki.records import IssuerRecord
from strongroom.engines.pki.store import PKIStore
from strongroom.errors import NotFound
from strongroom.framework import Field, FieldData, Handler, PathSpec
from strongroom.logical import Operation, Request, Response

PKIX_CERT = "application/pkix-cert"
PEM_CHAIN = "application/pem-certificate-chain"
PKIX_CRL = "application/pkix-crl"
PEM_FILE = "application/x-pem-file"
CRLSource = Callable[[PKIStore, IssuerRecord], Awaitable[bytes]]


def raw(body: bytes, content_type: str) -> Response:
    return Response(raw_body=body, content_type=content_type)


class FetchPaths:
    def __init__(self, store: PKIStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        def public(
            pattern: str, handler: Handler, fields: Mapping[str, Field] | None = None
        ) -> PathSpec:
            return PathSpec(pattern, {Operation.READ: handler}, fields or {}, unauthenticated=True)

        issuer = f"issuer/{ref()}"
        return [
            public("ca", self.ca_der),
            public("ca/pem", self.ca_pem),
            public("ca_chain", self.ca_chain),
            public("crl", self.crl_der),
            public("crl/pem", self.crl_pem),
            public("crl/delta", self.delta_der),
            public("crl/delta/pem", self.delta_pem),
            public(f"{issuer}/(?P<form>pem|der|json)", self.issuer_cert, ISSUER_REF),
            public(f"{issuer}/crl(?:/(?P<form>pem|der))?", self.issuer_crl, ISSUER_REF),
            public(f"{issuer}/crl/delta(?:/(?P<form>pem|der))?", self.issuer_delta, ISSUER_REF),
        ]

    async def _issuer(self, issuer_ref: str = "default") -> IssuerRecord | None:
        return await self._store.issuer(issuer_ref)

    async def ca_der(self, request: Request, data: FieldData) -> Response:
        issuer = await self._issuer()
        if issuer is None:
            return Response(raw_body=b"", status=204)
        return raw(cert_der(load_cert(issuer.certificate)), PKIX_CERT)

    async def ca_pem(self, request: Request, data: FieldData) -> Response:
        issuer = await self._issuer()
        if issuer is None:
            return Response(raw_body=b"", status=204)
        return raw(issuer.certificate.encode(), PEM_CHAIN)

    async def ca_chain(self, request: Request, data: FieldData) -> Response:
        issuer = await self._issuer()
        if issuer is None:
            return Response(raw_body=b"", status=204)
        return raw("".join(issuer.chain).encode(), PKIX_CERT)

    async def crl_der(self, request: Request, data: FieldData) -> Response:
        return raw(await self._crl("default"), PKIX_CRL)

    async def crl_pem(self, request: Request, data: FieldData) -> Response:
        return raw(crl_pem(await self._crl("default")).encode(), PEM_FILE)

    async def delta_der(self, request: Request, data: FieldData) -> Response:
        return raw(await self._crl("default", current_delta), PKIX_CRL)

    async def delta_pem(self, request: Request, data: FieldData) -> Response:
        return raw(crl_pem(await self._crl("default", current_delta)).encode(), PEM_FILE)

    async def _crl(self, issuer_ref: str, source: CRLSource = current_crl) -> bytes:
        issuer = await self._issuer(issuer_ref)
        if issuer is None or not issuer.key_id:
            raise NotFound()
        return await source(self._store, issuer)

    async def issuer_cert(self, request: Request, data: FieldData) -> Response:
        issuer = await self._issuer(data.get("issuer_ref"))
        if issuer is None:
            raise NotFound()
        form = data.raw.get("form")
        if form == "der":
            return raw(cert_der(load_cert(issuer.certificate)), PKIX_CERT)
        if form == "pem":
            return raw(issuer.certificate.encode(), PEM_CHAIN)
        return Response(
            {
                "certificate": issuer.certificate,
                "ca_chain": issuer.chain,
                "issuer_id": issuer.id,
                "issuer_name": issuer.name,
            }
        )

    async def issuer_crl(self, request: Request, data: FieldData) -> Response:
        return _crl_form(await self._crl(data.get("issuer_ref")), data)

    async def issuer_delta(self, request: Request, data: FieldData) -> Response:
        return _crl_form(await self._crl(data.get("issuer_ref"), current_delta), data)


def _crl_form(der: bytes, data: FieldData) -> Response:
    """A CRL as `issuer/:ref/crl…` serves it: DER, PEM, or (no form) JSON `{"crl": PEM}`."""
    form = data.raw.get("form")
    if form == "der":
        return raw(der, PKIX_CRL)
    if form == "pem":
        return raw(crl_pem(der).encode(), PEM_FILE)
    return Response({"crl": crl_pem(der)})
