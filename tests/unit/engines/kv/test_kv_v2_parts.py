"""KV version 2 pieces: subkeys, JSON merge patch, wire formats, records."""

from __future__ import annotations

import pytest
from kv_helpers import KV, START_TEXT

from strongroom.engines.kv.v2.merge_patch import merge_patch
from strongroom.engines.kv.v2.records import KeyMetadata, MountConfig, VersionRecord
from strongroom.engines.kv.v2.render import rfc3339_nano
from strongroom.errors import InternalError, NotFound
from strongroom.logical import Operation
from strongroom.logical.values import format_duration

READ, UPDATE, DELETE = Operation.READ, Operation.UPDATE, Operation.DELETE
SECRET = {"a": 1, "b": {"c": {"d": "x"}, "e": {}}, "f": [1, {"g": 1}], "h": None}


async def test_subkeys_replace_every_value_with_null(kv: KV) -> None:
    await kv.put("s", SECRET)
    assert await kv.ok(READ, "subkeys/s") == {
        "subkeys": {"a": None, "b": {"c": {"d": None}, "e": None}, "f": None, "h": None},
        "metadata": {
            "created_time": START_TEXT,
            "custom_metadata": None,
            "deletion_time": "",
            "destroyed": False,
            "version": 1,
        },
    }


@pytest.mark.parametrize(
    ("depth", "expected"),
    [
        (1, {"a": None, "b": None, "f": None, "h": None}),
        (2, {"a": None, "b": {"c": None, "e": None}, "f": None, "h": None}),
        (3, {"a": None, "b": {"c": {"d": None}, "e": None}, "f": None, "h": None}),
    ],
)
async def test_subkeys_depth(kv: KV, depth: int, expected: dict[str, object]) -> None:
    await kv.put("s", SECRET)
    assert (await kv.ok(READ, "subkeys/s", depth=str(depth)))["subkeys"] == expected


async def test_subkeys_of_versions_and_deleted_versions(kv: KV) -> None:
    await kv.put("s", {"old": 1})
    await kv.put("s", {"new": 1})
    assert (await kv.ok(READ, "subkeys/s", version=1))["subkeys"] == {"old": None}
    await kv.none(DELETE, "data/s")
    status, body = await kv.status(READ, "subkeys/s")
    assert status == 404 and body["subkeys"] is None and body["metadata"]["version"] == 2
    assert isinstance(await kv.fails(READ, "subkeys/s", version=3), NotFound)
    assert isinstance(await kv.fails(READ, "subkeys/nothing"), NotFound)
    assert isinstance(await kv.fails(READ, "subkeys/"), NotFound)


@pytest.mark.parametrize(
    ("target", "patch", "result"),
    [
        # The examples of RFC 7396, appendix A.
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        (["a", "b"], ["c", "d"], ["c", "d"]),
        ({"a": "b"}, ["c"], ["c"]),
        ({"a": "foo"}, None, None),
        ({"a": "foo"}, "bar", "bar"),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_merge_patch_follows_rfc_7396(target: object, patch: object, result: object) -> None:
    assert merge_patch(target, patch) == result


def test_merge_patch_leaves_its_inputs_alone() -> None:
    target = {"a": {"b": 1}}
    merge_patch(target, {"a": {"b": None}})
    assert target == {"a": {"b": 1}}


@pytest.mark.parametrize(
    ("ns", "text"),
    [
        (None, ""),
        (1_800_000_000_000_000_000, "2027-01-15T08:00:00Z"),
        (1_800_000_000_123_456_789, "2027-01-15T08:00:00.123456789Z"),
        (1_800_000_000_100_000_000, "2027-01-15T08:00:00.1Z"),
        (1_800_000_000_039_092_170, "2027-01-15T08:00:00.03909217Z"),
    ],
)
def test_times_are_go_rfc3339_nano(ns: int | None, text: str) -> None:
    assert rfc3339_nano(ns) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (45, "45s"), (90, "1m30s"), (3600, "1h0m0s"), (5400, "1h30m0s"), (-1, "-1s")],
)
def test_durations_are_go_strings(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text


def test_records_round_trip_and_carry_a_format() -> None:
    meta = KeyMetadata("a/b", custom_metadata={"k": "v"})
    meta.add_version(5, MountConfig())
    meta.versions[1].deleted = 7
    assert KeyMetadata.deserialize(meta.serialize()) == meta
    assert b'"format":1' in meta.serialize()
    config = MountConfig(max_versions=3, delete_version_after=-1)
    assert MountConfig.deserialize(config.serialize()) == config
    assert VersionRecord.deserialize(VersionRecord({"x": [1]}).serialize()).data == {"x": [1]}


@pytest.mark.parametrize(
    "raw", [b"not json", b"[]", b'{"format": 2, "path": "a"}', b'{"path": "a", "versions": 3}']
)
def test_unreadable_records_raise_without_content(raw: bytes) -> None:
    with pytest.raises(InternalError) as caught:
        KeyMetadata.deserialize(raw)
    assert "not json" not in caught.value.message


def test_unreadable_version_records_raise() -> None:
    with pytest.raises(InternalError):
        VersionRecord.deserialize(b'{"data": "x"}')
