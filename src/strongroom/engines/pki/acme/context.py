"""What every ACME handler gets: the request's directory, the gate that admits its JWS, the
store, and the headers every answer carries (a fresh nonce, the directory link)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from strongroom.engines.pki.acme.challenges import ChallengeRunner
from strongroom.engines.pki.acme.directory import Directory
from strongroom.engines.pki.acme.requests import Admitted, Gate
from strongroom.engines.pki.acme.responses import json_response
from strongroom.engines.pki.acme.store import ACMEStore
from strongroom.framework import FieldData
from strongroom.logical import Request, Response


@dataclass(frozen=True, slots=True)
class Context:
    directory: Directory
    store: ACMEStore
    gate: Gate
    challenges: ChallengeRunner
    request: Request
    data: FieldData
    headers: dict[str, str]

    async def admit(self, signed_by: str) -> Admitted:
        return await self.gate.admit(self.directory, self.request, signed_by)

    def param(self, name: str) -> str:
        return str(self.data.raw.get(name, ""))

    def json(
        self,
        document: dict[str, Any],
        status: int = 200,
        location: str = "",
        links: tuple[str, ...] = (),
    ) -> Response:
        return json_response(document, self.headers, status, location, links)


ACMEHandler = Callable[[Context], Awaitable[Response]]
