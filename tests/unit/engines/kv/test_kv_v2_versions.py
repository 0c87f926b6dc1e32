"""KV version 2 version lifecycle: delete/undelete/destroy, pruning, delete_version_after."""

from __future__ import annotations

from kv_helpers import KV, START_TEXT, rfc

from strongroom.engines.kv.v2.store import version_key
from strongroom.logical import Operation

READ, UPDATE, DELETE = Operation.READ, Operation.UPDATE, Operation.DELETE


async def three_versions(kv: KV, path: str = "a") -> None:
    for n in (1, 2, 3):
        await kv.put(path, {"n": n})


async def versions(kv: KV, path: str = "a") -> dict[str, dict[str, object]]:
    result: dict[str, dict[str, object]] = (await kv.metadata(path))["versions"]
    return result


async def test_delete_and_undelete_chosen_versions(kv: KV) -> None:
    await three_versions(kv)
    kv.clock.advance(10)
    await kv.none(UPDATE, "delete/a", versions=[1, 3, 99])
    listed = await versions(kv)
    assert [listed[n]["deletion_time"] for n in ("1", "2", "3")] == [rfc(10), "", rfc(10)]
    assert (await kv.status(READ, "data/a"))[0] == 404
    await kv.none(UPDATE, "undelete/a", versions="3,1")
    assert (await kv.read("a"))["data"] == {"n": 3}
    assert all(v["deletion_time"] == "" for v in (await versions(kv)).values())


async def test_destroy_erases_the_data_for_good(kv: KV) -> None:
    await three_versions(kv)
    await kv.none(UPDATE, "destroy/a", versions=["2"])
    assert await kv.storage.get("versions/a/2") is None
    assert await kv.storage.get("versions/a/1") is not None
    status, body = await kv.status(READ, "data/a", version=2)
    assert status == 404 and body["data"] is None and body["metadata"]["destroyed"] is True
    # A destroyed version can be neither undeleted nor deleted.
    await kv.none(UPDATE, "undelete/a", versions=[2])
    await kv.none(UPDATE, "delete/a", versions=[2])
    assert (await versions(kv))["2"] == {
        "created_time": START_TEXT,
        "deletion_time": "",
        "destroyed": True,
    }


async def test_destroying_a_deleted_version_keeps_its_deletion_time(kv: KV) -> None:
    await kv.put("a", {"n": 1})
    await kv.none(DELETE, "data/a")
    await kv.none(UPDATE, "destroy/a", versions=[1])
    assert (await versions(kv))["1"]["deletion_time"] == START_TEXT
    await kv.none(DELETE, "data/a")  # the latest version is destroyed: nothing to do


async def test_version_lists_are_required_and_must_be_integers(kv: KV) -> None:
    await kv.put("a", {"n": 1})
    assert (await kv.fails(UPDATE, "delete/a")).message == "No version number provided"
    assert (await kv.fails(UPDATE, "undelete/a", versions=[])).message == (
        "No version number provided"
    )
    assert (await kv.fails(UPDATE, "destroy/a")).message == "no version number provided"
    bad = await kv.fails(UPDATE, "delete/a", versions=["one"])
    assert bad.status == 400 and "one" not in bad.message


async def test_version_changes_on_absent_secrets_succeed_quietly(kv: KV) -> None:
    for name in ("delete", "undelete", "destroy"):
        await kv.none(UPDATE, f"{name}/nothing", versions=[1])
        await kv.none(UPDATE, f"{name}/folder/", versions=[1])
    assert await kv.storage.list("") == []


async def test_old_versions_are_pruned_on_write(kv: KV) -> None:
    await kv.none(UPDATE, "metadata/a", max_versions=2)
    for n in range(1, 6):
        await kv.put("a", {"n": n})
    meta = await kv.metadata("a")
    assert (meta["current_version"], meta["oldest_version"]) == (5, 4)
    assert sorted(meta["versions"]) == ["4", "5"]
    assert await kv.storage.list("versions/a/") == ["4", "5"]
    assert (await kv.status(READ, "data/a", version=3))[0] == 404
    # Raising the limit keeps what is left and lets the window grow again.
    await kv.none(UPDATE, "metadata/a", max_versions=5)
    await kv.put("a", {"n": 6})
    assert sorted((await kv.metadata("a"))["versions"]) == ["4", "5", "6"]


