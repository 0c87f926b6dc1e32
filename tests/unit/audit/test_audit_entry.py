"""Audit entries: Vault's shape, and no secret ever reaches the serialised line."""

from __future__ import annotations

import copy
import json
from typing import Any

import orjson

from strongroom.audit.chain import encoded
from strongroom.audit.entry import (
    AuthInfo,
    EntryHasher,
    request_block,
    request_entry,
    response_block,
    response_entry,
)
from strongroom.audit.hashing import Salt
from strongroom.logical import Auth, Operation, Request, Response, Secret, WrapInfo

SALT = Salt(bytes(range(32)))
TIME = "2026-01-01T00:00:01Z"
TOKEN = "hvs.CAESIJ7xSecretCallerToken"
NEW_TOKEN = "hvs.CAESINewlyIssuedToken"
WRAP_TOKEN = "hvs.CAESIWrappingToken"
ACCESSOR = "accessorCallerXYZ"
SECRETS = ("hunter2", TOKEN, NEW_TOKEN, WRAP_TOKEN, "c2VjcmV0LWJ5dGVz", "secret-bytes")
CALLER = AuthInfo(
    client_token=TOKEN,
    accessor=ACCESSOR,
    display_name="userpass-bob",
    policies=("default", "dev"),
    token_policies=("default", "dev"),
    metadata=(("username", "bob"),),
    entity_id="ent-1",
    token_type="service",
    token_ttl=3600,
    token_issue_time="2026-01-01T00:00:00Z",
    granting_policies=("dev",),
    allowed=True,
)


def make_request() -> Request:
    return Request(
        operation=Operation.UPDATE,
        path="creds",
        data={"password": "hunter2", "ttl": 60, "renew": True, "blob": b"secret-bytes"},
        client_token=TOKEN,
        request_id="req-1",
        remote_address="10.0.0.1",
        headers={"x-vault-wrap-ttl": "60", "x-custom": "hunter2"},
        wrap_ttl=60,
        mount_point="secret/",
        mount_type="kv",
        mount_accessor="kv_123",
        client_token_accessor=ACCESSOR,
    )


def make_response() -> Response:
    return Response(
        data={"password": "hunter2", "count": 2},
        warnings=["careful"],
        auth=Auth(client_token=NEW_TOKEN, accessor="newAccessor", token_policies=["dev"]),
        secret=Secret("creds", ttl=30, lease_id="secret/creds/abc"),
        wrap_info=WrapInfo(WRAP_TOKEN, "wrapAccessor", 60, "2026-01-01T00:00:00Z", "secret/x"),
    )


def options(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "auth": CALLER,
        "error": "",
        "hmac_accessor": True,
        "log_raw": False,
        "non_hmac_keys": frozenset(),
    }
    return base | overrides


def whole_request_entry(
    request: Request,
    *,
    auth: AuthInfo | None,
    error: str,
    hmac_accessor: bool,
    log_raw: bool,
    non_hmac_keys: frozenset[str],
    audited_headers: dict[str, bool] | None = None,
) -> dict[str, Any]:
    """A request entry as a device writes it (blocks encoded as the broker does), read back."""
    hasher = EntryHasher(SALT, hmac_accessor, log_raw)
    block = encoded(request_block(request, hasher, non_hmac_keys, audited_headers or {}))
    entry = request_entry(TIME, hasher.encoded_auth(auth), block, error)
    assert list(entry) == ["time", "type", "auth", "request", "error"]
    parsed: dict[str, Any] = json.loads(orjson.dumps(entry))
    return parsed


