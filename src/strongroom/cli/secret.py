"""How the vault CLI shows an API response (its `api.Secret`): a table, JSON, one field, a list.

- The table has the lease (or a KV `refresh_interval`), the token of an `auth` block, the
  wrapping token of a wrapped response, then the `data` fields sorted by name; fields named
  like durations (`ttl`, `*_period`, …) read `1h30m`.
- `-format=json` prints the envelope with the fields the vault CLI keeps, in its order.
- `-field=NAME` prints one value bare (no newline when piped), or as JSON with `-format=json`.
- A list response prints its sorted `keys` under a `Keys` header (JSON: just the keys).
Warnings from the server go to stderr before a table, as the vault CLI does.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from strongroom.cli.client import JSONObject
from strongroom.cli.command import EXIT_OK, EXIT_USAGE, CommandFailed
from strongroom.cli.output import (
    NIL,
    WRAP_WIDTH,
    Output,
    Row,
    go_quoted,
    go_value,
    human_duration,
    looks_like_duration,
    render_json,
    wrap,
)

ENVELOPE = ("request_id", "lease_id", "lease_duration", "renewable", "data", "warnings")
AUTH_FIELDS = (
    "client_token",
    "accessor",
    "policies",
    "token_policies",
    "identity_policies",
    "metadata",
    "orphan",
    "entity_id",
    "lease_duration",
    "renewable",
    "mfa_requirement",
)
WRAP_FIELDS = (
    "token",
    "accessor",
    "ttl",
    "creation_time",
    "creation_path",
    "wrapped_accessor",
)
WARNING_INDENT = 2
INFINITY = "∞"  # the vault CLI's token_duration for a token that never expires
# -field names that read the `auth` block, and the `auth` field each one is.
AUTH_FIELD_NAMES = {
    "token": "client_token",
    "token_accessor": "accessor",
    "token_duration": "lease_duration",
    "token_renewable": "renewable",
    "token_policies": "token_policies",
    "identity_policies": "identity_policies",
    "policies": "policies",
}
WRAP_FIELD_NAMES = {
    "wrapping_token": "token",
    "wrapping_accessor": "accessor",
    "wrapping_token_ttl": "ttl",
    "wrapping_token_creation_time": "creation_time",
    "wrapping_token_creation_path": "creation_path",
    "wrapped_accessor": "wrapped_accessor",
}
ENVELOPE_FIELD_NAMES = {
    "lease_duration": "lease_duration",
    "lease_id": "lease_id",
    "request_id": "request_id",
    "renewable": "renewable",
    "refresh_interval": "lease_duration",
}


def secret_document(response: JSONObject) -> JSONObject:
    """The response as the vault CLI's `-format=json` prints it."""
    document = {name: response.get(name) for name in ENVELOPE}
    document["request_id"] = document["request_id"] or ""
    document["lease_id"] = document["lease_id"] or ""
    document["lease_duration"] = document["lease_duration"] or 0
    document["renewable"] = bool(document["renewable"])
    auth, wrap_info = response.get("auth"), response.get("wrap_info")
    if isinstance(auth, dict):
        document["auth"] = {name: auth.get(name) for name in AUTH_FIELDS}
    if isinstance(wrap_info, dict):
        document["wrap_info"] = {name: wrap_info.get(name) for name in WRAP_FIELDS}
    return document


def secret_rows(response: JSONObject) -> list[Row]:
    rows = _lease_rows(response)
    auth, wrap_info = response.get("auth"), response.get("wrap_info")
    if isinstance(auth, dict):
        rows += _auth_rows(auth)
    if isinstance(wrap_info, dict):
        rows += _wrap_rows(wrap_info)
    data = response.get("data")
    if isinstance(data, dict):
        rows += [(key, data_cell(key, data[key])) for key in sorted(data)]
    return rows


def data_cell(key: str, value: object) -> object:
    """A data field's cell: Go's `%v` of it, durations made readable."""
    if looks_like_duration(key):
        value = human_duration(value)
    return NIL if value is None else value


def _lease_rows(response: JSONObject) -> list[Row]:
    duration = response.get("lease_duration") or 0
    if duration <= 0:
        return []
    if not response.get("lease_id"):
        # KV v1 advises a refresh interval through the lease fields, without a lease.
        return [("refresh_interval", human_duration(duration))]
    return [
        ("lease_id", response["lease_id"]),
        ("lease_duration", human_duration(duration)),
        ("lease_renewable", bool(response.get("renewable"))),
    ]


