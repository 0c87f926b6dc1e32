"""`strongroom kv get|put|delete|undelete|destroy|list` against a scripted server.

The expected outputs are what `bao kv …` (OpenBao 2.7.2) prints for the same answers; the
requests are the ones the vault CLI sends (checked against a real OpenBao dev server).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from test_cli_access_commands import ScriptedServer, envelope

from strongroom.cli import command
from strongroom.cli.client import Client, ClientSettings
from strongroom.cli.kv_command import versions
from strongroom.cli.kv_mount import add_prefix, go_join
from strongroom.cli.kv_view import padded_title, table_title
from strongroom.cli.main import main

T1 = "2026-12-04T22:58:23.665634727Z"
METADATA = {
    "created_time": T1,
    "custom_metadata": None,
    "deletion_time": "",
    "destroyed": False,
    "version": 1,
}
METADATA_TABLE = f"""\
======= Metadata =======
Key                Value
---                -----
created_time       {T1}
custom_metadata    <nil>
deletion_time      n/a
destroyed          false
version            1
"""


@pytest.fixture(name="server")
def scripted_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> ScriptedServer:
    """A scripted server, reached without TLS (the other kv test module imports it)."""
    scripted = ScriptedServer()

    def client(settings: ClientSettings, *, wrap_ttl: str | None = None) -> Client:
        return Client(settings, wrap_ttl=wrap_ttl, transport=httpx.MockTransport(scripted))

    monkeypatch.setattr(command, "Client", client)
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("STRONGROOM_ADDR", "STRONGROOM_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VAULT_ADDR", "https://sr.test")
    monkeypatch.setenv("VAULT_TOKEN", "hvs.root")
    monkeypatch.setenv("VAULT_SKIP_VERIFY", "true")  # no TLS context to build: nothing is sent
    return scripted


def mounted(server: ScriptedServer, path: str, mount: str, version: str | None) -> None:
    options = None if version is None else {"version": version}
    server.answers["GET", f"sys/internal/ui/mounts/{path}"] = envelope(
        data={"path": mount, "type": "kv", "options": options}
    )


def answer(status: int, document: Any = None) -> Any:
    return lambda request: httpx.Response(status, json=document)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["kv", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def paths(server: ScriptedServer) -> list[str]:
    return [f"{r.method} {r.url.path.removeprefix('/v1/')}" for r in server.requests]


# -- paths and titles ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "mount", "prefix", "expected"),
    [
        ("kv2/foo", "kv2/", "data", "kv2/data/foo"),
        ("kv2/a/b/", "kv2/", "metadata", "kv2/metadata/a/b"),
        ("kv2", "kv2/", "metadata", "kv2/metadata"),
        ("kv2/", "kv2/", "data", "kv2/data"),
        ("team/kv/x", "team/kv/", "undelete", "team/kv/undelete/x"),
        ("kv/x", "ns1/kv/", "data", "kv/data/x"),  # a namespace the path leaves out
        ("x", "", "data", "data/x"),
    ],
)
def test_api_paths_are_the_vault_cli_s(path: str, mount: str, prefix: str, expected: str) -> None:
    assert add_prefix(path, mount, prefix) == expected


def test_go_join_cleans_like_go() -> None:
    assert go_join("kv2/", "a//b/", "../c") == "kv2/a/c"
    assert go_join("", "") == ""
    assert go_join("//a") == "/a"


def test_titles_are_padded_to_the_table() -> None:
    assert padded_title("Secret Path", len("kv2/data/foo")) == "== Secret Path =="
    assert padded_title("Metadata Path", len("kv2/metadata/bar")) == "= Metadata Path ="
    assert table_title("Metadata", METADATA) == "======= Metadata ======="
    assert table_title("Data", {"a": 1}) == "== Data =="
    assert table_title("Data", {}) == "== Data =="
    assert table_title("Data", {"a": 1, "ttl": 2}) == "=== Data ==="


def test_versions_flags_are_split_on_commas() -> None:
    assert versions(["1,2", " 3 ", "4,,"]) == ["1", "2", "3", "4"]


# -- the mount lookup -------------------------------------------------------------------------


def test_an_old_server_without_the_lookup_means_kv_version_1(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.answers["GET", "secret/foo"] = envelope(data={"a": "1"})
    assert run(capsys, "get", "secret/foo") == (
        0,
        "== Data ==\nKey    Value\n---    -----\na      1\n",
        "",
    )
    assert paths(server) == ["GET sys/internal/ui/mounts/secret/foo", "GET secret/foo"]


@pytest.mark.parametrize("options", [None, {}, {"version": "1"}, {"version": 2}])
def test_anything_but_version_2_is_version_1(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str], options: Any
) -> None:
    server.answers["GET", "sys/internal/ui/mounts/kv/x"] = envelope(
        data={"path": "kv/", "options": options}
    )
    server.answers["GET", "kv/x"] = envelope(data={"a": "1"})
    assert run(capsys, "get", "-field=a", "kv/x")[:2] == (0, "1")


def test_a_refused_lookup_stops_the_command(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.answers["GET", "sys/internal/ui/mounts/kv2/foo"] = answer(
        403, {"errors": ["permission denied"]}
    )
    code, out, err = run(capsys, "put", "kv2/foo", "a=1")
    assert (code, out) == (2, "")
    assert err == (
        "Error making API request.\n\n"
        "URL: GET https://sr.test/v1/sys/internal/ui/mounts/kv2/foo\n"
        "Code: 403. Errors:\n\n* permission denied\n"
    )
    assert len(server.requests) == 1


def test_the_lookup_is_never_wrapped(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    mounted(server, "kv2/foo", "kv2/", "2")
    wrapped = {"token": "hvs.w", "accessor": "a", "ttl": 300, "creation_path": "kv2/data/foo"}
    server.answers["GET", "kv2/data/foo"] = envelope(wrap_info=wrapped)
    code, out, _ = run(capsys, "get", "-wrap-ttl=5m", "kv2/foo")
    assert code == 0 and "wrapping_token:                  hvs.w" in out
    lookup, read = server.requests
    assert lookup.headers["X-Vault-Wrap-TTL"] == ""
    assert read.headers["X-Vault-Wrap-TTL"] == "5m"


# -- get ------------------------------------------------------------------------------------


def test_get_v2_prints_path_metadata_and_data(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    mounted(server, "kv2/foo", "kv2/", "2")
    server.answers["GET", "kv2/data/foo"] = envelope(
        data={"data": {"a": "1", "b": "2"}, "metadata": METADATA}
    )
    code, out, _ = run(capsys, "get", "kv2/foo")
    assert code == 0
    assert out == (
        "== Secret Path ==\nkv2/data/foo\n\n"
        + METADATA_TABLE
        + "\n== Data ==\nKey    Value\n---    -----\na      1\nb      2\n"
    )
    assert "version" not in server.requests[-1].url.params


def test_get_with_mount_flag_and_version(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    mounted(server, "kv2", "kv2/", "2")
    server.answers["GET", "kv2/data/foo"] = envelope(data={"data": {"a": "1"}, "metadata": {}})
    assert run(capsys, "get", "-mount=kv2", "-version=3", "-field=a", "foo")[:2] == (0, "1")
    assert server.requests[-1].url.params["version"] == "3"


def test_get_v1_prints_only_the_data_table(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    mounted(server, "kv1/foo", "kv1/", None)
    server.answers["GET", "kv1/foo"] = envelope(
        data={"a": "1", "b": "2", "ttl": "1h"}, lease_duration=3600
    )
    code, out, _ = run(capsys, "get", "-version=2", "kv1/foo")
    assert out == "=== Data ===\nKey    Value\n---    -----\na      1\nb      2\nttl    1h\n"
    assert code == 0 and "version" not in server.requests[-1].url.params
    code, out, _ = run(capsys, "get", "-format=json", "kv1/foo")
    assert json.loads(out)["lease_duration"] == 3600
    assert json.loads(out)["data"] == {"a": "1", "b": "2", "ttl": "1h"}


def test_get_of_a_deleted_version_shows_its_metadata(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    mounted(server, "kv2/foo", "kv2/", "2")
    deleted = {**METADATA, "deletion_time": T1}
    server.answers["GET", "kv2/data/foo"] = answer(
        404, envelope(data={"data": None, "metadata": deleted})
    )
    code, out, _ = run(capsys, "get", "kv2/foo")
    assert code == 0
    assert out.endswith(
        f"deletion_time      {T1}\ndestroyed          false\nversion            1\n\n"
    )
    assert "== Data ==" not in out
    code, _, err = run(capsys, "get", "-field=a", "kv2/foo")
    assert (code, err) == (2, "No data found at kv2/data/foo\n")
    code, out, _ = run(capsys, "get", "-format=json", "kv2/foo")
    assert code == 0 and json.loads(out)["data"]["data"] is None


def test_get_of_nothing(server: ScriptedServer, capsys: pytest.CaptureFixture[str]) -> None:
    mounted(server, "kv2/nope", "kv2/", "2")
    server.answers["GET", "kv2/data/nope"] = answer(404, {"errors": []})
    assert run(capsys, "get", "kv2/nope") == (2, "", "No value found at kv2/data/nope\n")
    mounted(server, "kv2/err", "kv2/", "2")
    server.answers["GET", "kv2/data/err"] = answer(500, {"errors": ["boom"]})
    code, _, err = run(capsys, "get", "kv2/err")
    assert code == 2 and err.startswith("Error reading kv2/data/err: Error making API request.")


@pytest.mark.parametrize(
    ("data", "field", "expected"),
    [
        ({"a": "1"}, "a", (0, "1", "")),
        ({"a": "1"}, "zz", (1, "", 'Field "zz" not present in map\n')),
        ({"a": "1"}, "data", (0, "map[a:1]", "")),  # the secret's data itself
        ({"data": "inner"}, "data", (0, "inner", "")),  # a key named "data"
        ({"n": [1, True]}, "n", (0, "[1 true]", "")),
    ],
)
def test_get_field_of_a_v2_secret(
    server: ScriptedServer,
    capsys: pytest.CaptureFixture[str],
    data: dict[str, Any],
    field: str,
    expected: tuple[int, str, str],
) -> None:
    mounted(server, "kv2/foo", "kv2/", "2")
    server.answers["GET", "kv2/data/foo"] = envelope(data={"data": data, "metadata": METADATA})
    assert run(capsys, "get", f"-field={field}", "kv2/foo") == expected


def test_get_field_as_json(server: ScriptedServer, capsys: pytest.CaptureFixture[str]) -> None:
    mounted(server, "kv2/foo", "kv2/", "2")
    server.answers["GET", "kv2/data/foo"] = envelope(data={"data": {"a": "1"}, "metadata": {}})
    code, out, _ = run(capsys, "get", "-format=json", "-field=data", "kv2/foo")
    assert code == 0 and json.loads(out) == {"a": "1"}


def test_get_v1_field_reads_the_secret(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    mounted(server, "kv1/foo", "kv1/", None)
    server.answers["GET", "kv1/foo"] = envelope(data={"a": "1"})
    assert run(capsys, "get", "-field=zz", "kv1/foo") == (
        1,
        "",
        'Field "zz" not present in secret\n',
    )


def test_get_shows_warnings_and_a_metadata_map_of_a_v1_secret(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    mounted(server, "kv1/m", "kv1/", "1")
    server.answers["GET", "kv1/m"] = envelope(
        data={"metadata": {"k": "v"}, "x": "y"}, warnings=["careful"]
    )
    code, out, err = run(capsys, "get", "kv1/m")
    assert code == 0 and "* careful" in err
    assert out.startswith("== Metadata ==\nKey    Value\n---    -----\nk      v\n\n")
    assert "metadata    map[k:v]" in out


# -- put ------------------------------------------------------------------------------------


def test_put_v2_wraps_the_data_and_prints_the_new_version(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    mounted(server, "kv2/foo", "kv2/", "2")
    server.answers["PUT", "kv2/data/foo"] = envelope(data=METADATA)
    code, out, _ = run(capsys, "put", "kv2/foo", "a=1", "b=2")
    assert code == 0
    assert out == "== Secret Path ==\nkv2/data/foo\n\n" + METADATA_TABLE
    assert server.body() == {"data": {"a": "1", "b": "2"}, "options": {}}
    assert run(capsys, "put", "-cas=0", "-field=version", "kv2/foo", "a=1")[:2] == (0, "1")
    assert server.body() == {"data": {"a": "1"}, "options": {"cas": 0}}
    code, out, _ = run(capsys, "put", "-format=json", "kv2/foo", "a=1")
    assert code == 0 and json.loads(out)["data"] == METADATA


def test_put_v1_sends_the_data_as_it_is(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    mounted(server, "kv1/foo", "kv1/", None)
    server.answers["PUT", "kv1/foo"] = None
    assert run(capsys, "put", "-cas=3", "kv1/foo", "a=1") == (
        0,
        "Success! Data written to: kv1/foo\n",
        "",
    )
    assert server.body() == {"a": "1"}
    mounted(server, "kv1", "kv1/", None)
    assert run(capsys, "put", "-format=json", "-mount=kv1", "foo", "a=2") == (0, "", "")


def test_put_refuses_missing_or_bad_data(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "put", "kv2/foo") == (1, "", "Must supply data\n")
    code, _, err = run(capsys, "put", "kv2/foo", "novalue")
    assert code == 1 and err.startswith("Failed to parse K=V data: invalid key/value pair")
    assert not server.requests


def test_put_error_names_the_api_path(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    mounted(server, "kv2/foo", "kv2/", "2")
    message = "check-and-set parameter did not match the current version"
    server.answers["PUT", "kv2/data/foo"] = answer(400, {"errors": [message]})
    code, _, err = run(capsys, "put", "-cas=7", "kv2/foo", "a=1")
    assert code == 2 and err.startswith("Error writing data to kv2/data/foo: ")
    assert message in err


# -- delete, undelete, destroy ------------------------------------------------------------------


def test_delete_latest_versions_and_v1(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    mounted(server, "kv2/foo", "kv2/", "2")
    server.answers["DELETE", "kv2/data/foo"] = None
    server.answers["PUT", "kv2/delete/foo"] = None
    done = "Success! Data deleted (if it existed) at: kv2/data/foo\n"
    assert run(capsys, "delete", "kv2/foo") == (0, done, "")
    assert run(capsys, "delete", "-versions=1,2", "-versions", "3", "kv2/foo") == (0, done, "")
    assert server.body() == {"versions": ["1", "2", "3"]}
    assert run(capsys, "delete", "-format=json", "kv2/foo") == (0, "", "")
    mounted(server, "kv1/foo", "kv1/", None)
    server.answers["DELETE", "kv1/foo"] = None
    assert run(capsys, "delete", "-versions=1", "kv1/foo")[:2] == (
        0,
        "Success! Data deleted (if it existed) at: kv1/foo\n",
    )
    assert paths(server)[-1] == "DELETE kv1/foo"


def test_delete_with_an_answer_shows_it(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    mounted(server, "kv1/foo", "kv1/", None)
    server.answers["DELETE", "kv1/foo"] = envelope(data={"gone": True})
    assert run(capsys, "delete", "-field=gone", "kv1/foo")[:2] == (0, "true")
    server.answers["DELETE", "kv1/foo"] = answer(403, {"errors": ["permission denied"]})
    code, _, err = run(capsys, "delete", "kv1/foo")
    assert code == 2 and err.startswith("Error deleting kv1/foo: ")


@pytest.mark.parametrize(("action", "name"), [("undelete", "Undelete"), ("destroy", "Destroy")])
def test_undelete_and_destroy(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str], action: str, name: str
) -> None:
    mounted(server, "kv2/foo", "kv2/", "2")
    server.answers["PUT", f"kv2/{action}/foo"] = None
    assert run(capsys, action, "-versions=1", "-versions=2,3", "kv2/foo") == (
        0,
        f"Success! Data written to: kv2/{action}/foo\n",
        "",
    )
    assert server.body() == {"versions": ["1", "2", "3"]}
    assert run(capsys, action, "-format=json", "-versions=1", "kv2/foo") == (0, "", "")
    server.answers["PUT", f"kv2/{action}/foo"] = envelope(warnings=["w"])
    code, out, err = run(capsys, action, "-versions=1", "kv2/foo")
    assert (code, out) == (0, "") and "* w" in err
    code, _, err = run(capsys, action, "kv2/foo")
    hint = f'No versions provided, use the "-versions" flag to specify the version to {action}.\n'
    assert (code, err) == (1, hint)
    mounted(server, "kv1/foo", "kv1/", None)
    assert run(capsys, action, "-versions=1", "kv1/foo") == (
        1,
        "",
        f"{name} not supported on KV Version 1\n",
    )
    server.answers["PUT", f"kv2/{action}/foo"] = answer(400, {"errors": ["bad"]})
    code, _, err = run(capsys, action, "-versions=1", "kv2/foo")
    assert code == 2 and err.startswith(f"Error writing data to kv2/{action}/foo: ")


# -- list -----------------------------------------------------------------------------------


def test_list_v2_lists_the_metadata(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    mounted(server, "kv2", "kv2/", "2")
    server.answers["GET", "kv2/metadata"] = envelope(data={"keys": ["foo", "bar", "dir/"]})
    assert run(capsys, "list", "kv2") == (0, "Keys\n----\nbar\ndir/\nfoo\n", "")
    assert server.requests[-1].url.params["list"] == "true"
    assert run(capsys, "list", "-mount=kv2")[:2] == (0, "Keys\n----\nbar\ndir/\nfoo\n")
    code, out, _ = run(capsys, "list", "-format=json", "kv2")
    assert code == 0 and json.loads(out) == ["foo", "bar", "dir/"]


def test_list_of_nothing_and_without_a_path(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "list") == (1, "", "Not enough arguments (expected 1, got 0)\n")
    mounted(server, "kv2/nope", "kv2/", "2")
    assert run(capsys, "list", "kv2/nope") == (2, "", "No value found at kv2/metadata/nope\n")
    assert run(capsys, "list", "-format=json", "kv2/nope") == (2, "{}\n", "")
    mounted(server, "kv1", "kv1/", None)
    server.answers["GET", "kv1/x"] = envelope(data={"keys": ["y"]})
    assert run(capsys, "list", "-mount=kv1", "x") == (0, "Keys\n----\ny\n", "")


# -- answers no server should give ------------------------------------------------------------


def unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused")


def test_an_unreachable_server(server: ScriptedServer, capsys: pytest.CaptureFixture[str]) -> None:
    server.answers["GET", "sys/internal/ui/mounts/kv2/foo"] = unreachable
    assert run(capsys, "get", "kv2/foo") == (
        2,
        "",
        "GET https://sr.test/v1/sys/internal/ui/mounts/kv2/foo: cannot reach the server: "
        "connection refused\n",
    )
    mounted(server, "kv2/foo", "kv2/", "2")
    server.answers["PATCH", "kv2/data/foo"] = unreachable
    code, _, err = run(capsys, "patch", "kv2/foo", "a=1")
    assert code == 2 and err.startswith("Error writing data to kv2/data/foo: PATCH https://")


def test_empty_and_malformed_answers(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.answers["GET", "sys/internal/ui/mounts/kv2/foo"] = None  # 204
    assert run(capsys, "get", "kv2/foo") == (2, "", "nil response from pre-flight request\n")
    mounted(server, "kv2/foo", "kv2/", "2")
    server.answers["GET", "kv2/data/foo"] = lambda request: httpx.Response(200, text="[1]")
    code, _, err = run(capsys, "get", "kv2/foo")
    assert code == 2 and "answered 200 without a JSON object" in err
    server.answers["GET", "kv2/data/foo"] = lambda request: httpx.Response(404, text="gone")
    assert run(capsys, "get", "kv2/foo") == (2, "", "No value found at kv2/data/foo\n")


def test_get_of_an_empty_v1_secret_prints_only_the_title(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    mounted(server, "kv1/empty", "kv1/", None)
    server.answers["GET", "kv1/empty"] = envelope(data={})
    assert run(capsys, "get", "kv1/empty") == (0, "== Data ==\n", "")
