"""userpass users: create, read (never the hash), list, update, password and policy changes."""

from __future__ import annotations

import bcrypt
import pytest
from auth_helpers import AuthDriver, D, L, R, U

from strongroom.auth.userpass.records import UserEntry
from strongroom.errors import BadRequest, InvalidParameter, NotFound, UnsupportedPath
from strongroom.physical.inmem import InmemBackend

# Contains "-", which the base64 of an argon2 hash never does: it cannot appear there by chance.
PASSWORD = "correct-horse"


async def stored(storage: InmemBackend, name: str) -> UserEntry:
    raw = await storage.get(f"user/{name}")
    assert raw is not None
    return UserEntry.deserialize(raw)


async def test_create_read_list_delete(userpass: AuthDriver, storage: InmemBackend) -> None:
    await userpass.no_content(
        U, "users/Bob", {"password": PASSWORD, "token_policies": "a,b", "token_ttl": "1h"}
    )
    data = await userpass.read("users/BOB")
    assert data["token_policies"] == ["a", "b"] and data["token_ttl"] == 3600
    assert "password" not in data and "password_hash" not in data
    assert not any("argon2" in str(v) for v in data.values())
    entry = await stored(storage, "bob")
    assert entry.password_hash.startswith("$argon2id$") and PASSWORD not in entry.password_hash
    assert (await userpass.data_of(L, "users", {}))["keys"] == ["bob"]
    await userpass.no_content(D, "users/bob", {})
    assert isinstance(await userpass.fails(R, "users/bob"), NotFound)
    assert isinstance(await userpass.error_of(L, "users", {}), NotFound)
    await userpass.no_content(D, "users/bob", {})  # deleting again is fine


async def test_list_pages_with_after_and_limit(userpass: AuthDriver) -> None:
    for name in ("a", "b", "c"):
        await userpass.write(f"users/{name}", password="pw")
    assert (await userpass.data_of(L, "users", {"after": "a", "limit": 1}))["keys"] == ["b"]


async def test_creation_needs_exactly_one_password_form(userpass: AuthDriver) -> None:
    error = await userpass.fails(U, "users/bob", token_policies="a")
    assert error.message == "must provide either password or password_hash"
    error = await userpass.fails(U, "users/bob", password="x", password_hash=bcrypt_hash("x"))
    assert error.message == "only one of password or password_hash may be provided"


async def test_an_update_keeps_the_password_and_unsent_fields(
    userpass: AuthDriver, storage: InmemBackend
) -> None:
    await userpass.write("users/bob", password="pw", token_ttl=60, token_policies="a")
    before = (await stored(storage, "bob")).password_hash
    await userpass.write("users/bob", token_policies="b")
    after = await stored(storage, "bob")
    assert after.password_hash == before
    assert after.token.token_policies == ("b",) and after.token.token_ttl == 60


async def test_deprecated_fields_are_read_back(userpass: AuthDriver) -> None:
    await userpass.write("users/old", password="pw", policies="x,Y", ttl="1h", max_ttl="2h")
    data = await userpass.read("users/old")
    assert data["policies"] == data["token_policies"] == ["x", "y"]
    assert (data["ttl"], data["max_ttl"]) == (3600, 7200)
    await userpass.write("users/old", token_policies="z")
    data = await userpass.read("users/old")
    assert "policies" not in data and data["token_policies"] == ["z"]


async def test_password_change(userpass: AuthDriver, storage: InmemBackend) -> None:
    await userpass.write("users/bob", password="old")
    before = (await stored(storage, "bob")).password_hash
    await userpass.no_content(U, "users/bob/password", {"password": "new"})
    assert (await stored(storage, "bob")).password_hash != before
    await userpass.login("login/bob", password="new")
    error = await userpass.fails(U, "users/nobody/password", password="x")
    assert isinstance(error, BadRequest) and error.message == "username does not exist"
    error = await userpass.fails(U, "users/bob/password")
    assert error.message == "must provide either password or password_hash"


async def test_policies_update_touches_only_policies(userpass: AuthDriver) -> None:
    await userpass.write("users/bob", password="pw", token_ttl=60, token_policies="a")
    await userpass.no_content(U, "users/bob/policies", {"token_policies": "B,c", "token_ttl": 5})
    data = await userpass.read("users/bob")
    assert data["token_policies"] == ["B", "c"] and data["token_ttl"] == 60
    await userpass.write("users/bob/policies", policies="q")
    data = await userpass.read("users/bob")
    assert data["policies"] == data["token_policies"] == ["q"]
    error = await userpass.fails(U, "users/nobody/policies", policies="q")
    assert error.message == "username does not exist"


async def test_imported_bcrypt_hashes(userpass: AuthDriver, storage: InmemBackend) -> None:
    imported = bcrypt_hash("hunter2")
    await userpass.write("users/erin", password_hash=imported)
    assert (await stored(storage, "erin")).password_hash == imported
    await userpass.login("login/erin", password="hunter2")
    for bad, message in (
        ("not-a-hash", "password_hash is not a valid bcrypt hash"),
        (bcrypt_hash("x", rounds=4), "bcrypt cost is too low, want 5 at minimum"),
        (bcrypt_hash("x", rounds=5).replace("$05$", "$13$"), "exceeds maximum cost of 12"),
    ):
        error = await userpass.fails(U, "users/erin/password", password_hash=bad)
        assert isinstance(error, InvalidParameter) and message in error.message


async def test_names_outside_vaults_pattern_are_not_routed(userpass: AuthDriver) -> None:
    for name in ("a b", "a@b", "-a", "a."):
        with pytest.raises(UnsupportedPath):
            await userpass.write(f"users/{name}", password="x")


def bcrypt_hash(password: str, rounds: int = 5) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()
