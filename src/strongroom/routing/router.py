"""The mount table in memory: which backend serves which path prefix."""

from __future__ import annotations

from dataclasses import dataclass

from strongroom.logical import Backend


@dataclass(frozen=True, slots=True)
class MountEntry:
    path: str  # always ends with "/"
    type: str
    uuid: str
    accessor: str
    backend: Backend


@dataclass(frozen=True, slots=True)
class Routed:
    mount: MountEntry
    relative_path: str


class Router:
    def __init__(self) -> None:
        self._mounts: dict[str, MountEntry] = {}
        # Mount paths, longest first, so the first prefix that matches is the most specific.
        self._order: list[str] = []

    def mount(self, entry: MountEntry) -> None:
        if not entry.path.endswith("/"):
            raise ValueError("a mount path ends with '/'")
        if entry.path in self._mounts:
            raise ValueError(f"path is already in use at {entry.path}")
        self._mounts[entry.path] = entry
        self._order = sorted(self._mounts, key=len, reverse=True)

    def unmount(self, path: str) -> None:
        self._mounts.pop(path, None)
        self._order = sorted(self._mounts, key=len, reverse=True)

    def route(self, path: str) -> Routed | None:
        for prefix in self._order:
            if path.startswith(prefix) or path == prefix[:-1]:
                return Routed(self._mounts[prefix], path[len(prefix) :])
        return None

    def entries(self) -> list[MountEntry]:
        return [self._mounts[p] for p in sorted(self._mounts)]
