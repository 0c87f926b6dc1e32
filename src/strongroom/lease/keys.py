"""Where leases and their indexes live in storage, and how a lease ID becomes one key segment.

Layout (inside the storage view the core hands the lease manager):

- `id/<lease id>` → the lease record. Lease IDs contain `/`, so `id/` mirrors the request paths
  and `LIST sys/leases/lookup/<prefix>` is a plain listing of `id/<prefix>`.
- `due/<bucket>/<due ms>-<escaped lease id>` → b"" : the time index. `bucket` is the due time
  rounded down to `BUCKET_SECONDS`, zero-padded, so buckets and the names inside each bucket
  sort by time; the expiry loop reads only buckets that are due, one page at a time.
- `token/<escaped token hash>/<escaped lease id>` → b"" : leases created by a token.
- `auth/<escaped token hash>` → lease id : the lease of a token (for renewing it).

An escaped lease ID is one valid key segment: percent-encoding leaves no `/` and nothing
unprintable, and the names `.` and `..` are encoded too.
"""

from __future__ import annotations

import math
from urllib.parse import quote, unquote

ID = "id/"
DUE = "due/"
TOKEN = "token/"
AUTH = "auth/"

BUCKET_SECONDS = 60
_MS_DIGITS = 15  # milliseconds since the epoch: 13 digits until the year 2286
_BUCKET_DIGITS = 12
# Keep every index key below the storage's 4096-byte limit even when each byte is %-encoded.
MAX_LEASE_ID_BYTES = 1024


def escape(text: str) -> str:
    """One key segment for any non-empty string; `unescape` reverses it.

    Printable text (every lease ID and token hash) only has `%` and `/` encoded; anything else
    is fully percent-encoded. Both decode with `unquote`, so distinct inputs never collide.
    """
    if text.isprintable():
        segment = text.replace("%", "%25").replace("/", "%2F")
    else:
        segment = quote(text, safe="")
    return segment.replace(".", "%2E") if not segment.strip(".") else segment


def unescape(segment: str) -> str:
    return unquote(segment, errors="strict")


def valid_lease_id(lease_id: str) -> bool:
    """Could `lease_id` be stored at `id/<lease_id>`? (Storage refuses the others.)"""
    if not lease_id or len(lease_id.encode("utf-8", "surrogatepass")) > MAX_LEASE_ID_BYTES:
        return False
    if not lease_id.isprintable() or lease_id.startswith("/") or lease_id.endswith("/"):
        return False
    return all(part not in ("", ".", "..") for part in lease_id.split("/"))


def id_key(lease_id: str) -> str:
    return ID + lease_id


def to_ms(timestamp: float) -> int:
    return max(0, math.floor(timestamp * 1000))


def due_key(due_time: float, lease_id: str) -> str:
    ms = to_ms(due_time)
    bucket = ms // (BUCKET_SECONDS * 1000) * BUCKET_SECONDS
    return f"{DUE}{bucket:0{_BUCKET_DIGITS}d}/{ms:0{_MS_DIGITS}d}-{escape(lease_id)}"


def bucket_start(folder: str) -> int | None:
    """The first second of a `due/` bucket folder name (`000001800000000/`), None if foreign."""
    digits = folder[:-1]
    return int(digits) if folder.endswith("/") and digits.isdigit() else None


def parse_due_name(name: str) -> tuple[int, str] | None:
    """(due ms, lease id) of a name inside a bucket; None for a name we did not write."""
    ms, dash, escaped = name[:_MS_DIGITS], name[_MS_DIGITS : _MS_DIGITS + 1], name[_MS_DIGITS + 1 :]
    if not ms.isdigit() or dash != "-" or not escaped:
        return None
    try:
        return int(ms), unescape(escaped)
    except UnicodeDecodeError:
        return None


def token_folder(token_hash: str) -> str:
    return f"{TOKEN}{escape(token_hash)}/"


def token_key(token_hash: str, lease_id: str) -> str:
    return token_folder(token_hash) + escape(lease_id)


def auth_key(token_hash: str) -> str:
    return AUTH + escape(token_hash)
