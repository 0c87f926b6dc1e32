"""The versioned token record: old records still read, new ones round-trip."""

from __future__ import annotations

import json

from strongroom.token.entry import FORMAT_VERSION, TokenEntry


def test_a_version_1_record_still_deserializes() -> None:
    # The exact layout written by the first, root-only token store.
    raw = json.dumps(
        {
            "accessor": "abc",
            "policies": ["root"],
            "display_name": "root",
            "creation_time": 1_700_000_000.5,
            "ttl": 0,
            "meta": {},
            "version": 1,
        }
    ).encode()
    entry = TokenEntry.deserialize(raw)
    assert entry.policies == ("root",)
    assert entry.is_root and entry.orphan and not entry.is_batch
    assert entry.expire_time == 0.0
    assert entry.type == "service"
    assert entry.path == "auth/token/root"


def test_a_version_1_record_with_a_ttl_gets_an_expiry() -> None:
    raw = json.dumps(
        {
            "accessor": "abc",
            "policies": ["default"],
            "display_name": "token",
            "creation_time": 1000.0,
            "ttl": 60,
            "meta": {"a": "b"},
            "version": 1,
        }
    ).encode()
    entry = TokenEntry.deserialize(raw)
    assert entry.expire_time == 1060.0
    assert entry.expired(1060.0) and not entry.expired(1059.9)
    assert entry.remaining(1000.0) == 60


def test_round_trip_and_unknown_fields_from_a_newer_node_are_ignored() -> None:
    entry = TokenEntry(
        accessor="acc",
        policies=("a", "b"),
        display_name="token-x",
        creation_time=5.0,
        ttl=10,
        meta={"k": "v"},
        bound_cidrs=("10.0.0.0/8",),
        parent_hash="ff",
        expire_time=15.0,
    )
    assert entry.version == FORMAT_VERSION
    assert TokenEntry.deserialize(entry.serialize()) == entry
    document = json.loads(entry.serialize())
    document["some_future_field"] = 1
    assert TokenEntry.deserialize(json.dumps(document).encode()) == entry
