"""KV version 2 `metadata/`, `detailed-metadata/` and `config`."""

from __future__ import annotations

from kv_helpers import KV, START_TEXT, rfc

from strongroom.engines.kv.v2.settings import CAS_IGNORED_WARNING
from strongroom.errors import InvalidParameter, NotFound
from strongroom.logical import Operation

READ, UPDATE, PATCH, DELETE, LIST = (
    Operation.READ,
    Operation.UPDATE,
    Operation.PATCH,
    Operation.DELETE,
    Operation.LIST,
)


async def test_metadata_of_a_secret(kv: KV) -> None:
    await kv.put("a", {"n": 1})
    kv.clock.advance(1)
    await kv.put("a", {"n": 2})
    assert await kv.metadata("a") == {
        "cas_required": False,
        "created_time": START_TEXT,
        "current_version": 2,
        "custom_metadata": None,
        "delete_version_after": "0s",
        "max_versions": 0,
        "oldest_version": 0,
        "updated_time": rfc(1),
        "versions": {
            "1": {"created_time": START_TEXT, "deletion_time": "", "destroyed": False},
            "2": {"created_time": rfc(1), "deletion_time": "", "destroyed": False},
        },
    }
    assert isinstance(await kv.fails(READ, "metadata/nothing"), NotFound)
    assert isinstance(await kv.fails(READ, "metadata/"), NotFound)


async def test_metadata_write_sets_settings_without_a_version(kv: KV) -> None:
    await kv.none(
        UPDATE,
        "metadata/m",
        max_versions=3,
        cas_required=True,
        delete_version_after="1h30m",
        custom_metadata={"owner": "team-a", "n": 5, "flag": True},
    )
    meta = await kv.metadata("m")
    assert meta["current_version"] == 0 and meta["versions"] == {}
    assert meta["created_time"] == meta["updated_time"] == START_TEXT
    assert (meta["max_versions"], meta["cas_required"], meta["delete_version_after"]) == (
        3,
        True,
        "1h30m0s",
    )
    assert meta["custom_metadata"] == {"owner": "team-a", "n": "5", "flag": "1"}
    written = await kv.put("m", {"x": 1}, cas=0)
    assert written["custom_metadata"] == {"owner": "team-a", "n": "5", "flag": "1"}
    assert (await kv.read("m"))["metadata"]["custom_metadata"]["owner"] == "team-a"


async def test_metadata_write_replaces_only_the_fields_it_names(kv: KV) -> None:
    await kv.none(UPDATE, "metadata/m", max_versions=3, custom_metadata={"a": "1"})
    await kv.none(UPDATE, "metadata/m")  # nothing named: nothing happens
    kv.clock.advance(5)
    await kv.none(UPDATE, "metadata/m", custom_metadata={"b": "2"}, delete_version_after="0s")
    meta = await kv.metadata("m")
    assert meta["max_versions"] == 3 and meta["custom_metadata"] == {"b": "2"}
    assert meta["updated_time"] == rfc(5) and meta["created_time"] == START_TEXT
    await kv.none(UPDATE, "metadata/m", custom_metadata={})
    assert (await kv.metadata("m"))["custom_metadata"] is None
    await kv.none(UPDATE, "metadata/empty")
    assert isinstance(await kv.fails(READ, "metadata/empty"), NotFound)


async def test_metadata_write_errors(kv: KV) -> None:
    assert (await kv.fails(UPDATE, "metadata/m", max_versions=-1)).status == 400
    assert (await kv.fails(UPDATE, "metadata/m", delete_version_after="-1h")).status == 400
    assert (await kv.fails(UPDATE, "metadata/m", custom_metadata="x")).status == 400
    nested = await kv.fails(UPDATE, "metadata/m", custom_metadata={"a": {"b": 1}})
    assert nested.status == 400
    folder = await kv.fails(UPDATE, "metadata/dir/", max_versions=1)
    assert folder.message == "cannot write to a path ending in '/'"
    assert await kv.storage.list("") == []


async def test_custom_metadata_limits(kv: KV) -> None:
    await kv.none(UPDATE, "metadata/m", custom_metadata={f"k{i}": "v" for i in range(64)})
    too_many = await kv.fails(
        UPDATE, "metadata/m", custom_metadata={f"k{i}": "v" for i in range(65)}
    )
    assert too_many.message == (
        "custom_metadata validation failed: payload must contain at most 64 keys, provided 65"
    )
    await kv.none(UPDATE, "metadata/m", custom_metadata={"k" * 128: "v" * 512})
    long_key = await kv.fails(UPDATE, "metadata/m", custom_metadata={"k" * 129: "v"})
    assert "k" * 129 not in long_key.message and "129" in long_key.message
    secret_value = "s3cr3t" * 100
    long_value = await kv.fails(UPDATE, "metadata/m", custom_metadata={"note": secret_value})
    assert secret_value not in long_value.message and 'key "note"' in long_value.message
    empty = await kv.fails(UPDATE, "metadata/m", custom_metadata={"": "", "bell": "\x07"})
    assert isinstance(empty, InvalidParameter) and len(empty.errors) == 3
    assert all(error.startswith("custom_metadata validation failed") for error in empty.errors)
    unprintable_key = await kv.fails(UPDATE, "metadata/m", custom_metadata={"\x07": "v"})
    assert unprintable_key.errors == [
        "custom_metadata validation failed: a key contains unprintable characters"
    ]
    null_value = await kv.fails(UPDATE, "metadata/m", custom_metadata={"a": None})
    assert null_value.status == 400


