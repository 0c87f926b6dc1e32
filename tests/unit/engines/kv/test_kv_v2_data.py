"""KV version 2 `data/<path>`: read, write, patch, soft delete, check-and-set."""

from __future__ import annotations

import pytest
from kv_helpers import KV, START_TEXT, rfc

from strongroom.engines.kv.v2.params import (
    CheckAndSetMismatch,
    CheckAndSetRequired,
    InvalidCheckAndSet,
)
from strongroom.errors import InvalidParameter, NotFound, UnsupportedOperation
from strongroom.logical import Operation

READ, UPDATE, PATCH, DELETE, LIST = (
    Operation.READ,
    Operation.UPDATE,
    Operation.PATCH,
    Operation.DELETE,
    Operation.LIST,
)


def version_metadata(
    version: int, created: str = START_TEXT, **changes: object
) -> dict[str, object]:
    return {
        "created_time": created,
        "custom_metadata": None,
        "deletion_time": "",
        "destroyed": False,
        "version": version,
        **changes,
    }


async def test_write_then_read_has_vaults_shapes(kv: KV) -> None:
    written = await kv.put("app/db", {"user": "u", "nested": {"port": 5432}})
    assert written == version_metadata(1)
    assert await kv.read("app/db") == {
        "data": {"user": "u", "nested": {"port": 5432}},
        "metadata": version_metadata(1),
    }


async def test_each_write_is_a_new_version_and_old_ones_stay_readable(kv: KV) -> None:
    await kv.put("a", {"n": 1})
    kv.clock.advance(1.5)
    assert (await kv.put("a", {"n": 2}))["version"] == 2
    assert (await kv.read("a"))["data"] == {"n": 2}
    old = await kv.read("a", version="1")
    assert old == {"data": {"n": 1}, "metadata": version_metadata(1)}
    assert (await kv.read("a", version=0))["metadata"] == version_metadata(2, rfc(1.5))
    assert (await kv.read("a", version=-1))["metadata"]["version"] == 2


async def test_times_have_nanoseconds_trimmed_like_go(kv: KV) -> None:
    kv.clock.advance(0.125)
    assert (await kv.put("a", {"n": 1}))["created_time"] == "2027-01-15T08:00:00.125Z"


async def test_missing_secret_or_version_is_a_plain_404(kv: KV) -> None:
    assert (await kv.fails(READ, "data/nothing")).errors == []
    await kv.put("a", {"n": 1})
    assert isinstance(await kv.fails(READ, "data/a", version=7), NotFound)
    assert isinstance(await kv.fails(READ, "data/"), NotFound)
    assert isinstance(await kv.fails(READ, "data/folder/"), NotFound)


async def test_write_needs_a_data_object(kv: KV) -> None:
    missing = await kv.fails(UPDATE, "data/a")
    assert isinstance(missing, InvalidParameter) and missing.message == "no data provided"
    wrong = await kv.fails(UPDATE, "data/a", data="my-password")
    assert "my-password" not in wrong.message and "'data'" in wrong.message
    folder = await kv.fails(UPDATE, "data/dir/", data={"a": 1})
    assert folder.message == "cannot write to a path ending in '/'"
    assert (await kv.fails(UPDATE, "data/a", data={}, options="x")).status == 400
    assert (await kv.fails(READ, "data/a", version="abc")).status == 400


async def test_empty_data_is_a_valid_version(kv: KV) -> None:
    await kv.put("empty", {})
    assert (await kv.read("empty"))["data"] == {}


async def test_check_and_set(kv: KV) -> None:
    assert isinstance(
        await kv.fails(UPDATE, "data/a", data={}, options={"cas": 1}), CheckAndSetMismatch
    )
    assert (await kv.put("a", {"n": 1}, cas=0))["version"] == 1
    mismatch = await kv.fails(UPDATE, "data/a", data={"n": 2}, options={"cas": 0})
    assert mismatch.status == 400
    assert mismatch.message == "check-and-set parameter did not match the current version"
    assert (await kv.put("a", {"n": 2}, cas=1))["version"] == 2
    assert (await kv.put("a", {"n": 3}, cas="2"))["version"] == 3
    # A null cas counts as 0, as in Vault.
    assert isinstance(
        await kv.fails(UPDATE, "data/a", data={}, options={"cas": None}), CheckAndSetMismatch
    )
    bad = await kv.fails(UPDATE, "data/a", data={}, options={"cas": "three"})
    assert isinstance(bad, InvalidCheckAndSet) and "three" not in bad.message
    assert (await kv.read("a"))["data"] == {"n": 3}


async def test_cas_required_by_the_mount_or_by_the_secret(kv: KV) -> None:
    await kv.none(UPDATE, "config", cas_required=True)
    required = await kv.fails(UPDATE, "data/a", data={"n": 1})
    assert isinstance(required, CheckAndSetRequired)
    assert required.message == "check-and-set parameter required for this call"
    await kv.put("a", {"n": 1}, cas=0)
    await kv.none(UPDATE, "config", cas_required=False)
    await kv.put("b", {"n": 1})
    await kv.none(UPDATE, "metadata/b", cas_required=True)
    assert isinstance(await kv.fails(UPDATE, "data/b", data={"n": 2}), CheckAndSetRequired)
    assert isinstance(await kv.fails(PATCH, "data/b", data={"n": 2}), CheckAndSetRequired)
    await kv.put("b", {"n": 2}, cas=1)
    await kv.put("a", {"n": 2})  # the other secret is not affected


