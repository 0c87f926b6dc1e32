"""Audit hashing: known answers, Vault's pass-through rules, skip keys, depth and immutability."""

from __future__ import annotations

import base64
import copy
import enum
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.hmac import HMAC
from hypothesis import given
from hypothesis import strategies as st

from strongroom.audit.hashing import HASH_PREFIX, Salt, hash_structure, raw_copy

SALT = Salt(bytes(range(32)))


def pyca_hmac(key: bytes, value: bytes) -> str:
    mac = HMAC(key, hashes.SHA256())
    mac.update(value)
    return HASH_PREFIX + mac.finalize().hex()


def test_known_answer_matches_openssl() -> None:
    # printf 'hunter2' | openssl dgst -sha256 -mac HMAC -macopt hexkey:000102…1f (OpenSSL 3).
    expected = "8629d712da366318588317f3f98c728c71d4819f843d95db8803c019c561c1e7"
    assert SALT.hash("hunter2") == "hmac-sha256:" + expected


@given(st.text())
def test_hash_matches_an_independent_hmac(value: str) -> None:
    encoded = value.encode("utf-8", "surrogatepass")
    assert SALT.hash(value) == pyca_hmac(SALT.key, encoded)


def test_same_salt_same_hash_other_salt_other_hash() -> None:
    assert SALT.hash("x") == Salt(bytes(range(32))).hash("x")
    assert SALT.hash("x") != Salt(bytes(32)).hash("x")
    assert Salt.generate().hash("x") != Salt.generate().hash("x")


def test_salt_is_32_bytes_and_never_in_its_repr() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Salt(b"short")
    assert "\\x00" not in repr(Salt(bytes(32))) and "key" not in repr(SALT)


def test_lone_surrogate_does_not_crash() -> None:
    assert SALT.hash("\ud800").startswith(HASH_PREFIX)


def test_strings_hashed_numbers_booleans_null_and_keys_kept() -> None:
    value = {"password": "hunter2", "n": 3, "f": 1.5, "ok": True, "none": None, "list": ["a", 2]}
    assert hash_structure(value, SALT) == {
        "password": SALT.hash("hunter2"),
        "n": 3,
        "f": 1.5,
        "ok": True,
        "none": None,
        "list": [SALT.hash("a"), 2],
    }


def test_bytes_hashed_as_their_base64_text() -> None:
    raw = b"\x00secret-bytes\xff"
    hashed = hash_structure({"blob": raw, "nested": [bytearray(raw)]}, SALT)
    text = base64.b64encode(raw).decode()
    assert hashed == {"blob": SALT.hash(text), "nested": [SALT.hash(text)]}
    assert text not in json.dumps(hashed) and "secret" not in json.dumps(hashed)


def test_other_objects_are_hashed_as_text_never_logged_as_is() -> None:
    class Opaque:
        def __str__(self) -> str:
            return "hunter2"

    assert hash_structure([Opaque()], SALT) == [SALT.hash("hunter2")]


def test_skip_keys_apply_only_at_the_top_level() -> None:
    value = {"keep": "plain", "other": "hunter2", "nested": {"keep": "hunter2"}}
    hashed = hash_structure(value, SALT, skip_keys=frozenset({"keep"}))
    assert hashed["keep"] == "plain"
    assert hashed["other"] == SALT.hash("hunter2")
    assert hashed["nested"] == {"keep": SALT.hash("hunter2")}


def test_skipped_values_are_still_copied_and_json_ready() -> None:
    value = {"keep": {"deep": [b"ab"]}}
    hashed = hash_structure(value, SALT, skip_keys=frozenset({"keep"}))
    assert hashed == {"keep": {"deep": ["YWI="]}}
    assert hashed["keep"] is not value["keep"]


def test_input_is_never_mutated() -> None:
    value: dict[str, Any] = {"a": ["hunter2", {"b": "hunter2"}], "c": ("t",)}
    before = copy.deepcopy(value)
    hash_structure(value, SALT)
    raw_copy(value)
    assert value == before


def test_raw_copy_is_deep_and_unhashed() -> None:
    value = {"a": ["hunter2"], "b": b"\x01"}
    copied = raw_copy(value)
    assert copied == {"a": ["hunter2"], "b": "AQ=="}
    assert copied["a"] is not value["a"]


def test_dict_key_order_is_kept() -> None:
    assert list(hash_structure({"z": 1, "a": 2, "m": 3}, SALT)) == ["z", "a", "m"]


def test_deep_nesting_does_not_recurse() -> None:
    value: Any = "hunter2"
    for _ in range(100_000):
        value = {"k": [value]}
    hashed = hash_structure(value, SALT)
    for _ in range(100_000):
        hashed = hashed["k"][0]
    assert hashed == SALT.hash("hunter2")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
)


@given(json_values)
def test_no_string_survives_hashing(value: Any) -> None:
    hashed = hash_structure(value, SALT)

    def leaves(node: Any) -> list[Any]:
        if isinstance(node, dict):
            return [leaf for child in node.values() for leaf in leaves(child)]
        if isinstance(node, list):
            return [leaf for child in node for leaf in leaves(child)]
        return [node]

    for leaf in leaves(hashed):
        assert not isinstance(leaf, str) or leaf.startswith(HASH_PREFIX)
    assert leaves(raw_copy(value)) == leaves(value)


def test_number_subclasses_are_kept_as_numbers() -> None:
    class Level(enum.IntEnum):
        LOW = 0
        HIGH = 2

    hashed = hash_structure({"n": Level.HIGH, "nested": {"z": Level.LOW}, "t": (Level.LOW,)}, SALT)
    assert hashed == {"n": 2, "nested": {"z": 0}, "t": [0]}