async def test_metadata_patch_merges(kv: KV) -> None:
    await kv.none(UPDATE, "metadata/m", max_versions=3, custom_metadata={"a": "1", "b": "2"})
    kv.clock.advance(2)
    await kv.none(PATCH, "metadata/m", custom_metadata={"a": None, "c": "3"}, cas_required=True)
    meta = await kv.metadata("m")
    assert meta["custom_metadata"] == {"b": "2", "c": "3"}
    assert (meta["max_versions"], meta["cas_required"], meta["updated_time"]) == (3, True, rfc(2))
    await kv.none(PATCH, "metadata/m", max_versions=None, custom_metadata=None)
    meta = await kv.metadata("m")
    assert (meta["max_versions"], meta["custom_metadata"]) == (0, None)
    too_many = {f"k{i}": "v" for i in range(64)}
    assert (
        await kv.fails(PATCH, "metadata/m", custom_metadata=too_many | {"x": "1"})
    ).status == 400
    assert await kv.status(PATCH, "metadata/nothing", max_versions=1) == (404, None)


async def test_cas_required_false_against_the_mount_is_stored_with_a_warning(kv: KV) -> None:
    await kv.none(UPDATE, "config", cas_required=True)
    for operation in (UPDATE, PATCH):
        response = await kv(operation, "metadata/m", {"cas_required": False})
        assert response is not None and response.warnings == [CAS_IGNORED_WARNING]
        assert response.data is None and response.status is None
    assert (await kv.metadata("m"))["cas_required"] is False


async def test_metadata_delete_removes_every_version(kv: KV) -> None:
    for n in range(3):
        await kv.put("dir/a", {"n": n})
    await kv.put("dir/b", {"n": 1})
    await kv.none(DELETE, "metadata/dir/a")
    assert isinstance(await kv.fails(READ, "metadata/dir/a"), NotFound)
    assert isinstance(await kv.fails(READ, "data/dir/a", version=1), NotFound)
    assert await kv.storage.list("versions/dir/") == ["b/"]
    await kv.none(DELETE, "metadata/dir/a")
    await kv.none(DELETE, "metadata/dir/")
    assert (await kv.put("dir/a", {"n": 9}))["version"] == 1


async def test_list_keys_and_folders(kv: KV) -> None:
    for path in ("list/a/b", "list/a/c/d", "list/z", "list/x", "other"):
        await kv.put(path, {"v": 1})
    assert await kv.ok(LIST, "metadata/list") == {"keys": ["a/", "x", "z"]}
    assert await kv.ok(LIST, "metadata/list/a/") == {"keys": ["b", "c/"]}
    assert await kv.ok(LIST, "metadata/") == {"keys": ["list/", "other"]}
    assert isinstance(await kv.fails(LIST, "metadata/nothing/"), NotFound)
    assert isinstance(await kv.fails(LIST, "metadata/list/", after="zz"), NotFound)


async def test_list_pagination(kv: KV) -> None:
    for path in ("list/a/b", "list/x", "list/z"):
        await kv.put(path, {"v": 1})
    assert (await kv.ok(LIST, "metadata/list/", after="a/", limit="2"))["keys"] == ["x", "z"]
    assert (await kv.ok(LIST, "metadata/list/", limit=1))["keys"] == ["a/"]
    assert (await kv.ok(LIST, "metadata/list/", after="x"))["keys"] == ["z"]
    assert (await kv.ok(LIST, "metadata/list/", limit=-1))["keys"] == ["a/", "x", "z"]
    assert (await kv.fails(LIST, "metadata/list/", limit="abc")).status == 400


async def test_deleted_and_destroyed_secrets_are_still_listed(kv: KV) -> None:
    await kv.put("a", {"n": 1})
    await kv.none(UPDATE, "destroy/a", versions=[1])
    assert (await kv.ok(LIST, "metadata/"))["keys"] == ["a"]


async def test_detailed_metadata(kv: KV) -> None:
    await kv.put("list/a/b", {"v": 1})
    await kv.put("list/x", {"v": 1})
    listed = await kv.ok(LIST, "detailed-metadata/list/")
    assert listed["keys"] == ["a/", "x"]
    assert listed["key_info"]["a/"] == {}
    assert listed["key_info"]["x"] == await kv.metadata("list/x")
    paged = await kv.ok(LIST, "detailed-metadata/list/", after="a/")
    assert paged["keys"] == ["x"] and list(paged["key_info"]) == ["x"]
    assert isinstance(await kv.fails(LIST, "detailed-metadata/nothing/"), NotFound)


async def test_config_read_and_write(kv: KV) -> None:
    defaults = {"cas_required": False, "delete_version_after": "0s", "max_versions": 0}
    assert await kv.ok(READ, "config") == defaults
    await kv.none(UPDATE, "config", max_versions=5, cas_required="true", delete_version_after="90m")
    assert await kv.ok(READ, "config") == {
        "cas_required": True,
        "delete_version_after": "1h30m0s",
        "max_versions": 5,
    }
    await kv.none(UPDATE, "config", delete_version_after=-5)
    assert (await kv.ok(READ, "config"))["delete_version_after"] == "-1s"
    await kv.none(UPDATE, "config", delete_version_after=None, max_versions=0)
    assert (await kv.ok(READ, "config"))["delete_version_after"] == "0s"
    await kv.none(UPDATE, "config")
    assert (await kv.ok(READ, "config"))["cas_required"] is True


async def test_config_errors(kv: KV) -> None:
    assert (await kv.fails(UPDATE, "config", max_versions=-1)).status == 400
    assert (await kv.fails(UPDATE, "config", max_versions="abc")).status == 400
    assert (await kv.fails(UPDATE, "config", delete_version_after="soon")).status == 400
    assert (await kv.fails(UPDATE, "config", delete_version_after=True)).status == 400
    assert (await kv.fails(UPDATE, "config", cas_required="maybe")).status == 400
