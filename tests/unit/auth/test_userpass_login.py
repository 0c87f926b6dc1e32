"""userpass login: the token asked for, lower-cased names, refusals that all look the same."""

from __future__ import annotations

from dataclasses import replace

from auth_helpers import AuthDriver

from strongroom.auth.userpass.records import UserEntry
from strongroom.errors import InvalidCredentials, InvalidParameter, PermissionDenied


async def test_login_asks_for_the_users_token(userpass: AuthDriver) -> None:
    await userpass.write(
        "users/Bob",
        password="correct horse",
        token_policies="dev,ops",
        token_ttl="1h",
        token_num_uses=3,
        token_bound_cidrs="127.0.0.0/8",
    )
    auth = await userpass.login("login/BOB", password="correct horse")
    assert auth.client_token == ""  # the core mints it
    assert auth.display_name == "bob" and auth.metadata == {"username": "bob"}
    assert auth.token_policies == ["dev", "ops"]
    assert (auth.lease_duration, auth.num_uses, auth.renewable) == (3600, 3, True)
    assert auth.bound_cidrs == ["127.0.0.0/8"] and auth.token_type == "default"


async def test_every_bad_login_is_the_same_400(userpass: AuthDriver) -> None:
    await userpass.write("users/bob", password="right")
    wrong = await userpass.login_error("login/bob", password="wrong")
    missing = await userpass.login_error("login/nobody", password="wrong")
    for error in (wrong, missing):
        assert isinstance(error, InvalidCredentials)
        assert (error.status, error.message) == (400, "invalid username or password")
    error = await userpass.login_error("login/bob")
    assert isinstance(error, InvalidParameter) and error.message == "missing password"


async def test_a_user_without_a_usable_hash_cannot_log_in(userpass: AuthDriver) -> None:
    await userpass.write("users/bob", password="right")
    raw = await userpass.storage.get("user/bob")
    assert raw is not None
    await userpass.storage.put("user/bob", raw.replace(b"$argon2id$", b"$broken$"))
    assert isinstance(await userpass.login_error("login/bob", password="right"), InvalidCredentials)
    empty = replace(UserEntry.deserialize(raw), password_hash="")
    await userpass.storage.put("user/bob", empty.serialize())
    assert isinstance(await userpass.login_error("login/bob", password="right"), InvalidCredentials)


async def test_login_from_outside_the_bound_cidrs_is_refused(userpass: AuthDriver) -> None:
    await userpass.write("users/bob", password="pw", token_bound_cidrs="10.0.0.0/8")
    await userpass.login("login/bob", "10.1.2.3", password="pw")
    error = await userpass.login_error("login/bob", "127.0.0.1", password="pw")
    assert isinstance(error, PermissionDenied)