async def test_soft_delete_of_the_latest_version_reads_as_404_with_metadata(kv: KV) -> None:
    await kv.put("a", {"n": 1})
    await kv.put("a", {"n": 2})
    kv.clock.advance(2)
    await kv.none(DELETE, "data/a")
    response = await kv(READ, "data/a")
    assert response is not None and response.status == 404
    assert response.data == {"data": None, "metadata": version_metadata(2, deletion_time=rfc(2))}
    assert (await kv.read("a", version=1))["data"] == {"n": 1}
    # Deleting again keeps the first deletion time; deleting what is absent is fine.
    kv.clock.advance(5)
    await kv.none(DELETE, "data/a")
    assert (await kv.metadata("a"))["versions"]["2"]["deletion_time"] == rfc(2)
    await kv.none(DELETE, "data/nothing")
    await kv.none(DELETE, "data/")


async def test_a_write_after_a_delete_makes_a_new_readable_version(kv: KV) -> None:
    await kv.put("a", {"n": 1})
    await kv.none(DELETE, "data/a")
    assert (await kv.put("a", {"n": 2}, cas=1))["version"] == 2
    assert (await kv.read("a"))["data"] == {"n": 2}


async def test_patch_is_a_json_merge_patch_of_the_current_version(kv: KV) -> None:
    await kv.put("p", {"a": 1, "b": {"c": 1, "d": 2}, "e": [1, 2]})
    kv.clock.advance(1)
    patch = {"a": None, "b": {"c": None, "x": 3}, "e": [3], "n": {"m": None}}
    assert await kv.ok(PATCH, "data/p", data=patch) == version_metadata(2, rfc(1))
    assert (await kv.read("p"))["data"] == {"b": {"d": 2, "x": 3}, "e": [3], "n": {}}
    assert (await kv.read("p", version=1))["data"]["a"] == 1
    assert (await kv.ok(PATCH, "data/p", data={}, options={"cas": 2}))["version"] == 3
    assert isinstance(
        await kv.fails(PATCH, "data/p", data={"a": 1}, options={"cas": 1}), CheckAndSetMismatch
    )


async def test_patch_needs_existing_readable_data(kv: KV) -> None:
    assert (await kv.fails(PATCH, "data/p")).message == "no data provided"
    assert await kv.status(PATCH, "data/nothing", data={"a": 1}) == (404, None)
    await kv.none(UPDATE, "metadata/only-settings", max_versions=3)
    assert await kv.status(PATCH, "data/only-settings", data={"a": 1}) == (404, None)
    await kv.put("p", {"a": 1})
    await kv.none(DELETE, "data/p")
    status, body = await kv.status(PATCH, "data/p", data={"a": 2})
    assert status == 404 and body == version_metadata(1, deletion_time=START_TEXT)
    await kv.none(UPDATE, "destroy/p", versions=[1])
    status, body = await kv.status(PATCH, "data/p", data={"a": 2})
    assert (status, body["destroyed"]) == (404, True)


async def test_existence_check_decides_create_or_update(kv: KV) -> None:
    from strongroom.logical import Request

    request = Request(UPDATE, "data/a", {"data": {}})
    assert await kv.backend.exists(request) is False
    await kv.put("a", {})
    assert await kv.backend.exists(request) is True
    assert await kv.backend.exists(Request(UPDATE, "metadata/a", {})) is True
    assert await kv.backend.exists(Request(UPDATE, "metadata/", {})) is False


async def test_v1_style_paths_get_a_404_with_a_hint(kv: KV) -> None:
    status, _ = await kv.status(READ, "secret-name")
    assert status == 404
    response = await kv(UPDATE, "secret-name", {"a": 1})
    assert response is not None and response.status == 404
    assert "use 'kv put'" in response.warnings[0]
    response = await kv(LIST, "")
    assert response is not None and "use 'kv list'" in response.warnings[0]
    response = await kv(READ, "data")
    assert response is not None and response.status == 404
    assert response.warnings == [
        "Non-listing operations on the root of a K/V v2 mount are not supported."
    ]
    response = await kv(READ, "config/x")
    assert response is not None and response.status == 404


async def test_unsupported_operations_are_405(kv: KV) -> None:
    assert isinstance(await kv.fails(DELETE, "config"), UnsupportedOperation)
    assert isinstance(await kv.fails(LIST, "data/"), UnsupportedOperation)
    assert isinstance(await kv.fails(READ, "delete/a"), UnsupportedOperation)


@pytest.mark.parametrize("path", ["data/a", "metadata/a", "subkeys/a"])
async def test_reads_never_create_anything(kv: KV, path: str) -> None:
    await kv.status(READ, path)
    assert await kv.storage.list("") == []
