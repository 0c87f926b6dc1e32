"""`strongroom kv patch|rollback` and `kv metadata …` against a scripted server.

Outputs and requests are the vault CLI's (checked against `bao` 2.7.2 and its dev server).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from test_cli_access_commands import ScriptedServer, envelope
from test_cli_kv_commands import (
    METADATA,
    METADATA_TABLE,
    T1,
    answer,
    mounted,
    paths,
    run,
    scripted_server,
)

from strongroom.cli.main import build_parser
from strongroom.logical.values import format_duration

__all__ = ["scripted_server"]  # the `server` fixture

MERGE_PATCH = "application/merge-patch+json"
WRITTEN = "== Secret Path ==\nkv2/data/foo\n\n" + METADATA_TABLE


@pytest.fixture
def v2(server: ScriptedServer) -> ScriptedServer:
    """`kv2/foo` on KV version 2, holding `{"a": "1", "c": "3"}` at version 1."""
    mounted(server, "kv2/foo", "kv2/", "2")
    server.answers["GET", "kv2/data/foo"] = envelope(
        data={"data": {"a": "1", "c": "3"}, "metadata": METADATA}
    )
    return server


# -- patch ----------------------------------------------------------------------------------


def test_patch_sends_a_merge_patch(v2: ScriptedServer, capsys: pytest.CaptureFixture[str]) -> None:
    v2.answers["PATCH", "kv2/data/foo"] = envelope(data=METADATA)
    assert run(capsys, "patch", "-remove-data=c", "kv2/foo", "b=2") == (0, WRITTEN, "")
    patch = v2.requests[-1]
    assert patch.headers["Content-Type"] == MERGE_PATCH
    assert v2.body() == {"data": {"b": "2", "c": None}, "options": {}}
    assert run(capsys, "patch", "-cas=1", "-field=version", "kv2/foo", "b=2")[:2] == (0, "1")
    assert v2.body()["options"] == {"cas": 1}
    code, out, _ = run(capsys, "patch", "-format=json", "-method=patch", "kv2/foo", "b=2")
    assert code == 0 and json.loads(out)["data"] == METADATA
    assert "GET kv2/data/foo" not in paths(v2)


@pytest.mark.parametrize("status", [403, 405])
def test_patch_falls_back_to_read_then_write(
    v2: ScriptedServer, capsys: pytest.CaptureFixture[str], status: int
) -> None:
    v2.answers["PATCH", "kv2/data/foo"] = answer(status, {"errors": ["no"]})
    v2.answers["PUT", "kv2/data/foo"] = envelope(data=METADATA)
    code, out, err = run(capsys, "patch", "-cas=9", "-remove-data=c", "kv2/foo", "b=2")
    assert (code, out) == (0, WRITTEN)
    assert v2.body() == {"data": {"a": "1", "b": "2"}, "options": {"cas": 1}}
    assert paths(v2)[-3:] == ["PATCH kv2/data/foo", "GET kv2/data/foo", "PUT kv2/data/foo"]
    recommendation = 'add the "patch" capability to your ACL policy'
    assert (recommendation in err) is (status == 403)


def test_patch_method_patch_does_not_fall_back(
    v2: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    v2.answers["PATCH", "kv2/data/foo"] = answer(405, {"errors": ["unsupported"]})
    code, _, err = run(capsys, "patch", "-method=patch", "kv2/foo", "b=2")
    assert code == 2 and err.startswith("Error writing data to kv2/data/foo: ")
    assert paths(v2)[-1] == "PATCH kv2/data/foo"


def test_patch_read_then_write(v2: ScriptedServer, capsys: pytest.CaptureFixture[str]) -> None:
    v2.answers["PUT", "kv2/data/foo"] = None
    assert run(capsys, "patch", "-method=rw", "-wrap-ttl=1m", "kv2/foo", "c=4") == (
        0,
        "Success! Data written to: kv2/data/foo\n",
        "",
    )
    read, write = v2.requests[-2:]
    assert read.headers["X-Vault-Wrap-TTL"] == "" and write.headers["X-Vault-Wrap-TTL"] == "1m"
    assert v2.body() == {"data": {"a": "1", "c": "4"}, "options": {"cas": 1}}
    v2.answers["PUT", "kv2/data/foo"] = answer(400, {"errors": ["cas mismatch"]})
    code, _, err = run(capsys, "patch", "-method=rw", "kv2/foo", "c=4")
    assert code == 2 and err.startswith("Error writing data to kv2/data/foo: ")


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        (answer(404, {"errors": []}), "No value found at kv2/data/foo"),
        (envelope(data={"data": {}}), "No metadata found at kv2/data/foo; patch only works"),
        (envelope(data={"metadata": 1}), "Metadata found at kv2/data/foo is not the expected"),
        (envelope(data={"metadata": {}}), "No data found at kv2/data/foo; patch only works"),
        (envelope(data={"metadata": {}, "data": 1}), "Data found at kv2/data/foo is not the"),
        (answer(500, {"errors": ["x"]}), "Error doing pre-read at kv2/data/foo: "),
    ],
)
def test_patch_read_then_write_needs_an_existing_secret(
    v2: ScriptedServer, capsys: pytest.CaptureFixture[str], stored: Any, message: str
) -> None:
    v2.answers["GET", "kv2/data/foo"] = stored
    code, _, err = run(capsys, "patch", "-method=rw", "kv2/foo", "b=2")
    assert code == 2 and err.startswith(message)


def test_patch_refusals(v2: ScriptedServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "patch", "kv2/foo") == (1, "", "Must supply data\n")
    assert run(capsys, "patch", "-method=xx", "kv2/foo", "a=1") == (
        2,
        "",
        "Unsupported method provided to -method flag: xx\n",
    )
    mounted(v2, "kv1/foo", "kv1/", None)
    assert run(capsys, "patch", "kv1/foo", "a=1") == (
        2,
        "",
        "K/V engine mount must be version 2 for patch support\n",
    )
    v2.answers["PATCH", "kv2/data/foo"] = lambda request: httpx.Response(404)
    code, _, err = run(capsys, "patch", "kv2/foo", "a=1")
    assert code == 2 and "Code: 404." in err


# -- rollback ---------------------------------------------------------------------------------


def versions_answer(current: dict[str, Any], older: dict[str, Any] | None) -> Any:
    """The latest version, or version 1 when asked for it (None: there is no version 1)."""

    def respond(request: httpx.Request) -> httpx.Response:
        document = older if request.url.params.get("version") == "1" else current
        if document is None:
            return httpx.Response(404, json={"errors": []})
        status = 404 if document["data"] is None else 200
        return httpx.Response(status, json=envelope(data=document))

    return respond


LATEST = {"data": {"a": "3"}, "metadata": {**METADATA, "version": 3}}


def test_rollback_writes_the_old_data_as_new(
    v2: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    v2.answers["GET", "kv2/data/foo"] = versions_answer(
        LATEST, {"data": {"a": "1"}, "metadata": METADATA}
    )
    v2.answers["PUT", "kv2/data/foo"] = envelope(data={**METADATA, "version": 4})
    code, out, _ = run(capsys, "rollback", "-version=1", "kv2/foo")
    assert code == 0 and "version            4" in out and "Secret Path" not in out
    assert v2.body() == {"data": {"a": "1"}, "options": {"cas": 3}}
    assert v2.requests[-2].url.params["version"] == "1"
    assert run(capsys, "rollback", "-version=1", "-field=version", "kv2/foo")[:2] == (0, "4")
    v2.answers["PUT", "kv2/data/foo"] = None
    assert run(capsys, "rollback", "-version=1", "kv2/foo")[1] == (
        "Success! Data written to: kv2/data/foo\n"
    )
    v2.answers["PUT", "kv2/data/foo"] = answer(400, {"errors": ["cas"]})
    code, _, err = run(capsys, "rollback", "-version=1", "kv2/foo")
    assert code == 2 and err.startswith("Error writing data to kv2/data/foo: ")


@pytest.mark.parametrize(
    ("older", "message"),
    [
        ({"data": None, "metadata": {**METADATA, "deletion_time": T1}}, "has been deleted"),
        ({"data": None, "metadata": {**METADATA, "destroyed": True}}, "has been destroyed"),
        ({"data": None, "metadata": None}, "No metadata found at kv2/data/foo; rollback only"),
        (None, "No value found at kv2/data/foo"),
    ],
)
def test_rollback_to_a_gone_version(
    v2: ScriptedServer, capsys: pytest.CaptureFixture[str], older: Any, message: str
) -> None:
    v2.answers["GET", "kv2/data/foo"] = versions_answer(LATEST, older)
    code, _, err = run(capsys, "rollback", "-version=1", "kv2/foo")
    assert code == 2 and message in err
    assert "PUT kv2/data/foo" not in paths(v2)


def test_rollback_refusals(v2: ScriptedServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "rollback", "kv2/foo") == (1, "", "Version flag must be specified\n")
    assert run(capsys, "rollback", "-version=0", "kv2/foo") == (
        1,
        "",
        "Invalid value 0 for the version flag\n",
    )
    mounted(v2, "kv1/foo", "kv1/", None)
    assert run(capsys, "rollback", "-version=1", "kv1/foo") == (
        2,
        "",
        "K/V engine mount must be version 2 for rollback support\n",
    )


# -- metadata ---------------------------------------------------------------------------------

STORED_METADATA = {
    "cas_required": False,
    "created_time": T1,
    "current_version": 2,
    "custom_metadata": {"owner": "me"},
    "delete_version_after": "1h30m0s",
    "max_versions": 0,
    "oldest_version": 0,
    "updated_time": T1,
    "versions": {
        "10": {"created_time": T1, "deletion_time": "", "destroyed": False},
        "2": {"created_time": T1, "deletion_time": T1, "destroyed": True},
    },
}
METADATA_GET = f"""\
= Metadata Path =
kv2/metadata/foo

