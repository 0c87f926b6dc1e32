"""The access commands against a scripted server: the requests they send, what they print.

The integration tests run the same commands against a real server; these cover the answers a
real server rarely gives (a remount still running, an empty unwrap, warnings, an unwritable
token helper) and the exact requests behind each flag.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from strongroom.cli import command, secrets_command
from strongroom.cli.client import Client, ClientSettings, store_helper_token
from strongroom.cli.main import main

Answer = dict[str, Any] | None | Callable[[httpx.Request], httpx.Response]


@dataclass
class ScriptedServer:
    """Answers `(method, path)` from a script (200 with JSON, 204 for None); 404 otherwise."""

    answers: dict[tuple[str, str], Answer] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = (request.method, request.url.path.removeprefix("/v1/"))
        if key not in self.answers:
            return httpx.Response(404, json={"errors": []})
        answer = self.answers[key]
        if callable(answer):
            return answer(request)
        return httpx.Response(204) if answer is None else httpx.Response(200, json=answer)

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content or b"null")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ScriptedServer:
    scripted = ScriptedServer()

    def client(settings: ClientSettings, *, wrap_ttl: str | None = None) -> Client:
        return Client(settings, wrap_ttl=wrap_ttl, transport=httpx.MockTransport(scripted))

    monkeypatch.setattr(command, "Client", client)
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("VAULT_ADDR", "VAULT_TOKEN", "STRONGROOM_ADDR", "STRONGROOM_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VAULT_ADDR", "https://sr.test")
    monkeypatch.setenv("VAULT_TOKEN", "hvs.root")
    return scripted


def envelope(**fields: Any) -> dict[str, Any]:
    return {"request_id": "r", "lease_id": "", "lease_duration": 0, "renewable": False, **fields}


def test_token_create_sends_only_the_flags_given(server: ScriptedServer) -> None:
    server.answers["POST", "auth/token/create/ci"] = envelope(auth={"client_token": "hvs.t"})
    argv = ["token", "create", "-role=ci", "-policy=a", "-policy= b", "-metadata=k=v"]
    assert main([*argv, "-ttl=1h", "-period=30m", "-num-uses=2", "-orphan"]) == 0
    assert server.body() == {
        "renewable": True,
        "type": "service",
        "ttl": "1h",
        "period": "30m",
        "num_uses": 2,
        "no_parent": True,
        "policies": ["a", "b"],
        "meta": {"k": "v"},
    }
    server.answers["POST", "auth/token/create"] = envelope(auth={"client_token": "hvb.t"})
    assert main(["token", "create", "-type=batch", "-wrap-ttl=5m"]) == 0
    assert server.body() == {"renewable": False, "type": "batch"}
    assert server.requests[-1].headers["X-Vault-Wrap-TTL"] == "5m"


@pytest.mark.parametrize(
    ("flags", "method", "path", "body"),
    [
        (["t"], "PUT", "auth/token/revoke", {"token": "t"}),
        (["-mode=orphan", "t"], "PUT", "auth/token/revoke-orphan", {"token": "t"}),
        (
            ["-mode=path", "auth/token/create"],
            "PUT",
            "sys/leases/revoke-prefix/auth/token/create",
            None,
        ),
        (["-accessor", "a"], "POST", "auth/token/revoke-accessor", {"accessor": "a"}),
        (["-self"], "PUT", "auth/token/revoke-self", None),
    ],
)
def test_token_revoke_modes(
    server: ScriptedServer, flags: list[str], method: str, path: str, body: Any
) -> None:
    server.answers[method, path] = None
    assert main(["token", "revoke", *flags]) == 0
    assert server.body() == body


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["-self", "t"], "Too many arguments with -self"),
        (["-self", "-accessor"], "Cannot use -self with -accessor"),
        (["-accessor", "-mode=path", "a"], "Cannot use -accessor with -mode=path"),
    ],
)
def test_token_revoke_refuses_contradictions(
    server: ScriptedServer, flags: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "revoke", *flags]) == 1
    assert message in capsys.readouterr().err and not server.requests


def test_token_renew_self_and_lookup_errors(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.answers["PUT", "auth/token/renew-self"] = envelope(
        auth={"client_token": "hvs.root", "lease_duration": 90, "renewable": True}
    )
    assert main(["token", "renew", "-increment=90s"]) == 0
    assert server.body() == {"increment": 90}
    assert "token_duration       1m30s" in capsys.readouterr().out
    assert main(["token", "lookup", "-accessor"]) == 1
    assert "Not enough arguments with -accessor" in capsys.readouterr().err


def test_token_capabilities_edge_cases(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "capabilities", "a", "b", "c"]) == 1
    assert "Too many arguments (expected 1-2, got 3)" in capsys.readouterr().err
    server.answers["POST", "sys/capabilities-self"] = envelope(data={})
    assert main(["token", "capabilities", "hvs.root", "x"]) == 1  # the client's own token
    assert "No capabilities found" in capsys.readouterr().err
    assert server.body() == {"paths": ["x"]}


def test_secrets_move_polls_until_done(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    statuses = iter(["in-progress", "success", "in-progress", "failure"])

    def status(request: httpx.Request) -> httpx.Response:
        info = {"migration_info": {"status": next(statuses)}}
        return httpx.Response(200, json=envelope(data=info))

    sleeps: list[float] = []
    monkeypatch.setattr(secrets_command.time, "sleep", sleeps.append)
    server.answers["PUT", "sys/remount"] = envelope(data={"migration_id": "m1"})
    server.answers["GET", "sys/remount/status/m1"] = status
    assert main(["secrets", "move", "a", "b/"]) == 0
    assert server.body(0) == {"from": "a/", "to": "b/"}
    out = capsys.readouterr().out
    assert "Waiting for terminal status in migration of secrets engine a/ to b/" in out
    assert out.endswith("Success! Finished moving secrets engine a/ to b/, with migration ID m1\n")
    assert sleeps == [secrets_command.FIRST_POLL_SECONDS]
    assert main(["secrets", "move", "a", "b"]) == 2
    assert "Failure! Error encountered moving secrets engine a/ to b/" in capsys.readouterr().err


def test_mount_flags_become_the_request(server: ScriptedServer) -> None:
    server.answers["POST", "sys/auth/corp/"] = None
    argv = ["auth", "enable", "-path=corp", "-token-type=batch", "-local", "-version=2"]
    assert main([*argv, "-passthrough-request-headers=X-A", "-options=a=b", "ldap"]) == 0
    assert server.body() == {
        "type": "ldap",
        "description": "",
        "config": {"token_type": "batch", "passthrough_request_headers": ["X-A"]},
        "local": True,
        "seal_wrap": False,
        "external_entropy_access": False,
        "options": {"a": "b", "version": "2"},
    }
    server.answers["POST", "sys/mounts/kv/tune"] = None
    assert main(["secrets", "tune", "-default-lease-ttl=system", "-description=", "kv"]) == 0
    assert server.body() == {"default_lease_ttl": "system", "description": ""}
    server.answers["POST", "sys/mounts/kv/"] = None
    assert main(["secrets", "enable", "-force-no-cache", "-allowed-response-headers=X", "kv"]) == 0
    assert server.body()["config"] == {"allowed_response_headers": ["X"], "force_no_cache": True}


def test_list_and_unwrap_without_data(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.answers["GET", "kv/warned"] = envelope(data=None, warnings=["nothing to list"])
    assert main(["list", "kv/warned"]) == 0
    assert "* nothing to list" in capsys.readouterr().err
    server.answers["GET", "kv/odd"] = envelope(data={"other": 1})
    assert main(["list", "kv/odd"]) == 2
    assert "No entries found at kv/odd" in capsys.readouterr().err
    server.answers["PUT", "sys/wrapping/unwrap"] = None
    assert main(["unwrap", "hvs.wrapping"]) == 0
    assert server.body() == {"token": "hvs.wrapping"}
    assert capsys.readouterr().out.startswith("Successfully unwrapped. There was no data")


def test_read_and_delete_send_data_as_query_parameters(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.answers["GET", "kv/a"] = envelope(data={"v": 1}, warnings=["careful"])
    assert main(["read", "kv/a", "version=2", "k=x", "k=y"]) == 0
    assert str(server.requests[-1].url.query, "ascii") == "version=2&k=x&k=y"
    captured = capsys.readouterr()
    assert "WARNING! The following warnings were returned from Strongroom:" in captured.err
    server.answers["DELETE", "kv/a"] = envelope(data={"deleted": True})
    assert main(["delete", "-field=deleted", "kv/a", "versions=1"]) == 0
    assert capsys.readouterr().out == "true"
    assert main(["read", "kv/a", "bad"]) == 1
    assert "Failed to parse K=V data" in capsys.readouterr().err


def test_login_without_storing_or_printing(
    server: ScriptedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lookup = {"id": "hvs.me", "policies": ["default"], "meta": {"team": "ops"}, "ttl": 60}
    server.answers["GET", "auth/token/lookup-self"] = envelope(data=lookup)
    assert main(["login", "-no-print", "hvs.me"]) == 0
    assert (tmp_path / ".vault-token").read_text() == "hvs.me"
    assert server.requests[-1].headers["X-Vault-Token"] == "hvs.me"
    captured = capsys.readouterr()
    assert captured.out == "" and "VAULT_TOKEN environment variable is set" in captured.err
    assert main(["login", "-no-store", "-no-print", "hvs.me"]) == 1
    assert main(["login", "-no-store", "hvs.me"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Success! You are now authenticated.\n\n")
    assert "token_meta_team      ops" in out and "token_duration       1m" in out


def test_login_reports_a_token_helper_it_cannot_write(
    server: ScriptedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.answers["GET", "auth/token/lookup-self"] = envelope(data={"id": "hvs.me"})
    (tmp_path / ".vault-token").mkdir()  # a directory cannot be replaced by the token file
    assert main(["login", "hvs.me"]) == 2
    captured = capsys.readouterr()
    assert "Error storing token" in captured.err and "token                hvs.me" in captured.out


def test_the_token_helper_file_is_private_and_replaced_whole(tmp_path: Path) -> None:
    helper = tmp_path / ".vault-token"
    helper.write_text("old-and-longer")
    helper.chmod(0o644)
    (tmp_path / ".vault-token.tmp").write_text("left over")
    assert store_helper_token("hvs.new", tmp_path) == helper
    assert helper.read_text() == "hvs.new"
    assert stat.S_IMODE(helper.stat().st_mode) == 0o600
    assert not (tmp_path / ".vault-token.tmp").exists()


def test_policy_write_of_an_unreadable_file(
    server: ScriptedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["policy", "write", "p", str(tmp_path)]) == 1
    assert "Error opening policy file" in capsys.readouterr().err and not server.requests


def test_policy_fmt_of_a_file_it_cannot_lay_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "p.json"
    policy.write_text('{"path": {"a": {"capabilities": ["read"]}}}')
    assert main(["policy", "fmt", str(policy)]) == 1  # JSON: valid, but not HCL
    assert "Error printing result" in capsys.readouterr().err
    assert policy.read_text() == '{"path": {"a": {"capabilities": ["read"]}}}'
