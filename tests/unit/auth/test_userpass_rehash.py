"""userpass login upgrades weak password hashes: imported bcrypt and weaker argon2 parameters
become argon2id with the current ones, only after a successful login, never at the cost of the
login itself, and never over a change made in the meantime."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

import argon2
import bcrypt
import pytest
from auth_helpers import AuthDriver, D

from strongroom.auth.userpass import build_userpass_backend
from strongroom.auth.userpass.passwords import Argon2Params, PasswordHasher
from strongroom.auth.userpass.records import UserEntry
from strongroom.errors import InvalidCredentials, PermissionDenied, StorageError
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock

# Cheap parameters all the same; only their order matters here.
WEAKER = Argon2Params(time_cost=1, memory_cost=8, parallelism=1)
CURRENT = Argon2Params(time_cost=2, memory_cost=16, parallelism=1)
STRONGER = Argon2Params(time_cost=3, memory_cost=32, parallelism=1)
PASSWORD = "correct horse"


class RecordingStorage(InmemBackend):
    """In-memory storage that records the keys put, and fails every put while `failing`."""

    def __init__(self) -> None:
        super().__init__()
        self.failing = False
        self.puts: list[str] = []
        self.after_next_get: Callable[[], Awaitable[object]] | None = None

    async def get(self, key: str) -> bytes | None:
        found = await super().get(key)
        after, self.after_next_get = self.after_next_get, None
        if after is not None:
            await after()
        return found

    async def put(self, key: str, value: bytes) -> None:
        if self.failing:
            raise StorageError()
        self.puts.append(key)
        await super().put(key, value)


class InterleavingHasher(PasswordHasher):
    """A hasher that runs `meanwhile` once, right after its next hash: another request that
    lands between a login's re-hash and its write."""

    def __init__(self, params: Argon2Params) -> None:
        super().__init__(params)
        self.meanwhile: Callable[[], Awaitable[object]] | None = None

    async def hash(self, password: str) -> str:
        hashed = await super().hash(password)
        meanwhile, self.meanwhile = self.meanwhile, None
        if meanwhile is not None:
            await meanwhile()
        return hashed


@pytest.fixture
def storage() -> RecordingStorage:
    return RecordingStorage()


@pytest.fixture
def hasher() -> InterleavingHasher:
    return InterleavingHasher(CURRENT)


@pytest.fixture
def userpass(storage: RecordingStorage, hasher: InterleavingHasher, clock: FakeClock) -> AuthDriver:
    return AuthDriver(build_userpass_backend(storage, hasher), storage, clock, "auth/userpass/")


def bcrypt_hash(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(5)).decode()


def argon2_hash(password: str, params: Argon2Params) -> str:
    hasher = argon2.PasswordHasher(
        time_cost=params.time_cost,
        memory_cost=params.memory_cost,
        parallelism=params.parallelism,
    )
    return hasher.hash(password)


async def stored_hash(userpass: AuthDriver, username: str = "bob") -> str:
    raw = await userpass.storage.get(f"user/{username}")
    assert raw is not None
    return UserEntry.deserialize(raw).password_hash


def params_of(password_hash: str) -> Argon2Params:
    found = argon2.extract_parameters(password_hash)
    assert found.type is argon2.Type.ID
    return Argon2Params(found.time_cost, found.memory_cost, found.parallelism)


async def test_a_bcrypt_user_is_upgraded_to_argon2id_on_login(userpass: AuthDriver) -> None:
    imported = bcrypt_hash(PASSWORD)
    await userpass.write("users/bob", password_hash=imported, token_policies="dev")
    auth = await userpass.login("login/bob", password=PASSWORD)
    assert auth.token_policies == ["dev"]
    upgraded = await stored_hash(userpass)
    assert upgraded.startswith("$argon2id$") and params_of(upgraded) == CURRENT
    assert (await userpass.read("users/bob"))["token_policies"] == ["dev"]

    await userpass.login("login/bob", password=PASSWORD)
    assert await stored_hash(userpass) == upgraded  # a current hash stays as it is
    error = await userpass.login_error("login/bob", password="wrong")
    assert isinstance(error, InvalidCredentials)


async def test_a_wrong_password_never_rehashes(
    userpass: AuthDriver, storage: RecordingStorage
) -> None:
    imported = bcrypt_hash(PASSWORD)
    await userpass.write("users/bob", password_hash=imported)
    storage.puts.clear()
    for attempt in ("wrong", PASSWORD.upper(), PASSWORD + " "):
        error = await userpass.login_error("login/bob", password=attempt)
        assert isinstance(error, InvalidCredentials)
    assert storage.puts == [] and await stored_hash(userpass) == imported


