"""Verifying an audit log written by `Chain`: intact, or the first problem and where it is.

Lines are taken as a binary file yields them (each ending in ``\\n``). The verifier streams
with one line of look-ahead (to tell a deletion from a reordering), so a log of any size is
checked in constant memory. A rotated file is verified by handing it the `end` state of its
predecessor's result as `start`.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from strongroom.audit.chain import (
    CHECKPOINT_TYPE,
    GENESIS,
    ChainState,
    canonical_line,
    checkpoint_message,
    line_hash,
)
from strongroom.errors import IntegrityError

_CHECKPOINT_KEYS = frozenset({"type", "seq", "prev", "signature"})


class ProblemKind(StrEnum):
    UNTERMINATED = "unterminated"  # no trailing newline: truncated mid-line
    MALFORMED = "malformed"  # not a JSON object with an integer seq and a string prev
    SEQ_GAP = "seq_gap"  # seq jumps forward: lines deleted
    REORDERED = "reordered"  # the next line holds the expected seq: lines swapped
    SEQ_REPEAT = "seq_repeat"  # seq repeats or goes back: a line inserted or duplicated
    PREV_MISMATCH = "prev_mismatch"  # the previous line's bytes changed
    BAD_CHECKPOINT = "bad_checkpoint"  # signature invalid or checkpoint not canonical


@dataclass(frozen=True, slots=True)
class Problem:
    line: int  # 1-based line number in the verified input
    kind: ProblemKind
    reason: str


@dataclass(frozen=True, slots=True)
class VerifyResult:
    entries: int  # entry lines verified (checkpoints not counted)
    unsigned_tail: int  # verified lines after the last checkpoint
    end: ChainState  # state after the last verified line: the next file's `start`
    problem: Problem | None = None
    start: ChainState = GENESIS  # what the first line continued from

    @property
    def intact(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        if self.problem is not None:
            return f"line {self.problem.line}: {self.problem.reason}"
        text = f"intact: {self.entries} entries"
        if self.unsigned_tail:
            text += f"; unsigned tail of {self.unsigned_tail} lines"
        return text

    def check(self) -> None:
        """Raise `IntegrityError` if a problem was found (an unsigned tail is not one)."""
        if self.problem is not None:
            raise IntegrityError(f"audit log tampered: {self.summary()}")


def verify_lines(
    lines: Iterable[bytes],
    public_keys: Ed25519PublicKey | Sequence[Ed25519PublicKey],
    *,
    start: ChainState | None = GENESIS,
    prefix: bytes = b"",
) -> VerifyResult:
    """Check `lines` against the chain state `start`; `None` starts from whatever the first
    line claims (the oldest file left after rotation deleted its predecessors).

    Checkpoints may be signed by any of `public_keys` (a device re-enabled on the same file
    has a new key). Each line must begin with `prefix` (the device's `prefix` option).
    """
    keys = [public_keys] if isinstance(public_keys, Ed25519PublicKey) else list(public_keys)
    stripped = _strip_prefixes(lines, prefix) if prefix else iter(lines)
    if start is None:
        stripped, start = _anchored(stripped)
    state, entries, tail = start, 0, 0
    for number, (line, following) in enumerate(_with_next(stripped), start=1):
        problem = _check_line(number, line, following, state, keys)
        if problem is not None:
            return VerifyResult(entries, tail, state, problem, start)
        fields = json.loads(line)
        state = ChainState(fields["seq"], line_hash(line))
        if fields.get("type") == CHECKPOINT_TYPE:
            tail = 0
        else:
            entries, tail = entries + 1, tail + 1
    return VerifyResult(entries, tail, state, start=start)


def _strip_prefixes(lines: Iterable[bytes], prefix: bytes) -> Iterator[bytes]:
    # A line without the prefix is passed on whole: it then fails as malformed.
    for line in lines:
        yield line.removeprefix(prefix)


def _anchored(lines: Iterator[bytes]) -> tuple[Iterator[bytes], ChainState]:
    """The state just before the first line, as that line states it."""
    first = next(lines, None)
    if first is None:
        return iter(()), GENESIS
    fields = _parse(first)
    # A log that claims to start at seq 1 must start from the genesis state.
    state = GENESIS
    if fields is not None and fields["seq"] > 1:
        state = ChainState(fields["seq"] - 1, fields["prev"])
    return itertools.chain([first], lines), state


def _with_next(lines: Iterable[bytes]) -> Iterator[tuple[bytes, bytes | None]]:
    iterator = iter(lines)
    current = next(iterator, None)
    while current is not None:
        following = next(iterator, None)
        yield current, following
        current = following


def _check_line(
    number: int,
    line: bytes,
    following: bytes | None,
    state: ChainState,
    public_keys: Sequence[Ed25519PublicKey],
) -> Problem | None:
    if not line.endswith(b"\n"):
        return Problem(number, ProblemKind.UNTERMINATED, f"line {number} is truncated (no newline)")
    fields = _parse(line)
    if fields is None:
        return Problem(number, ProblemKind.MALFORMED, f"line {number} is not a chain line")
    problem = _check_seq(number, fields["seq"], state.seq + 1, following)
    if problem is None:
        problem = _check_prev(number, fields["prev"], state.prev)
    if problem is None and fields.get("type") == CHECKPOINT_TYPE:
        problem = _check_checkpoint(number, line, fields, public_keys)
    return problem


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        fields = json.loads(line)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        return None
    if not isinstance(fields, dict):
        return None
    seq, prev = fields.get("seq"), fields.get("prev")
    if not isinstance(seq, int) or isinstance(seq, bool) or not isinstance(prev, str):
        return None
    return fields


def _check_seq(number: int, seq: int, expected: int, following: bytes | None) -> Problem | None:
    if seq == expected:
        return None
    if seq < expected:
        reason = f"seq {seq} where {expected} was expected: a line was inserted or duplicated"
        return Problem(number, ProblemKind.SEQ_REPEAT, reason)
    following_fields = _parse(following) if following is not None else None
    if following_fields is not None and following_fields["seq"] == expected:
        reason = f"seq {seq} comes before seq {expected}: lines {number} and {number + 1} swapped"
        return Problem(number, ProblemKind.REORDERED, reason)
    missing = seq - expected
    reason = f"seq gap: expected {expected}, found {seq}: {missing} line(s) deleted before it"
    return Problem(number, ProblemKind.SEQ_GAP, reason)


def _check_prev(number: int, prev: str, expected: str) -> Problem | None:
    if prev == expected:
        return None
    if number == 1:
        reason = "line 1 does not continue from the chain state it was handed (prev mismatch)"
    else:
        reason = (
            f"prev is not the SHA-256 of line {number - 1}: line {number - 1} was modified"
            f" (or line {number}'s prev was altered, or a line was inserted before it)"
        )
    return Problem(number, ProblemKind.PREV_MISMATCH, reason)


def _check_checkpoint(
    number: int, line: bytes, fields: dict[str, Any], public_keys: Sequence[Ed25519PublicKey]
) -> Problem | None:
    signature = _signature(fields) if fields.keys() == _CHECKPOINT_KEYS else None
    if signature is None or canonical_line(fields) != line:
        reason = f"checkpoint on line {number} is not in canonical form"
        return Problem(number, ProblemKind.BAD_CHECKPOINT, reason)
    message = checkpoint_message(fields["seq"], fields["prev"])
    if any(_signed_by(key, signature, message) for key in public_keys):
        return None
    reason = f"checkpoint on line {number} has a bad signature"
    return Problem(number, ProblemKind.BAD_CHECKPOINT, reason)


def _signed_by(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def _signature(fields: dict[str, Any]) -> bytes | None:
    encoded = fields["signature"]
    if not isinstance(encoded, str):
        return None
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None