def _auth_rows(auth: JSONObject) -> list[Row]:
    duration = auth.get("lease_duration") or 0
    rows: list[Row] = [
        ("token", auth.get("client_token")),
        ("token_accessor", auth.get("accessor")),
        ("token_duration", human_duration(duration) if duration else INFINITY),
        ("token_renewable", bool(auth.get("renewable"))),
        ("token_policies", go_quoted(auth.get("token_policies"))),
        ("identity_policies", go_quoted(auth.get("identity_policies"))),
        ("policies", go_quoted(auth.get("policies"))),
    ]
    metadata = auth.get("metadata") or {}
    rows += [(f"token_meta_{key}", metadata[key]) for key in sorted(metadata)]
    return rows


def _wrap_rows(wrap_info: JSONObject) -> list[Row]:
    rows: list[Row] = [
        ("wrapping_token:", wrap_info.get("token")),
        ("wrapping_accessor:", wrap_info.get("accessor")),
        ("wrapping_token_ttl:", human_duration(wrap_info.get("ttl") or 0)),
        ("wrapping_token_creation_time:", go_time(wrap_info.get("creation_time"))),
        ("wrapping_token_creation_path:", wrap_info.get("creation_path")),
    ]
    if wrap_info.get("wrapped_accessor"):
        rows.append(("wrapped_accessor:", wrap_info["wrapped_accessor"]))
    return rows


def go_time(timestamp: object) -> object:
    """An RFC 3339 time as Go's `Time.String()` prints it: `2026-01-02 15:04:05.5 +0000 UTC`."""
    try:
        moment = datetime.fromisoformat(str(timestamp))
    except ValueError:
        return timestamp
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    fraction = f".{moment.microsecond:06d}".rstrip("0").rstrip(".")
    return moment.strftime("%Y-%m-%d %H:%M:%S") + fraction + " +0000 UTC"


def field_value(response: JSONObject, name: str) -> Any:
    """`-field=NAME` of a response, looked up as the vault CLI looks it up; None if absent.

    Names like `token` read the `auth` block of a login, `wrapping_token` the `wrap_info` of
    a wrapped response, `lease_id` the envelope of anything else; other names, `data`.
    """
    data = response.get("data")
    data = data if isinstance(data, dict) else {}
    auth, wrap_info = response.get("auth"), response.get("wrap_info")
    if isinstance(auth, dict):
        if name in AUTH_FIELD_NAMES:
            return auth.get(AUTH_FIELD_NAMES[name])
    elif isinstance(wrap_info, dict):
        if name in WRAP_FIELD_NAMES:
            return wrap_info.get(WRAP_FIELD_NAMES[name])
    elif name in ENVELOPE_FIELD_NAMES:
        return response.get(ENVELOPE_FIELD_NAMES[name])
    elif name == "data" and "data" not in data:
        return data
    return data.get(name)


def print_warnings(out: Output, response: JSONObject) -> None:
    warnings = response.get("warnings") or []
    if not warnings:
        return
    out.error("WARNING! The following warnings were returned from Strongroom:\n")
    for warning in warnings:
        lines = wrap(f"* {warning}", WRAP_WIDTH - WARNING_INDENT).splitlines()
        out.error("\n".join(" " * WARNING_INDENT + line for line in lines) + "\n")


def print_secret(out: Output, response: JSONObject) -> None:
    """The response as a table, or as JSON."""
    if not out.is_table:
        out.json(secret_document(response))
        return
    print_warnings(out, response)
    rows = secret_rows(response)
    if rows:
        out.table(rows)


def print_field(out: Output, response: JSONObject, name: str) -> int:
    value = field_value(response, name)
    if value is None:
        raise CommandFailed(f'Field "{name}" not present in secret', EXIT_USAGE)
    if out.is_table:
        print_warnings(out, response)
        out.raw(go_value(value))
    else:
        out.raw(render_json(value))
    return EXIT_OK


def show_secret(out: Output, args: argparse.Namespace, response: JSONObject) -> int:
    """The response, or only its `-field` when the command has that flag and it is set."""
    field = getattr(args, "field", "")
    if field:
        return print_field(out, response, field)
    print_secret(out, response)
    return EXIT_OK


def list_keys(response: JSONObject | None) -> list[str] | None:
    """The `keys` of a list response, or None when it has none."""
    data = (response or {}).get("data")
    keys = data.get("keys") if isinstance(data, dict) else None
    return [str(key) for key in keys] if isinstance(keys, list) else None


def print_list(out: Output, response: JSONObject) -> None:
    keys = list_keys(response) or []
    if not out.is_table:
        out.json(keys)
        return
    print_warnings(out, response)
    if keys:
        out.columns(["Keys"], [[key] for key in sorted(keys)])
