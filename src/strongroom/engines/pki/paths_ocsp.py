"""The OCSP responder's paths, unauthenticated as in Vault: `GET ocsp/<base64 DER request>`
(RFC 6960 A.1: standard base64, URL-encoded; the URL-safe alphabet and missing padding are
accepted too) and `POST ocsp` with the DER request as the body (`Content-Type:
application/ocsp-request`, which the HTTP layer hands over undecoded as RAW_BODY). The answer
is DER, `application/ocsp-response`, always: errors are OCSP error responses, not JSON.

A GET request whose base64 holds `//` cannot be answered: paths are normalised (`//` becomes
`/`) before routing, so clients that send such a request over GET get `malformedRequest`;
POST has no such limit."""

from __future__ import annotations

import base64
import binascii

from strongroom.engines.pki.ocsp import CONTENT_TYPE, MALFORMED, MAX_REQUEST, OCSPAnswer, respond
from strongroom.engines.pki.store import PKIStore
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response

# The request data's entry for a raw (non-JSON) body: strongroom.http.body.RAW_BODY_FIELD.
RAW_BODY = "http_raw_body"
GET_FIELDS = {"req": Field(FieldType.STRING, "the base64 DER OCSP request", default="")}


def decode_get(text: str) -> bytes:
    """The DER of a GET request's path segment, or b"" when it is not base64."""
    if len(text) >= MAX_REQUEST * 2:
        return b""
    text = text.strip().replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return b""


def answer(result: OCSPAnswer) -> Response:
    return Response(raw_body=result.der, content_type=CONTENT_TYPE, status=result.status)


class OCSPPaths:
    def __init__(self, store: PKIStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        return [
            PathSpec("ocsp", {Operation.UPDATE: self.post}, unauthenticated=True),
            PathSpec(
                "ocsp/(?P<req>.+)", {Operation.READ: self.get}, GET_FIELDS, unauthenticated=True
            ),
        ]

    async def get(self, request: Request, data: FieldData) -> Response:
        return answer(await respond(self._store, decode_get(data.get("req"))))

    async def post(self, request: Request, data: FieldData) -> Response:
        body = request.data.get(RAW_BODY)
        if not isinstance(body, bytes):
            return answer(MALFORMED)
        return answer(await respond(self._store, body))