async def test_the_default_is_ten_versions_and_the_larger_setting_wins(kv: KV) -> None:
    for n in range(1, 13):
        await kv.put("a", {"n": n})
    meta = await kv.metadata("a")
    assert (meta["oldest_version"], len(meta["versions"])) == (3, 10)
    await kv.none(UPDATE, "config", max_versions=3)
    await kv.none(UPDATE, "metadata/b", max_versions=5)
    for n in range(1, 8):
        await kv.put("b", {"n": n})
    assert len(await versions(kv, "b")) == 5  # max(5, 3)
    await kv.put("c", {})
    for n in range(4):
        await kv.put("c", {"n": n})
    assert len(await versions(kv, "c")) == 3


async def test_delete_version_after_deletes_lazily_with_time(kv: KV) -> None:
    await kv.none(UPDATE, "config", delete_version_after="1h")
    written = await kv.put("a", {"n": 1})
    assert written["deletion_time"] == rfc(3600)
    assert (await kv.read("a"))["data"] == {"n": 1}
    kv.clock.advance(3599)
    assert (await kv.read("a"))["data"] == {"n": 1}
    kv.clock.advance(1)
    status, body = await kv.status(READ, "data/a")
    assert status == 404 and body["metadata"]["deletion_time"] == rfc(3600)
    # A delete of an already deleted latest version changes nothing.
    await kv.none(DELETE, "data/a")
    assert (await versions(kv))["1"]["deletion_time"] == rfc(3600)
    # Undeleting restarts the clock from now.
    await kv.none(UPDATE, "undelete/a", versions=[1])
    assert (await versions(kv))["1"]["deletion_time"] == rfc(7200)
    assert (await kv.read("a"))["data"] == {"n": 1}


async def test_delete_version_after_uses_the_smaller_setting_or_none_when_disabled(kv: KV) -> None:
    await kv.none(UPDATE, "config", delete_version_after="1h")
    await kv.none(UPDATE, "metadata/a", delete_version_after="10m")
    assert (await kv.put("a", {}))["deletion_time"] == rfc(600)
    await kv.none(UPDATE, "metadata/b", delete_version_after="2h")
    assert (await kv.put("b", {}))["deletion_time"] == rfc(3600)
    await kv.none(UPDATE, "config", delete_version_after="-1s")
    assert (await kv.put("a", {}))["deletion_time"] == ""
    await kv.none(UPDATE, "config", delete_version_after="0s")
    assert (await kv.put("a", {}))["deletion_time"] == rfc(600)
    await kv.none(UPDATE, "undelete/a", versions=[2])
    assert (await versions(kv))["2"]["deletion_time"] == rfc(600)


async def test_a_version_deleted_by_time_can_be_deleted_and_read_by_number(kv: KV) -> None:
    await kv.none(UPDATE, "metadata/a", delete_version_after="30s")
    await kv.put("a", {"n": 1})
    await kv.put("a", {"n": 2})
    # Deleting before the time sets the deletion to now.
    kv.clock.advance(10)
    await kv.none(UPDATE, "delete/a", versions=[1])
    assert (await versions(kv))["1"]["deletion_time"] == rfc(10)
    kv.clock.advance(30)
    await kv.none(UPDATE, "delete/a", versions=[2])
    assert (await versions(kv))["2"]["deletion_time"] == rfc(30)


async def test_version_keys_are_plain_paths(kv: KV) -> None:
    await kv.put("dir/a", {"n": 1})
    assert version_key("dir/a", 1) == "versions/dir/a/1"
    assert await kv.storage.get("versions/dir/a/1") is not None
    assert await kv.storage.list("") == ["metadata/", "versions/"]