========== Metadata ==========
Key                     Value
---                     -----
cas_required            false
created_time            {T1}
current_version         2
custom_metadata         map[owner:me]
delete_version_after    1h30m0s
max_versions            0
oldest_version          0
updated_time            {T1}

====== Version 2 ======
Key              Value
---              -----
created_time     {T1}
deletion_time    {T1}
destroyed        true

===== Version 10 =====
Key              Value
---              -----
created_time     {T1}
deletion_time    n/a
destroyed        false
"""


def test_metadata_get(v2: ScriptedServer, capsys: pytest.CaptureFixture[str]) -> None:
    v2.answers["GET", "kv2/metadata/foo"] = envelope(data=STORED_METADATA)
    assert run(capsys, "metadata", "get", "kv2/foo") == (0, METADATA_GET, "")
    code, out, _ = run(capsys, "metadata", "get", "-format=json", "kv2/foo")
    assert code == 0 and json.loads(out)["data"] == STORED_METADATA
    mounted(v2, "kv2", "kv2/", "2")
    assert run(capsys, "metadata", "get", "-mount=kv2", "-field=current_version", "foo")[:2] == (
        0,
        "2",
    )


def test_metadata_get_without_versions_or_anything(
    v2: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    v2.answers["GET", "kv2/metadata/foo"] = envelope(data={"current_version": 0})
    code, out, err = run(capsys, "metadata", "get", "kv2/foo")
    assert (code, err) == (2, "No value found at kv2/metadata/foo\n")
    assert "current_version    0" in out
    v2.answers["GET", "kv2/metadata/foo"] = envelope(data={"versions": {"x": {}}})
    assert run(capsys, "metadata", "get", "kv2/foo")[0] == 2
    del v2.answers["GET", "kv2/metadata/foo"]
    assert run(capsys, "metadata", "get", "kv2/foo") == (
        2,
        "",
        "No value found at kv2/metadata/foo\n",
    )


def test_metadata_put_sends_only_the_flags_given(
    v2: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    v2.answers["PUT", "kv2/metadata/foo"] = None
    flags = ["-max-versions=5", "-cas-required", "-delete-version-after=90m"]
    custom = ["-custom-metadata=owner=me", "-custom-metadata=team=a=b"]
    assert run(capsys, "metadata", "put", *flags, *custom, "kv2/foo") == (
        0,
        "Success! Data written to: kv2/metadata/foo\n",
        "",
    )
    assert v2.body() == {
        "max_versions": 5,
        "cas_required": True,
        "delete_version_after": "1h30m0s",
        "custom_metadata": {"owner": "me", "team": "a=b"},
    }
    assert run(capsys, "metadata", "put", "-format=json", "kv2/foo") == (0, "", "")
    assert v2.body() == {}
    v2.answers["PUT", "kv2/metadata/foo"] = envelope(data={"x": 1})
    assert "x      1" in run(capsys, "metadata", "put", "-cas-required=false", "kv2/foo")[1]
    assert v2.body() == {"cas_required": False}


def test_metadata_patch_always_sends_custom_metadata(
    v2: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    v2.answers["PATCH", "kv2/metadata/foo"] = None
    argv = ["-remove-custom-metadata=team", "-custom-metadata=env=prod", "-max-versions=0"]
    assert run(capsys, "metadata", "patch", *argv, "kv2/foo")[:2] == (
        0,
        "Success! Data written to: kv2/metadata/foo\n",
    )
    assert v2.requests[-1].headers["Content-Type"] == MERGE_PATCH
    assert v2.body() == {"max_versions": 0, "custom_metadata": {"env": "prod", "team": None}}
    assert run(capsys, "metadata", "patch", "-delete-version-after=0", "kv2/foo")[0] == 0
    assert v2.body() == {"delete_version_after": "0s", "custom_metadata": {}}
    v2.answers["PATCH", "kv2/metadata/foo"] = answer(400, {"errors": ["bad"]})
    code, _, err = run(capsys, "metadata", "patch", "kv2/foo")
    assert code == 2 and err.startswith("Error writing data to kv2/metadata/foo: ")


def test_metadata_delete(v2: ScriptedServer, capsys: pytest.CaptureFixture[str]) -> None:
    v2.answers["DELETE", "kv2/metadata/foo"] = None
    done = "Success! Data deleted (if it existed) at: kv2/metadata/foo\n"
    assert run(capsys, "metadata", "delete", "kv2/foo") == (0, done, "")
    assert run(capsys, "metadata", "delete", "-format=json", "kv2/foo") == (0, done, "")
    v2.answers["DELETE", "kv2/metadata/foo"] = answer(403, {"errors": ["permission denied"]})
    code, _, err = run(capsys, "metadata", "delete", "kv2/foo")
    assert code == 2 and err.startswith("Error deleting kv2/metadata/foo: ")


@pytest.mark.parametrize("action", ["get", "put", "patch", "delete"])
def test_metadata_needs_kv_version_2(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str], action: str
) -> None:
    mounted(server, "kv1/foo", "kv1/", "1")
    assert run(capsys, "metadata", action, "kv1/foo") == (
        1,
        "",
        "Metadata not supported on KV Version 1\n",
    )


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ([], None),
        (["-cas-required"], True),
        (["-cas-required=true"], True),
        (["-cas-required=T"], True),
        (["-cas-required=1"], True),
        (["-cas-required=false"], False),
        (["-cas-required=F"], False),
        (["-cas-required", "-cas-required=0"], False),
    ],
)
def test_cas_required_is_a_go_boolean_flag(flags: list[str], expected: bool | None) -> None:
    args = build_parser().parse_args(["kv", "metadata", "put", *flags, "kv2/foo"])
    assert (args.cas_required, args.path) == (expected, "kv2/foo")


@pytest.mark.parametrize(
    "argv",
    [
        ["-cas-required=yes", "kv2/foo"],
        ["-max-versions=x", "kv2/foo"],
        ["-custom-metadata=novalue", "kv2/foo"],
        ["-delete-version-after=soon", "kv2/foo"],
    ],
)
def test_bad_metadata_flags(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "metadata", "put", *argv)[0] == 1


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (59, "59s"),
        (90, "1m30s"),
        (3600, "1h0m0s"),
        (5400, "1h30m0s"),
        (90061, "25h1m1s"),
    ],
)
def test_go_duration(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text
