"""The keyring: rotation, serialisation and refusal of malformed documents."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strongroom.crypto.envelope import new_key, open_entry, seal_entry
from strongroom.crypto.keyring import Keyring, RotationConfig
from strongroom.errors import IntegrityError


def test_create_has_one_active_term() -> None:
    keyring = Keyring.create(new_key(), 100.0)
    assert [t.number for t in keyring.terms] == [1]
    assert keyring.active.install_time == 100.0


@given(st.integers(min_value=1, max_value=12))
def test_rotation_adds_terms_and_old_terms_still_decrypt(rotations: int) -> None:
    keyring = Keyring.create(new_key(), 0.0)
    first_term = keyring.active.number
    first = keyring.cipher_for(first_term)
    assert first is not None
    blob = seal_entry(first, first_term, "p", b"old")
    for step in range(rotations):
        keyring = keyring.rotated(float(step), active_encryptions=step)
    assert keyring.active.number == rotations + 1
    assert open_entry(keyring.cipher_for, "p", blob) == b"old"
    restored = Keyring.deserialize(keyring.serialize())
    assert restored == keyring
    assert open_entry(restored.cipher_for, "p", blob) == b"old"


def test_rotation_records_the_closed_terms_count() -> None:
    keyring = Keyring.create(new_key(), 0.0).rotated(1.0, active_encryptions=42)
    assert keyring.terms[0].encryptions == 42
    assert keyring.active.encryptions == 0


def test_rotation_config_and_root_key_survive_serialisation() -> None:
    root = new_key()
    keyring = Keyring.create(new_key(), 0.0).with_rotation(RotationConfig(2_000_000, 86400, False))
    keyring = keyring.with_root_key(root)
    restored = Keyring.deserialize(keyring.serialize())
    assert restored.rotation == RotationConfig(2_000_000, 86400, False)
    assert restored.root_key == root


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("terms"),
        lambda d: d.update(version=99),
        lambda d: d.update(terms=[]),
        lambda d: d["terms"].append(dict(d["terms"][0])),
        lambda d: d["terms"][0].update(key="not base64!"),
        lambda d: d.update(rotation={"bogus": 1}),
    ],
)
def test_malformed_keyrings_are_refused(mutate: object) -> None:
    document = json.loads(Keyring.create(new_key(), 0.0).serialize())
    mutate(document)  # type: ignore[operator]
    with pytest.raises(IntegrityError):
        Keyring.deserialize(json.dumps(document).encode())


def test_garbage_is_refused() -> None:
    with pytest.raises(IntegrityError):
        Keyring.deserialize(b"\x00not json")
