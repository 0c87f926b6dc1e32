"""Build a storage backend from its configured kind and options (the server's `storage` stanza)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from strongroom.errors import ConfigError
from strongroom.physical.base import Backend
from strongroom.physical.file import FileBackend
from strongroom.physical.inmem import InmemBackend
from strongroom.physical.sqlite import SqliteBackend

SQLITE_FILE_NAME = "strongroom.db"


def _inmem(options: Mapping[str, str]) -> Backend:
    return InmemBackend()


def _file(options: Mapping[str, str]) -> Backend:
    return FileBackend(_required(options, "file", "path"))


def _sqlite(options: Mapping[str, str]) -> Backend:
    path = _required(options, "sqlite", "path")
    if path.endswith(("/", os.sep)) or os.path.isdir(path):
        path = os.path.join(path, SQLITE_FILE_NAME)
    return SqliteBackend(path)


_FACTORIES: dict[str, Callable[[Mapping[str, str]], Backend]] = {
    "inmem": _inmem,
    "file": _file,
    "sqlite": _sqlite,
}


def create_backend(kind: str, options: Mapping[str, str]) -> Backend:
    """The backend `kind` configured with `options`; `ConfigError` if either is unusable."""
    factory = _FACTORIES.get(kind)
    if factory is None:
        known = ", ".join(sorted(_FACTORIES))
        raise ConfigError(f"unknown storage type {kind!r}; expected one of: {known}")
    return factory(options)


def _required(options: Mapping[str, str], kind: str, name: str) -> str:
    value = options.get(name, "")
    if not value:
        raise ConfigError(f"storage {kind!r} requires the option {name!r}")
    return value
