"""`strongroom audit verify`: intact logs pass, and each kind of tampering is reported."""

from __future__ import annotations

import asyncio
import gzip
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from strongroom.audit import AuditDevice, DeviceKeys, DeviceOptions
from strongroom.audit.chain import Chain, ChainState, canonical_line, line_hash
from strongroom.audit.sinks import MemorySink
from strongroom.cli.main import main


def write_log(keys: DeviceKeys, count: int, *, prefix: str = "", every: int = 4) -> list[bytes]:
    """`count` entries with a checkpoint after every `every`, and a final one."""

    async def run() -> list[bytes]:
        sink = MemorySink()
        device = AuditDevice("file/", "file", sink, keys, DeviceOptions(prefix=prefix))
        await device.open()
        for number in range(count):
            await device.write({"type": "request", "request": {"n": number, "v": "value"}})
            if (number + 1) % every == 0:
                await device.checkpoint()
        await device.close()
        return sink.lines()

    return asyncio.run(run())


@pytest.fixture
def keys() -> DeviceKeys:
    return DeviceKeys.generate()


@pytest.fixture
def key_file(tmp_path: Path, keys: DeviceKeys) -> Path:
    path = tmp_path / "audit.pub"
    path.write_text(keys.public_key_pem())
    return path


def verify(capsys: pytest.CaptureFixture[str], key_file: Path, *args: str) -> tuple[int, str]:
    code = main(["audit", "verify", f"-public-key={key_file}", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_an_intact_log(
    tmp_path: Path, keys: DeviceKeys, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "audit.log"
    log.write_bytes(b"".join(write_log(keys, 10)))
    code, output = verify(capsys, key_file, str(log))
    assert (code, output.strip()) == (0, "intact: 10 entries in 1 file(s)")


def tamper_delete(lines: list[bytes]) -> list[bytes]:
    return lines[:2] + lines[3:]


def tamper_edit(lines: list[bytes]) -> list[bytes]:
    return [lines[0], lines[1].replace(b'"value"', b'"VALUE"'), *lines[2:]]


def tamper_swap(lines: list[bytes]) -> list[bytes]:
    return [lines[0], lines[2], lines[1], *lines[3:]]


def tamper_truncate(lines: list[bytes]) -> list[bytes]:
    return [*lines[:-1], lines[-1][:20]]


def tamper_insert(lines: list[bytes]) -> list[bytes]:
    return [lines[0], lines[1], lines[1], *lines[2:]]


def tamper_forge_checkpoint(lines: list[bytes]) -> list[bytes]:
    """Edit an entry, rebuild the chain after it and sign with a key of the forger's own."""
    forged = [json.loads(line) for line in lines]
    forged[1]["request"]["v"] = "forged"
    chain, forger, rebuilt = Chain(), Ed25519PrivateKey.generate(), []
    for fields in forged:
        if fields["type"] == "checkpoint":
            rebuilt.append(chain.checkpoint_line(forger))
        else:
            rebuilt.append(
                chain.next_line({k: v for k, v in fields.items() if k not in ("seq", "prev")})
            )
    return rebuilt


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (tamper_delete, "line(s) deleted"),
        (tamper_edit, "line 2 was modified"),
        (tamper_swap, "swapped"),
        (tamper_truncate, "truncated"),
        (tamper_insert, "inserted or duplicated"),
        (tamper_forge_checkpoint, "bad signature"),
    ],
)
def test_tampering_is_reported(
    tmp_path: Path,
    keys: DeviceKeys,
    key_file: Path,
    capsys: pytest.CaptureFixture[str],
    tamper: object,
    expected: str,
) -> None:
    lines = write_log(keys, 10)
    log = tmp_path / "audit.log"
    log.write_bytes(b"".join(tamper(lines)))  # type: ignore[operator]
    code, output = verify(capsys, key_file, str(log))
    assert code == 2
    assert output.startswith("Tampered: ") and expected in output


def test_rotated_files_are_verified_as_one_chain(
    tmp_path: Path, keys: DeviceKeys, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = write_log(keys, 12)
    log = tmp_path / "audit.log"
    with gzip.open(tmp_path / "audit.log.2.gz", "wb") as oldest:
        oldest.write(b"".join(lines[:5]))
    (tmp_path / "audit.log.1").write_bytes(b"".join(lines[5:10]))
    log.write_bytes(b"".join(lines[10:]))
    code, output = verify(capsys, key_file, str(log))
    assert (code, output.strip()) == (0, "intact: 12 entries in 3 file(s)")

    # Rotation deleted the oldest file: verified from where the chain is present.
    (tmp_path / "audit.log.2.gz").unlink()
    code, output = verify(capsys, key_file, str(log))
    assert code == 0 and "from seq 6 (earlier files are not present)" in output

    # A file missing from the middle of the series breaks the chain.
    (tmp_path / "audit.log.1").write_bytes(b"".join(lines[5:8]))
    code, output = verify(capsys, key_file, str(log))
    assert code == 2 and output.startswith(f"Tampered: {log}: line 1")

    code, output = verify(capsys, key_file, "-no-rotated", str(log))
    assert code == 0 and "from seq 11" in output


def test_a_log_claiming_to_start_at_seq_1_starts_at_genesis(
    tmp_path: Path, keys: DeviceKeys, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = write_log(keys, 3)
    first = json.loads(lines[0])
    first["prev"] = line_hash(b"something else")
    log = tmp_path / "audit.log"
    log.write_bytes(canonical_line(first) + b"".join(lines[1:]))
    code, output = verify(capsys, key_file, str(log))
    assert code == 2 and "line 1" in output
    assert ChainState().seq == 0


def test_prefixed_logs(
    tmp_path: Path, keys: DeviceKeys, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "audit.log"
    log.write_bytes(b"".join(write_log(keys, 5, prefix="@cee:")))
    assert verify(capsys, key_file, "-prefix=@cee:", str(log))[0] == 0
    assert verify(capsys, key_file, str(log))[0] == 2


def test_unsigned_tail_and_usage_errors(
    tmp_path: Path, keys: DeviceKeys, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = write_log(keys, 6, every=100)  # only the closing checkpoint
    log = tmp_path / "audit.log"
    log.write_bytes(b"".join(lines[:-1]))
    code, output = verify(capsys, key_file, str(log))
    assert code == 0 and "unsigned tail of 6 lines" in output
    assert main(["audit", "verify", str(log)]) == 1
    assert "-public-key" in capsys.readouterr().err
    not_a_key = tmp_path / "bad.pem"
    not_a_key.write_text("nope")
    assert verify(capsys, not_a_key, str(log))[0] == 1
    assert verify(capsys, key_file, str(tmp_path / "missing.log"))[0] == 1
