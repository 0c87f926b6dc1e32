"""KV version 1: documents replaced on write, advisory `ttl`, paginated lists."""

from __future__ import annotations

from kv_helpers import KV

from strongroom.errors import InvalidParameter, NotFound
from strongroom.logical import Operation

READ, UPDATE, DELETE, LIST = Operation.READ, Operation.UPDATE, Operation.DELETE, Operation.LIST


async def test_write_read_replace_delete(kv1: KV) -> None:
    await kv1.none(UPDATE, "app/db", user="u", port=5432)
    assert await kv1.ok(READ, "app/db") == {"user": "u", "port": 5432}
    await kv1.none(UPDATE, "app/db", user="v")
    assert await kv1.ok(READ, "app/db") == {"user": "v"}
    await kv1.none(DELETE, "app/db")
    assert isinstance(await kv1.fails(READ, "app/db"), NotFound)
    await kv1.none(DELETE, "app/db")


async def test_ttl_is_advisory(kv1: KV) -> None:
    await kv1.none(UPDATE, "a", v=1, ttl="1h")
    response = await kv1(READ, "a")
    assert response is not None and response.advisory_ttl == 3600 and response.secret is None
    bad = await kv1.fails(UPDATE, "a", v=1, ttl="soon")
    assert isinstance(bad, InvalidParameter) and "soon" not in bad.message


async def test_write_needs_data_and_a_path(kv1: KV) -> None:
    assert (await kv1.fails(UPDATE, "a")).message == "missing data fields"
    assert (await kv1.fails(UPDATE, "dir/", v=1)).status == 400


async def test_list_with_after_and_limit(kv1: KV) -> None:
    for key in ("a", "b/c", "d", "e"):
        await kv1.none(UPDATE, key, v=1)
    assert (await kv1.ok(LIST, ""))["keys"] == ["a", "b/", "d", "e"]
    assert (await kv1.ok(LIST, "", after="a", limit=2))["keys"] == ["b/", "d"]
    assert (await kv1.ok(LIST, "", limit="-1"))["keys"] == ["a", "b/", "d", "e"]
    assert (await kv1.ok(LIST, "b/"))["keys"] == ["c"]
    assert isinstance(await kv1.fails(LIST, "", after="e"), NotFound)
    assert isinstance(await kv1.fails(LIST, "nothing/"), NotFound)


async def test_a_write_creates_only_when_absent(kv1: KV) -> None:
    from strongroom.logical import Request

    assert await kv1.backend.exists(Request(UPDATE, "a", {"v": 1})) is False
    await kv1.none(UPDATE, "a", v=1)
    assert await kv1.backend.exists(Request(UPDATE, "a", {"v": 1})) is True
