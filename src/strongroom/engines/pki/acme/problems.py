"""ACME errors (RFC 8555 6.7): problem documents, `application/problem+json`, each type with
its status. Handlers raise `Problem`; `responses.problem_response` renders it."""

from __future__ import annotations

from typing import Any

PREFIX = "urn:ietf:params:acme:error:"

# The status each problem type is answered with.
STATUS = {
    "accountDoesNotExist": 400,
    "badCSR": 400,
    "badNonce": 400,
    "badPublicKey": 400,
    "badRevocationReason": 400,
    "badSignatureAlgorithm": 400,
    "externalAccountRequired": 403,
    "incorrectResponse": 403,
    "malformed": 400,
    "orderNotReady": 403,
    "rateLimited": 429,
    "rejectedIdentifier": 400,
    "serverInternal": 500,
    "unauthorized": 403,
    "unsupportedIdentifier": 400,
    "alreadyRevoked": 400,
    "connection": 400,
    "unsupportedContact": 400,
}
NOT_FOUND = 404


class Problem(Exception):
    """An ACME error. `detail` is public: never put a secret in it."""

    def __init__(
        self, kind: str, detail: str, status: int | None = None, location: str = ""
    ) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.status = status or STATUS.get(kind, 400)
        self.location = location  # a resource the problem is about (key-change's 409)

    def document(self) -> dict[str, Any]:
        return {"type": PREFIX + self.kind, "detail": self.detail, "status": self.status}


def malformed(detail: str) -> Problem:
    return Problem("malformed", detail)


def unauthorized(detail: str) -> Problem:
    return Problem("unauthorized", detail)


def rate_limited(detail: str) -> Problem:
    return Problem("rateLimited", detail)


def not_found(what: str) -> Problem:
    return Problem("malformed", f"{what} not found", NOT_FOUND)
