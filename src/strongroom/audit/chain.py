"""Tamper evidence for an audit device (beyond Vault): a hash chain with signed checkpoints.

Every line is a canonical JSON object (sorted keys, no spaces, UTF-8, ``\\n``-terminated)
carrying ``seq`` (1, 2, 3, …) and ``prev`` (hex SHA-256 of the previous line's exact bytes;
64 zeros before the first line). A checkpoint is a chain line of its own,
``{"type": "checkpoint", "seq", "prev", "signature"}``, whose Ed25519 signature covers
``strongroom-audit-checkpoint\\n<seq>\\n<prev>`` and so every byte before it. Lines after the
last checkpoint are an unsigned tail: consistent, but truncating them cannot be detected.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any, NamedTuple

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

CHECKPOINT_TYPE = "checkpoint"
SIGNATURE_CONTEXT = b"strongroom-audit-checkpoint\n"
GENESIS_PREV = "0" * 64


class ChainState(NamedTuple):
    """Where a chain stands: the seq of its last line (0 if none) and that line's hash.
    (A named tuple: one is made per line written, and it costs less than a dataclass.)"""

    seq: int = 0
    prev: str = GENESIS_PREV


GENESIS = ChainState()


_SORTED = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def canonical_line(fields: dict[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8, one line. Only a checkpoint's bytes must be canonical
    (the verifier rebuilds them); an entry line is hashed exactly as written."""
    return encode_json(fields) + b"\n"


def encoded(block: Any) -> orjson.Fragment:
    """A part of an entry, encoded as its line will hold it: built once, written in both of
    a request's lines (`orjson.Fragment` is embedded as it is)."""
    return orjson.Fragment(encode_json(block))


def encode_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8 (integers beyond 64 bits too)."""
    try:
        return orjson.dumps(value, option=_SORTED)
    except orjson.JSONEncodeError:  # an integer beyond 64 bits, say: the slow general path
        # (Never a line of encoded blocks: its top level holds only text and small numbers.)
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
        return text.encode("utf-8", "surrogatepass")


def line_hash(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()


def checkpoint_message(seq: int, prev: str) -> bytes:
    return SIGNATURE_CONTEXT + str(seq).encode("ascii") + b"\n" + prev.encode("ascii")


def checkpoint_fields(seq: int, prev: str, signature: bytes) -> dict[str, Any]:
    encoded = base64.b64encode(signature).decode("ascii")
    return {"type": CHECKPOINT_TYPE, "seq": seq, "prev": prev, "signature": encoded}


class Chain:
    """The running state of one device's log. Not thread-safe: the device serialises writes."""

    def __init__(self, state: ChainState = GENESIS) -> None:
        self._state = state

    @property
    def state(self) -> ChainState:
        """Hand this to the chain (and verifier) of the next file after a rotation."""
        return self._state

    def next_line(self, entry: dict[str, Any]) -> bytes:
        """The line for `entry`, which gains the chain fields (it is the caller's to give)."""
        if "seq" in entry or "prev" in entry:
            raise ValueError("an audit entry must not carry the chain fields seq/prev")
        if entry.get("type") == CHECKPOINT_TYPE:
            raise ValueError("only checkpoint_line writes checkpoints")
        seq = self._state.seq + 1
        entry["seq"], entry["prev"] = seq, self._state.prev
        return self._append(seq, canonical_line(entry))

    def checkpoint_line(self, private_key: Ed25519PrivateKey) -> bytes:
        seq, prev = self._state.seq + 1, self._state.prev
        signature = private_key.sign(checkpoint_message(seq, prev))
        return self._append(seq, canonical_line(checkpoint_fields(seq, prev, signature)))

    def _append(self, seq: int, line: bytes) -> bytes:
        self._state = ChainState(seq, line_hash(line))
        return line
