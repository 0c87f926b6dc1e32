"""The mount table in memory: which backend serves which path prefix."""

from __future__ import annotations

from dataclasses import dataclass

from strongroom.logical import Backend
from strongroom.routing.mount import MountEntry


@dataclass(frozen=True, slots=True)
class Routed:
    mount: MountEntry
    backend: Backend
    relative_path: str


class Router:
    def __init__(self) -> None:
        self._mounts: dict[str, tuple[MountEntry, Backend]] = {}
        # Mount paths, longest first, so the first prefix that matches is the most specific.
        self._order: list[str] = []

    def mount(self, entry: MountEntry, backend: Backend) -> None:
        route = entry.route
        if route in self._mounts:
            raise ValueError(f"path is already in use at {route}")
        self._mounts[route] = (entry, backend)
        self._reorder()

    def replace_entry(self, entry: MountEntry) -> None:
        """Swap the record of a mounted path (after a tune), keeping its backend."""
        _, backend = self._mounts[entry.route]
        self._mounts[entry.route] = (entry, backend)

    def unmount(self, route: str) -> None:
        self._mounts.pop(route, None)
        self._reorder()

    def clear(self) -> None:
        self._mounts.clear()
        self._order = []

    def _reorder(self) -> None:
        self._order = sorted(self._mounts, key=len, reverse=True)

    def route(self, path: str) -> Routed | None:
        for prefix in self._order:
            if path.startswith(prefix) or path == prefix[:-1]:
                entry, backend = self._mounts[prefix]
                return Routed(entry, backend, path[len(prefix) :])
        return None

    def backends(self) -> list[tuple[MountEntry, Backend]]:
        return list(self._mounts.values())

    def get(self, route: str) -> tuple[MountEntry, Backend] | None:
        return self._mounts.get(route)

    def conflicts(self, route: str) -> str | None:
        """An existing mount that `route` would overlap (same, enclosing or enclosed)."""
        for existing in self._mounts:
            if existing.startswith(route) or route.startswith(existing):
                return existing
        return None