def whole_response_entry(
    request: Request,
    response: Response | None,
    *,
    auth: AuthInfo | None,
    error: str,
    hmac_accessor: bool,
    log_raw: bool,
    non_hmac_keys: frozenset[str],
    non_hmac_request_keys: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    hasher = EntryHasher(SALT, hmac_accessor, log_raw)
    logged = encoded(request_block(request, hasher, non_hmac_request_keys, {}))
    block = encoded(response_block(request, response, hasher, non_hmac_keys, elide_list=False))
    entry = response_entry(TIME, hasher.encoded_auth(auth), logged, block, error)
    parsed: dict[str, Any] = json.loads(orjson.dumps(entry))
    return parsed


def serialised(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry).encode()


def assert_no_secrets(line: bytes) -> None:
    for secret in SECRETS:
        assert secret.encode() not in line, secret


def test_request_entry_has_vaults_shape() -> None:
    entry = whole_request_entry(make_request(), **options())
    assert entry["type"] == "request"
    assert set(entry["auth"]) == {
        "client_token", "accessor", "display_name", "policies", "token_policies",
        "identity_policies", "metadata", "entity_id", "token_type", "token_ttl",
        "token_issue_time", "policy_results",
    }  # fmt: skip
    assert entry["auth"]["policy_results"] == {
        "allowed": True,
        "granting_policies": [{"name": "dev", "namespace_id": "root", "type": "acl"}],
    }
    request = entry["request"]
    assert request["path"] == "secret/creds" and request["operation"] == "update"
    assert request["namespace"] == {"id": "root"}
    assert (request["mount_type"], request["mount_accessor"]) == ("kv", "kv_123")
    assert request["data"]["ttl"] == 60 and request["data"]["renew"] is True


def test_request_entry_hashes_tokens_accessors_and_data() -> None:
    entry = whole_request_entry(make_request(), **options())
    assert entry["auth"]["client_token"] == SALT.hash(TOKEN)
    assert entry["auth"]["accessor"] == SALT.hash(ACCESSOR)
    assert entry["request"]["client_token"] == SALT.hash(TOKEN)
    assert entry["request"]["client_token_accessor"] == SALT.hash(ACCESSOR)
    assert entry["request"]["data"]["password"] == SALT.hash("hunter2")
    assert entry["auth"]["display_name"] == "userpass-bob"  # Vault keeps these readable
    assert_no_secrets(serialised(entry))


def test_response_entry_hashes_every_token_and_data() -> None:
    entry = whole_response_entry(make_request(), make_response(), **options())
    response = entry["response"]
    assert response["auth"]["client_token"] == SALT.hash(NEW_TOKEN)
    assert response["auth"]["accessor"] == SALT.hash("newAccessor")
    assert response["wrap_info"]["token"] == SALT.hash(WRAP_TOKEN)
    assert response["wrap_info"]["accessor"] == SALT.hash("wrapAccessor")
    assert response["data"] == {"password": SALT.hash("hunter2"), "count": 2}
    assert response["secret"] == {"lease_id": "secret/creds/abc"}
    assert response["warnings"] == ["careful"]
    assert_no_secrets(serialised(entry))


def test_hmac_accessor_false_keeps_accessors_but_still_hashes_tokens() -> None:
    entry = whole_response_entry(make_request(), make_response(), **options(hmac_accessor=False))
    assert entry["auth"]["accessor"] == ACCESSOR
    assert entry["request"]["client_token_accessor"] == ACCESSOR
    assert entry["response"]["wrap_info"]["accessor"] == "wrapAccessor"
    assert_no_secrets(serialised(entry))


def test_log_raw_disables_hashing_without_touching_the_inputs() -> None:
    request, response = make_request(), make_response()
    before = copy.deepcopy((request, response))
    raw = whole_response_entry(request, response, **options(log_raw=True))
    assert raw["request"]["client_token"] == TOKEN
    assert raw["request"]["data"]["password"] == "hunter2"
    assert raw["response"]["wrap_info"]["token"] == WRAP_TOKEN
    # Another device built from the same objects afterwards still leaks nothing (CVE-2024-0831).
    assert_no_secrets(serialised(whole_response_entry(request, response, **options())))
    assert (request, response) == before


def test_non_hmac_keys_apply_to_top_level_data_keys_only() -> None:
    request = make_request()
    request.data = {"ttl": "1h", "nested": {"ttl": "hunter2"}}
    entry = whole_request_entry(request, **options(non_hmac_keys=frozenset({"ttl"})))
    assert entry["request"]["data"] == {"ttl": "1h", "nested": {"ttl": SALT.hash("hunter2")}}


def test_response_and_request_key_lists_are_separate() -> None:
    entry = whole_response_entry(
        make_request(),
        make_response(),
        **options(non_hmac_keys=frozenset({"count", "password"})),
        non_hmac_request_keys=frozenset({"ttl"}),
    )
    assert entry["response"]["data"]["password"] == "hunter2"
    assert entry["request"]["data"]["password"] == SALT.hash("hunter2")


def test_headers_are_logged_only_when_configured_and_hashed_on_request() -> None:
    request = make_request()
    assert whole_request_entry(request, **options())["request"]["headers"] == {}
    audited = {"x-custom": True, "x-vault-wrap-ttl": False}
    entry = whole_request_entry(request, **options(), audited_headers=audited)
    assert entry["request"]["headers"] == {
        "x-vault-wrap-ttl": ["60"],
        "x-custom": [SALT.hash("hunter2")],
    }


def test_unauthenticated_request_and_missing_response() -> None:
    request = Request(operation=Operation.READ, path="sys/health")
    entry = whole_response_entry(request, None, **options(auth=None, error="permission denied"))
    assert entry["auth"] is None
    assert entry["error"] == "permission denied"
    assert entry["request"]["client_token"] == ""  # empty tokens stay empty, not hash("")
    assert entry["response"] == {
        "mount_type": "",
        "mount_accessor": "",
        "auth": None,
        "secret": None,
        "data": None,
        "warnings": [],
        "wrap_info": None,
    }


def test_a_callers_auth_block_is_encoded_once_and_follows_changes() -> None:
    hasher = EntryHasher(SALT, hmac_accessor=True, log_raw=False)
    first = hasher.encoded_auth(CALLER)
    assert hasher.encoded_auth(CALLER) is first
    renewed = hasher.encoded_auth(CALLER._replace(token_ttl=7200))
    assert renewed is not first
    assert json.loads(orjson.dumps({"auth": renewed}))["auth"]["token_ttl"] == 7200


def test_integers_beyond_64_bits_are_logged_exactly() -> None:
    request = make_request()
    request.data = {"n": 2**70, "password": "hunter2"}
    entry = whole_request_entry(request, **options())
    assert entry["request"]["data"] == {"n": 2**70, "password": SALT.hash("hunter2")}


def test_a_large_auth_block_is_encoded_each_time_not_remembered() -> None:
    hasher = EntryHasher(SALT, hmac_accessor=True, log_raw=False)
    large = CALLER._replace(metadata=(("blob", "\x01" * 8192),))
    assert hasher.encoded_auth(large) is not hasher.encoded_auth(large)
    assert hasher.encoded_auth(CALLER) is hasher.encoded_auth(CALLER)
