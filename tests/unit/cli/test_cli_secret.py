"""The vault CLI's views of an API response: table rows, JSON document, `-field`, lists."""

from __future__ import annotations

import io
from typing import Any

import pytest

from strongroom.cli.command import CommandFailed
from strongroom.cli.output import Output
from strongroom.cli.secret import (
    field_value,
    go_time,
    print_field,
    print_list,
    print_secret,
    secret_document,
    secret_rows,
)

LEASED = {
    "request_id": "r1",
    "lease_id": "db/creds/app/x1",
    "lease_duration": 5400,
    "renewable": True,
    "data": {"username": "u", "ttl": 60, "max_ttl": "1h", "expire_time": None, "n": [1, 2]},
    "wrap_info": None,
    "warnings": None,
    "auth": None,
    "mount_type": "database",
}
LOGIN = {
    "lease_id": "",
    "lease_duration": 0,
    "data": None,
    "auth": {
        "client_token": "hvs.t",
        "accessor": "acc",
        "policies": ["default", "ops"],
        "token_policies": ["default"],
        "identity_policies": ["ops"],
        "metadata": {"b": "2", "a": "1"},
        "lease_duration": 0,
        "renewable": False,
        "token_type": "service",
    },
}
WRAPPED = {
    "data": None,
    "wrap_info": {
        "token": "hvs.w",
        "accessor": "wa",
        "ttl": 300,
        "creation_time": "2026-01-02T03:04:05.5Z",
        "creation_path": "auth/token/create",
        "wrapped_accessor": "inner",
    },
}


def test_rows_of_a_leased_secret() -> None:
    assert secret_rows(LEASED) == [
        ("lease_id", "db/creds/app/x1"),
        ("lease_duration", "1h30m"),
        ("lease_renewable", True),
        ("expire_time", "<nil>"),
        ("max_ttl", "1h"),  # a string is shown as it is
        ("n", [1, 2]),
        ("ttl", "1m"),
        ("username", "u"),
    ]
    kv = {"lease_duration": 1800, "lease_id": "", "data": {"a": "b"}}
    assert secret_rows(kv) == [("refresh_interval", "30m"), ("a", "b")]


def test_rows_of_a_login_and_of_a_wrapped_response() -> None:
    rows = dict(secret_rows(LOGIN))
    assert (rows["token_duration"], rows["token_policies"], rows["policies"]) == (
        "∞",
        '["default"]',
        '["default" "ops"]',
    )
    assert list(rows)[-2:] == ["token_meta_a", "token_meta_b"]
    wrapped = dict(secret_rows(WRAPPED))
    assert wrapped["wrapping_token_ttl:"] == "5m"
    assert wrapped["wrapping_token_creation_time:"] == "2026-01-02 03:04:05.5 +0000 UTC"
    assert wrapped["wrapped_accessor:"] == "inner"


def test_json_keeps_the_vault_cli_s_fields_in_its_order() -> None:
    document = secret_document(LEASED)
    assert list(document) == [
        "request_id",
        "lease_id",
        "lease_duration",
        "renewable",
        "data",
        "warnings",
    ]
    login = secret_document(LOGIN)
    assert login["request_id"] == "" and "token_type" not in login["auth"]
    assert login["auth"]["mfa_requirement"] is None
    assert secret_document(WRAPPED)["wrap_info"]["token"] == "hvs.w"


@pytest.mark.parametrize(
    ("response", "name", "expected"),
    [
        (LEASED, "lease_id", "db/creds/app/x1"),
        (LEASED, "refresh_interval", 5400),
        (LEASED, "username", "u"),
        (LEASED, "data", LEASED["data"]),
        ({"data": {"data": {"k": "v"}}}, "data", {"k": "v"}),  # KV v2's inner data
        (LOGIN, "token", "hvs.t"),
        (LOGIN, "token_policies", ["default"]),
        (LOGIN, "lease_id", None),  # a login's fields come from `auth`, then `data`
        (WRAPPED, "wrapping_token", "hvs.w"),
        (WRAPPED, "wrapping_token_ttl", 300),
        (WRAPPED, "missing", None),
    ],
)
def test_field_lookup(response: dict[str, Any], name: str, expected: object) -> None:
    assert field_value(response, name) == expected


def test_print_field_raw_json_and_missing() -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    print_field(Output("table", stdout, stderr), LEASED, "n")
    print_field(Output("json", stdout, stderr), LEASED, "n")
    assert stdout.getvalue() == "[1 2][\n  1,\n  2\n]"
    with pytest.raises(CommandFailed, match='Field "nope" not present'):
        print_field(Output("table", stdout, stderr), LEASED, "nope")


def test_tables_lists_and_warnings() -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    out = Output("table", stdout, stderr)
    print_secret(out, {"data": {}, "warnings": ["w " * 50]})
    assert stdout.getvalue() == ""  # nothing to show but the warning
    lines = stderr.getvalue().splitlines()
    assert lines[:2] == ["WARNING! The following warnings were returned from Strongroom:", ""]
    assert lines[2].startswith("  * w w") and all(len(line) <= 78 for line in lines)
    print_list(out, {"data": {"keys": ["b", "a/"]}})
    assert stdout.getvalue() == "Keys\n----\na/\nb\n"
    json_out = io.StringIO()
    print_list(Output("json", json_out), {"data": {"keys": ["b", "a/"]}})
    assert json_out.getvalue() == '[\n  "b",\n  "a/"\n]\n'


def test_go_time() -> None:
    assert go_time("2026-01-02T03:04:05Z") == "2026-01-02 03:04:05 +0000 UTC"
    assert go_time("2026-01-02T04:04:05.123+01:00") == "2026-01-02 03:04:05.123 +0000 UTC"
    assert go_time("2026-01-02T03:04:05") == "2026-01-02 03:04:05 +0000 UTC"
    assert go_time("not a time") == "not a time"
