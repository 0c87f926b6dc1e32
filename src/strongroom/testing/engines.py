"""Engines for tests: a `leasing` engine that issues leased secrets and records revocations,
and a `noop` auth method that can be mounted, tuned and disabled.

Real engines with leases (database credentials) arrive later; this one lets the lease machinery
be tested end to end through the real pipeline and HTTP API today.
"""

from __future__ import annotations

import secrets

from strongroom.framework import Field, FieldData, FieldType, FrameworkBackend, PathSpec, SecretType
from strongroom.logical import Backend, Operation, Request, Response, Secret, Storage
from strongroom.routing import MountEntry

SECRET_TYPE = "credential"


def leasing_engine(entry: MountEntry, storage: Storage) -> Backend:
    """`GET creds/<name>?ttl=..` issues a credential with a lease; revocation is recorded under
    `revoked/<id>`, readable at `revoked/<id>`; renewals under `renewed/<id>`."""

    async def issue(request: Request, data: FieldData) -> Response:
        credential = secrets.token_hex(8)
        ttl = data.get("ttl") or 0
        secret = Secret(SECRET_TYPE, ttl=ttl, internal={"credential": credential})
        return Response({"credential": credential, "name": data.get("name")}, secret=secret)

    async def revoked(request: Request, data: FieldData) -> Response:
        found = await storage.get(f"revoked/{data.get('credential')}")
        return Response({"revoked": found is not None})

    async def revoke(request: Request) -> None:
        assert request.secret is not None
        await storage.put(f"revoked/{request.secret.internal['credential']}", b"1")

    async def renew(request: Request) -> Response:
        assert request.secret is not None
        return Response(secret=request.secret)

    return FrameworkBackend(
        [
            PathSpec(
                "creds/(?P<name>[^/]+)",
                {Operation.READ: issue},
                {"name": Field(FieldType.STRING), "ttl": Field(FieldType.DURATION)},
            ),
            PathSpec(
                "revoked/(?P<credential>[^/]+)",
                {Operation.READ: revoked},
                {"credential": Field(FieldType.STRING)},
            ),
        ],
        secret_types=[SecretType(SECRET_TYPE, revoke=revoke, renew=renew)],
    )


def noop_auth_method(entry: MountEntry, storage: Storage) -> Backend:
    """An auth method with one path, `config`, that stores and returns a document."""

    async def read(request: Request, data: FieldData) -> Response:
        raw = await storage.get("config")
        return Response({"stored": raw.decode() if raw else ""})

    async def write(request: Request, data: FieldData) -> None:
        await storage.put("config", str(data.get("value")).encode())

    fields = {"value": Field(FieldType.STRING)}
    return FrameworkBackend(
        [PathSpec("config", {Operation.READ: read, Operation.UPDATE: write}, fields)]
    )