async def test_a_login_refused_for_its_address_does_not_rehash(userpass: AuthDriver) -> None:
    imported = bcrypt_hash(PASSWORD)
    await userpass.write("users/bob", password_hash=imported, token_bound_cidrs="10.0.0.0/8")
    error = await userpass.login_error("login/bob", "127.0.0.1", password=PASSWORD)
    assert isinstance(error, PermissionDenied)
    assert await stored_hash(userpass) == imported
    await userpass.login("login/bob", "10.1.2.3", password=PASSWORD)
    assert (await stored_hash(userpass)).startswith("$argon2id$")


async def test_a_failed_rehash_write_does_not_fail_the_login(
    userpass: AuthDriver, storage: RecordingStorage, caplog: pytest.LogCaptureFixture
) -> None:
    imported = bcrypt_hash(PASSWORD)
    await userpass.write("users/bob", password_hash=imported)
    storage.failing = True
    with caplog.at_level(logging.WARNING):
        auth = await userpass.login("login/bob", password=PASSWORD)
    assert auth.metadata == {"username": "bob"}
    [record] = [r for r in caplog.records if r.levelno == logging.WARNING]
    message = record.getMessage()
    assert "StorageError" in message and "auth/userpass/" in message
    for secret in (PASSWORD, imported):
        assert secret not in message
    assert record.exc_info is None

    storage.failing = False
    assert await stored_hash(userpass) == imported
    await userpass.login("login/bob", password=PASSWORD)  # the next login upgrades it
    assert (await stored_hash(userpass)).startswith("$argon2id$")


async def test_weaker_argon2_parameters_are_upgraded(userpass: AuthDriver) -> None:
    await userpass.write("users/bob", password="initial")
    raw = await userpass.storage.get("user/bob")
    assert raw is not None
    weak = replace(UserEntry.deserialize(raw), password_hash=argon2_hash(PASSWORD, WEAKER))
    await userpass.storage.put("user/bob", weak.serialize())
    await userpass.login("login/bob", password=PASSWORD)
    assert params_of(await stored_hash(userpass)) == CURRENT


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (bcrypt_hash(PASSWORD), True),
        (argon2_hash(PASSWORD, WEAKER), True),
        (argon2_hash(PASSWORD, Argon2Params(1, 16, 1)), True),  # fewer passes
        (argon2_hash(PASSWORD, Argon2Params(2, 8, 1)), True),  # less memory
        (argon2_hash(PASSWORD, CURRENT), False),
        (argon2_hash(PASSWORD, STRONGER), False),  # never downgraded
        (argon2_hash(PASSWORD, Argon2Params(2, 16, 2)), False),  # other lanes, same work
    ],
)
def test_which_hashes_need_rehashing(stored: str, expected: bool) -> None:
    assert PasswordHasher(CURRENT).needs_rehash(stored) is expected


def test_argon2i_and_argon2d_hashes_need_rehashing() -> None:
    for kind in (argon2.Type.I, argon2.Type.D):
        other = argon2.PasswordHasher(time_cost=3, memory_cost=32, parallelism=1, type=kind)
        assert PasswordHasher(CURRENT).needs_rehash(other.hash(PASSWORD))


async def test_a_password_changed_during_the_rehash_is_kept(
    userpass: AuthDriver, hasher: InterleavingHasher
) -> None:
    await userpass.write("users/bob", password_hash=bcrypt_hash(PASSWORD))
    hasher.meanwhile = lambda: userpass.write("users/bob", password="changed")
    await userpass.login("login/bob", password=PASSWORD)
    await userpass.login("login/bob", password="changed")
    error = await userpass.login_error("login/bob", password=PASSWORD)
    assert isinstance(error, InvalidCredentials)


async def test_a_user_deleted_during_the_rehash_stays_deleted(
    userpass: AuthDriver, hasher: InterleavingHasher
) -> None:
    await userpass.write("users/bob", password_hash=bcrypt_hash(PASSWORD))
    hasher.meanwhile = lambda: userpass(D, "users/bob")
    await userpass.login("login/bob", password=PASSWORD)
    assert await userpass.storage.get("user/bob") is None


async def test_a_delete_landing_inside_the_upgrade_still_wins(
    userpass: AuthDriver, storage: RecordingStorage, hasher: InterleavingHasher
) -> None:
    await userpass.write("users/bob", password_hash=bcrypt_hash(PASSWORD))
    deleting: list[asyncio.Task[object]] = []

    async def start_delete() -> None:  # between the upgrade's read and its write
        deleting.append(asyncio.ensure_future(userpass(D, "users/bob")))
        await asyncio.sleep(0.01)

    def arm() -> Awaitable[None]:
        storage.after_next_get = start_delete
        return asyncio.sleep(0)

    hasher.meanwhile = arm
    await userpass.login("login/bob", password=PASSWORD)
    await deleting[0]
    assert await storage.get("user/bob") is None
