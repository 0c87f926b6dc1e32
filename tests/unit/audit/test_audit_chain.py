"""The audit hash chain: intact logs verify; each kind of tampering is found where it happened."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from strongroom.audit.chain import GENESIS, GENESIS_PREV, Chain, ChainState
from strongroom.audit.verify import ProblemKind, VerifyResult, verify_lines
from strongroom.errors import IntegrityError

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = KEY.public_key()


def write_log(
    entries: int, *, checkpoint_every: int = 0, chain: Chain | None = None
) -> list[bytes]:
    chain = chain or Chain()
    lines = []
    for index in range(entries):
        lines.append(chain.next_line({"type": "request", "request": {"id": f"r{index}"}}))
        if checkpoint_every and (index + 1) % checkpoint_every == 0:
            lines.append(chain.checkpoint_line(KEY))
    lines.append(chain.checkpoint_line(KEY))
    return lines


def verify(lines: list[bytes]) -> VerifyResult:
    return verify_lines(lines, PUBLIC)


def test_line_format_is_canonical_and_chained() -> None:
    chain = Chain()
    first = chain.next_line({"type": "request", "b": 1, "a": "x"})
    second = chain.next_line({"type": "response"})
    assert (
        first
        == b'{"a":"x","b":1,"prev":"' + GENESIS_PREV.encode() + b'","seq":1,"type":"request"}\n'
    )
    assert json.loads(second)["prev"] == hashlib.sha256(first).hexdigest()
    assert json.loads(second)["seq"] == 2
    assert chain.state == ChainState(2, hashlib.sha256(second).hexdigest())


def test_checkpoint_signature_covers_seq_and_prev() -> None:
    chain = Chain()
    chain.next_line({"type": "request"})
    prev = chain.state.prev
    fields = json.loads(chain.checkpoint_line(KEY))
    assert set(fields) == {"type", "seq", "prev", "signature"}
    assert (fields["type"], fields["seq"], fields["prev"]) == ("checkpoint", 2, prev)
    message = b"strongroom-audit-checkpoint\n2\n" + prev.encode()
    PUBLIC.verify(base64.b64decode(fields["signature"]), message)


def test_entries_cannot_carry_chain_fields_or_pose_as_checkpoints() -> None:
    with pytest.raises(ValueError, match="chain fields"):
        Chain().next_line({"seq": 9})
    with pytest.raises(ValueError, match="only checkpoint_line"):
        Chain().next_line({"type": "checkpoint"})


def test_intact_log_verifies() -> None:
    result = verify(write_log(10, checkpoint_every=4))
    assert result.intact and result.entries == 10 and result.unsigned_tail == 0
    assert result.summary() == "intact: 10 entries"
    result.check()


def test_unsigned_tail_is_reported_but_not_an_error() -> None:
    lines = write_log(5)
    chain = Chain(verify(lines).end)
    lines += [chain.next_line({"type": "request"}) for _ in range(3)]
    result = verify(lines)
    assert result.intact and result.unsigned_tail == 3
    assert result.summary() == "intact: 8 entries; unsigned tail of 3 lines"


def test_empty_log_is_intact() -> None:
    assert verify([]) == VerifyResult(0, 0, GENESIS)


def test_flipped_byte_in_a_middle_line_is_found_at_the_next_line() -> None:
    lines = write_log(6)
    lines[2] = lines[2].replace(b'"r2"', b'"r9"')
    result = verify(lines)
    assert result.problem is not None
    assert (result.problem.line, result.problem.kind) == (4, ProblemKind.PREV_MISMATCH)
    assert "line 3 was modified" in result.problem.reason
    assert result.entries == 3
    with pytest.raises(IntegrityError):
        result.check()


def test_deleted_line_is_a_seq_gap() -> None:
    lines = write_log(6)
    del lines[2]
    problem = verify(lines).problem
    assert problem is not None
    assert (problem.line, problem.kind) == (3, ProblemKind.SEQ_GAP)
    assert "1 line(s) deleted" in problem.reason


def test_inserted_line_is_found() -> None:
    lines = write_log(6)
    # A well-formed forgery chained onto line 2: caught where the original line 3 resumes.
    forger = Chain(ChainState(2, hashlib.sha256(lines[1]).hexdigest()))
    lines.insert(2, forger.next_line({"type": "request", "forged": True}))
    problem = verify(lines).problem
    assert problem is not None
    assert (problem.line, problem.kind) == (4, ProblemKind.SEQ_REPEAT)
    assert "inserted" in problem.reason


def test_swapped_lines_are_reported_as_reordered() -> None:
    lines = write_log(6)
    lines[2], lines[3] = lines[3], lines[2]
    problem = verify(lines).problem
    assert problem is not None
    assert (problem.line, problem.kind) == (3, ProblemKind.REORDERED)
    assert "swapped" in problem.reason


def test_truncated_mid_line_is_found() -> None:
    lines = write_log(4)
    lines[-1] = lines[-1][:20]
    problem = verify(lines).problem
    assert problem is not None
    assert (problem.line, problem.kind) == (5, ProblemKind.UNTERMINATED)


def test_truncated_whole_lines_show_as_a_longer_unsigned_tail() -> None:
    lines = write_log(4, checkpoint_every=2)  # 2 entries, cp, 2 entries, cp, cp
    result = verify(lines[:5])
    assert result.intact and result.unsigned_tail == 2


def test_garbage_line_is_malformed() -> None:
    lines = write_log(3)
    lines[1] = b'["not", "an", "object"]\n'
    problem = verify(lines).problem
    assert problem is not None and problem.kind == ProblemKind.MALFORMED and problem.line == 2


def test_forged_checkpoint_signature_is_found() -> None:
    lines = write_log(3)
    chain = Chain()
    for line in lines[:-1]:
        chain = Chain(ChainState(json.loads(line)["seq"], hashlib.sha256(line).hexdigest()))
    lines[-1] = chain.checkpoint_line(Ed25519PrivateKey.generate())
    problem = verify(lines).problem
    assert problem is not None
    assert (problem.line, problem.kind) == (4, ProblemKind.BAD_CHECKPOINT)
    assert "bad signature" in problem.reason


def test_checkpoint_with_extra_fields_is_not_canonical() -> None:
    lines = write_log(2)
    fields = json.loads(lines[-1]) | {"note": "x"}
    lines[-1] = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode() + b"\n"
    problem = verify(lines).problem
    assert problem is not None and problem.kind == ProblemKind.BAD_CHECKPOINT
    assert "canonical" in problem.reason


def test_rewritten_chain_without_the_key_fails_at_the_checkpoint() -> None:
    lines = write_log(3)
    rewritten = Chain()
    forged = [rewritten.next_line({"type": "request", "forged": i}) for i in range(3)]
    forged.append(lines[-1])
    problem = verify(forged).problem
    assert problem is not None and problem.kind == ProblemKind.PREV_MISMATCH


def test_rotation_hands_over_the_chain_state() -> None:
    first = write_log(3)
    handed = verify(first).end
    second = write_log(2, chain=Chain(handed))
    result = verify_lines(second, PUBLIC, start=handed)
    assert result.intact and result.entries == 2
    assert verify(second).problem is not None  # not from genesis
    dropped = verify_lines(second[1:], PUBLIC, start=handed).problem
    assert dropped is not None and dropped.line == 1


def test_handover_prev_mismatch_names_the_hand_over() -> None:
    second = write_log(1, chain=Chain(ChainState(4, "a" * 64)))
    problem = verify_lines(second, PUBLIC, start=ChainState(4, "b" * 64)).problem
    assert problem is not None and problem.line == 1 and "handed" in problem.reason


@settings(max_examples=200, deadline=None)
@given(
    entries=st.integers(min_value=1, max_value=12),
    data=st.data(),
)
def test_any_single_line_modification_is_detected(entries: int, data: st.DataObject) -> None:
    lines = write_log(entries, checkpoint_every=data.draw(st.integers(0, 4)))
    original = verify(lines)
    index = data.draw(st.integers(0, len(lines) - 1))
    line = lines[index]
    position = data.draw(st.integers(0, len(line) - 1))
    replacement = data.draw(st.binary(max_size=3))
    modified = line[:position] + replacement + line[position + 1 :]
    if modified == line:
        return
    lines[index] = modified
    result = verify(lines)
    assert result != original
    assert result.problem is not None or result.unsigned_tail > 0  # nothing unsigned before
