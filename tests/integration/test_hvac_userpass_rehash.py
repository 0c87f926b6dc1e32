"""A userpass user imported with a bcrypt hash, through hvac against a real server: the first
login upgrades the hash to argon2id, and the user keeps logging in with the same password."""

from __future__ import annotations

from collections.abc import Callable

import bcrypt
import hvac
import pytest
from hvac import exceptions

AsToken = Callable[[str], hvac.Client]


def test_a_bcrypt_user_keeps_logging_in(root_client: hvac.Client, as_token: AsToken) -> None:
    root_client.sys.enable_auth_method("userpass")
    imported = bcrypt.hashpw(b"s3cret", bcrypt.gensalt(5)).decode()
    root_client.auth.userpass.create_or_update_user("bob", password_hash=imported)
    for _ in range(3):  # the first login re-hashes; the hash it stored must verify
        login = as_token("").auth.userpass.login("bob", "s3cret")["auth"]
        assert login["metadata"] == {"username": "bob"}
    with pytest.raises(exceptions.InvalidRequest, match="invalid username or password"):
        as_token("").auth.userpass.login("bob", "wrong")
