"""One entry of a backend's path table, and the secret types a backend issues."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from strongroom.framework.fields import Field, FieldData
from strongroom.logical import Operation, PathProperties, Request, Response

Handler = Callable[[Request, FieldData], Awaitable[Response | None]]
ExistenceCheck = Callable[[Request, FieldData], Awaitable[bool]]
SecretHandler = Callable[[Request], Awaitable[Response | None]]


@dataclass(frozen=True)
class PathSpec:
    """A path pattern (a full-match regex; named groups become fields) and its operations."""

    pattern: str
    operations: Mapping[Operation, Handler]
    fields: Mapping[str, Field] = field(default_factory=dict)
    # Served without a token (login paths, sys/rekey/*, …).
    unauthenticated: bool = False
    # Needs the `sudo` capability on top of the operation's own.
    sudo: bool = False
    # For writes: does the target exist? Decides create (false) versus update (true).
    existence_check: ExistenceCheck | None = None
    help: str = ""

    @cached_property
    def properties(self) -> PathProperties:
        return PathProperties(unauthenticated=self.unauthenticated, sudo=self.sudo)

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern)


@dataclass(frozen=True)
class SecretType:
    """A kind of leased secret: how the engine revokes (and optionally renews) one."""

    name: str
    revoke: SecretHandler
    renew: SecretHandler | None = None
