"""Verifying an audit log on disk together with the files log rotation left behind it.

Rotation (logrotate's numbered scheme: `audit.log.1`, `audit.log.2.gz`, …) moves older lines
to numbered files; the device keeps one chain across them, so the series is verified oldest
first, each file continuing from the state its predecessor ended in. The oldest file present
may start mid-chain (its own predecessors were deleted by rotation): it is anchored on its
first line, and the result says from which seq on the log is verified.
"""

from __future__ import annotations

import gzip
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from strongroom.audit.chain import ChainState
from strongroom.audit.verify import VerifyResult, verify_lines


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str
    result: VerifyResult


@dataclass(frozen=True, slots=True)
class SeriesResult:
    files: tuple[FileResult, ...]
    first_seq: int  # the seq the verified log starts at (1 unless older files are gone)

    @property
    def intact(self) -> bool:
        return all(file.result.intact for file in self.files)

    @property
    def entries(self) -> int:
        return sum(file.result.entries for file in self.files)

    def summary(self) -> str:
        for file in self.files:
            if not file.result.intact:
                return f"{file.path}: {file.result.summary()}"
        text = f"intact: {self.entries} entries in {len(self.files)} file(s)"
        if self.first_seq > 1:
            text += f", from seq {self.first_seq} (earlier files are not present)"
        tail = self.files[-1].result.unsigned_tail if self.files else 0
        if tail:
            text += f"; unsigned tail of {tail} lines"
        return text


_ROTATED = re.compile(r"\.(\d+)(\.gz)?$")


def rotated_series(path: str) -> list[str]:
    """`path` preceded by its numbered rotations, oldest (highest number) first."""
    directory, name = os.path.split(os.path.abspath(path))
    rotated: list[tuple[int, str]] = []
    for candidate in os.listdir(directory or "."):
        if candidate.startswith(name + "."):
            match = _ROTATED.fullmatch(candidate[len(name) :])
            if match:
                rotated.append((int(match.group(1)), os.path.join(directory, candidate)))
    return [file for _, file in sorted(rotated, reverse=True)] + [path]


def verify_series(
    paths: Sequence[str],
    public_keys: Sequence[Ed25519PublicKey],
    *,
    prefix: bytes = b"",
) -> SeriesResult:
    """Verify `paths` (oldest first) as one chain; stop at the first file with a problem."""
    results: list[FileResult] = []
    start: ChainState | None = None
    first_seq = 1
    for path in paths:
        with _open(path) as stream:
            result = verify_lines(_lines(stream), public_keys, start=start, prefix=prefix)
        if start is None:
            first_seq = result.start.seq + 1
        results.append(FileResult(path, result))
        if not result.intact:
            break
        start = result.end
    return SeriesResult(tuple(results), max(first_seq, 1))


def _open(path: str) -> IO[bytes]:
    if path.endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


def _lines(stream: IO[bytes]) -> Iterator[bytes]:
    yield from stream
