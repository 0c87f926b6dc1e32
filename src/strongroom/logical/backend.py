"""What the pipeline needs from every mounted thing (secrets engine, auth method, sys)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from strongroom.logical.request import Request
from strongroom.logical.response import Response


@dataclass(frozen=True, slots=True)
class PathProperties:
    # Served without a token (login paths, sys/rekey/*, …).
    unauthenticated: bool = False
    # Needs the `sudo` capability on top of the operation's own.
    sudo: bool = False


class Backend(Protocol):
    def properties(self, path: str) -> PathProperties:
        """How the pipeline must guard `path` (relative to the mount) before handling it."""
        ...

    async def exists(self, request: Request) -> bool | None:
        """For a write: does the target exist (update) or not (create)? None: no check."""
        ...

    async def handle(self, request: Request) -> Response | None: ...


@runtime_checkable
class PeriodicBackend(Protocol):
    """A backend with background work (Vault's `PeriodicFunc`): the core calls `periodic` about
    once a minute while unsealed, for each mount of it (transit's automatic key rotation)."""

    async def periodic(self) -> None: ...


@runtime_checkable
class LoginBackend(Protocol):
    """An auth method that names who a login is for before handling it (Vault's alias
    lookahead), so failed logins can be counted and a locked user refused."""

    def login_alias(self, request: Request) -> str | None:
        """The user or role a login request is for (None: not a login, or no name given)."""
        ...
