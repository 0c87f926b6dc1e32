"""Where a `kv` command's secret lives: its mount, the KV version, and the API paths.

Every `kv` command first asks `GET sys/internal/ui/mounts/<path>` (never wrapped), as the
vault CLI does: a 404 means an old server, so KV version 1; an answer whose `options.version`
is `"2"` means version 2, anything else version 1; any other error stops the command. The
path arithmetic below is the vault CLI's (`addPrefixToKVPath`, Go's `path.Join`), so the
same arguments reach the same API paths: `kv2/foo` becomes `kv2/data/foo`,
`-mount=kv2 foo` too.
"""

from __future__ import annotations

import argparse
import posixpath
from dataclasses import dataclass
from typing import Any

from strongroom.cli import kv_http
from strongroom.cli.client import NOT_FOUND, ClientError, RequestFailed
from strongroom.cli.command import CommandFailed, Handler, Invocation, add_command
from strongroom.cli.logical import sanitized

PREFLIGHT = "sys/internal/ui/mounts"
V2 = "2"
DATA_HELP = 'the secret\'s data: k=v, k=@file, k=- ("-" alone reads a JSON object from stdin)'


@dataclass(frozen=True)
class KVPath:
    """A secret's path as the vault CLI computes it, with the mount found for it.

    `path` is the argument, joined to the mount the server named when `-mount` was given
    (version 1 uses it as it is); `mount` is the server's `path` (`kv2/`), or "" after a 404.
    """

    path: str
    mount: str
    v2: bool

    def api(self, prefix: str) -> str:
        """The version 2 endpoint for this secret: `<mount>/<prefix>/<rest>`."""
        return add_prefix(self.path, self.mount, prefix)

    @property
    def secret(self) -> str:
        """Where the secret itself is read and written: `<mount>/data/<p>`, or the v1 path."""
        return self.api("data") if self.v2 else self.path


def add_kv_command(
    group: Any, name: str, handler: Handler, help: str, *, field: bool = False, path: bool = True
) -> argparse.ArgumentParser:
    """A `kv` command: the common flags, `-wrap-ttl`, `-mount` and (unless told) a PATH."""
    parser = add_command(group, name, handler, help=help, field=field, wrap=True)
    parser.add_argument(
        "-mount",
        default="",
        metavar="MOUNT",
        help="where the KV engine is mounted; PATH is then the secret's path inside it",
    )
    if path:
        parser.add_argument("path", metavar="PATH")
    return parser


def add_data_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", nargs="*", metavar="K=V", help=DATA_HELP)


def locate(invocation: Invocation, argument: str) -> KVPath:
    """Find the mount of `argument` (or of `-mount`) and the path to use for it."""
    mount_flag = sanitized(invocation.args.mount)
    mount, v2 = kv_version(invocation, mount_flag or argument)
    if mount_flag:
        argument = go_join(mount, argument)
    return KVPath(argument, mount, v2)


def kv_version(invocation: Invocation, path: str) -> tuple[str, bool]:
    """The mount serving `path` and whether it is KV version 2 (the vault CLI's preflight)."""
    try:
        response = kv_http.read_unwrapped(invocation.client, go_join(PREFLIGHT, path))
    except ClientError as exc:
        if exc.status == NOT_FOUND:
            return "", False
        raise CommandFailed(str(exc)) from None
    except RequestFailed as exc:
        raise CommandFailed(str(exc)) from None
    if response is None:
        raise CommandFailed("nil response from pre-flight request")
    data = response.get("data")
    data = data if isinstance(data, dict) else {}
    mount = data.get("path")
    options = data.get("options")
    version = options.get("version") if isinstance(options, dict) else None
    return (mount if isinstance(mount, str) else ""), version == V2


def add_prefix(path: str, mount: str, prefix: str) -> str:
    """The vault CLI's `addPrefixToKVPath`: put `prefix` between the mount and the rest."""
    if path in (mount, mount.removesuffix("/")):
        return go_join(mount, prefix)
    suffix = path.removeprefix(mount)
    while suffix == path:
        # The argument may lack leading parts of the mount (a namespace): drop them in turn.
        parts = mount.split("/", 1)
        if len(parts) <= 1 or not parts[1]:
            break
        mount = parts[1].removesuffix("/")
        suffix = suffix.removeprefix(mount)
    return go_join(mount, prefix, suffix)


def go_join(*parts: str) -> str:
    """Go's `path.Join`: the non-empty parts joined by "/" and cleaned, "" if there are none."""
    joined = "/".join(part for part in parts if part)
    if not joined:
        return ""
    cleaned = posixpath.normpath(joined)
    return cleaned[1:] if cleaned.startswith("//") else cleaned
