"""`strongroom login -method=userpass|approle` against a scripted server.

The requests are the vault CLI's (`PUT auth/<mount>/login/<username>` with the password,
`PUT auth/<mount>/login` with the role and secret IDs, no token sent); the password is never
in any output, whatever goes wrong.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_cli_access_commands import ScriptedServer, envelope

from strongroom.cli import command
from strongroom.cli.client import Client, ClientSettings
from strongroom.cli.main import main

PASSWORD = "correct-horse-battery"
LOGIN_AUTH = {
    "client_token": "hvs.alice",
    "accessor": "acc",
    "policies": ["default", "dev"],
    "token_policies": ["default", "dev"],
    "metadata": {"username": "alice"},
    "lease_duration": 1800,
    "renewable": True,
}


@pytest.fixture(name="server")
def scripted_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ScriptedServer:
    """A scripted server; a stale token waits in the token helper file, none in the env."""
    scripted = ScriptedServer()

    def client(settings: ClientSettings, *, wrap_ttl: str | None = None) -> Client:
        return Client(settings, wrap_ttl=wrap_ttl, transport=httpx.MockTransport(scripted))

    monkeypatch.setattr(command, "Client", client)
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("VAULT_TOKEN", "STRONGROOM_ADDR", "STRONGROOM_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VAULT_ADDR", "https://sr.test")
    (tmp_path / ".vault-token").write_text("hvs.stale")
    return scripted


def stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))  # not a terminal


def logged_in(**auth: Any) -> dict[str, Any]:
    return envelope(auth={**LOGIN_AUTH, **auth})


def test_userpass_reads_the_password_from_stdin_and_stores_the_token(
    server: ScriptedServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server.answers["PUT", "auth/userpass/login/alice"] = logged_in()
    stdin(monkeypatch, PASSWORD + "\n")
    assert main(["login", "-method=userpass", "username=alice"]) == 0
    assert server.body() == {"password": PASSWORD}
    assert server.requests[-1].headers["X-Vault-Token"] == ""  # not the stored token
    assert (tmp_path / ".vault-token").read_text() == "hvs.alice"
    captured = capsys.readouterr()
    assert captured.out.startswith("Success! You are now authenticated. The token information")
    rows = dict(line.split(None, 1) for line in captured.out.split("\n\n", 1)[1].splitlines())
    assert (rows["token"], rows["token_duration"], rows["token_renewable"]) == (
        "hvs.alice",
        "30m",
        "true",
    )
    assert (rows["policies"], rows["token_meta_username"]) == ('["default" "dev"]', "alice")
    assert PASSWORD not in captured.out + captured.err


def test_userpass_prompts_without_echo_on_a_terminal(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prompts: list[str] = []

    def getpass(prompt: str) -> str:
        prompts.append(prompt)
        return PASSWORD

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr(command.getpass, "getpass", getpass)
    server.answers["PUT", "auth/people/login/bob"] = logged_in()
    assert main(["login", "-method=userpass", "-path=people/", "-format=json", "username=bob"]) == 0
    assert prompts == ["Password (will be hidden): "]
    assert server.body() == {"password": PASSWORD}
    document = json.loads(capsys.readouterr().out)
    assert document["auth"]["client_token"] == "hvs.alice" and document["request_id"] == "r"

    def cancelled(prompt: str) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(command.getpass, "getpass", cancelled)
    assert main(["login", "-method=userpass", "username=bob"]) == 1
    assert "user canceled" in capsys.readouterr().err


def test_approle_logs_in_with_role_and_secret_ids(
    server: ScriptedServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server.answers["PUT", "auth/approle/login"] = logged_in(client_token="hvs.app")
    argv = ["login", "-method=approle"]
    assert main([*argv, "-token-only", "role_id=r-1", "secret_id=s-1"]) == 0
    assert server.body() == {"role_id": "r-1", "secret_id": "s-1"}
    assert capsys.readouterr().out == "hvs.app"
    assert (tmp_path / ".vault-token").read_text() == "hvs.stale"  # -token-only stores nothing

    stdin(monkeypatch, "s-2")
    assert main([*argv, "-field=token_accessor", "role_id=r-1", "secret_id=-"]) == 0
    assert server.body()["secret_id"] == "s-2"
    assert capsys.readouterr().out == "acc"
    assert (tmp_path / ".vault-token").read_text() == "hvs.app"

    server.answers["PUT", "auth/machines/login"] = logged_in()
    # `mount=…` names the mount too, as for `bao login`.
    assert main([*argv, "-no-store", "role_id=r-1", "mount=machines"]) == 0
    assert server.body() == {"role_id": "r-1"}  # bind_secret_id=false roles need no secret ID
    captured = capsys.readouterr()
    assert captured.out.startswith("Success! You are now authenticated.\n\n")
    assert "not stored in the token helper" in captured.err


def test_a_wrong_password_is_a_server_error_that_never_shows_the_password(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server.answers["PUT", "auth/userpass/login/alice"] = lambda request: httpx.Response(
        400, json={"errors": ["invalid username or password"]}
    )
    assert main(["login", "-method=userpass", "username=alice", f"password={PASSWORD}"]) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        "Error authenticating: Error making API request.\n\n"
        "URL: PUT https://sr.test/v1/auth/userpass/login/alice\n"
        "Code: 400. Errors:\n\n* invalid username or password\n"
    )
    assert captured.out == ""
    # A password given without its key is not repeated in the usage error either.
    assert main(["login", "-method=userpass", "username=alice", PASSWORD]) == 1
    captured = capsys.readouterr()
    assert "Error parsing configuration" in captured.err
    assert PASSWORD not in captured.out + captured.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-method=github"], "Unknown auth method: github. Supported methods: token, userpass"),
        (["-method=userpass"], "Error authenticating: 'username' must be specified"),
        (["-method=approle", "secret_id=s"], "'role_id' must be specified"),
        (["-method=userpass", "username=a"], "Missing password"),  # stdin is empty
        (["-method=userpass", "username=a", "username=b"], "username must be one string"),
        (["-method=userpass", "-no-store", "-no-print", "username=a"], "cannot be used together"),
    ],
)
def test_usage_errors(
    server: ScriptedServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    stdin(monkeypatch, "")
    assert main(["login", *argv]) == 1
    assert message in capsys.readouterr().err
    assert server.requests == []


def test_answers_without_a_token(
    server: ScriptedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["login", "-method=approle", "role_id=r"]
    server.answers["PUT", "auth/approle/login"] = envelope(data={"not": "a login"})
    assert main(argv) == 2
    assert "has no authentication information" in capsys.readouterr().err
    server.answers["PUT", "auth/approle/login"] = lambda request: httpx.Response(200, text="?")
    assert main(argv) == 2
    assert "without a JSON object" in capsys.readouterr().err
    assert (tmp_path / ".vault-token").read_text() == "hvs.stale"


def test_the_token_method_still_takes_a_bare_token(
    server: ScriptedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.answers["GET", "auth/token/lookup-self"] = envelope(data={"id": "hvs.me"})
    assert main(["login", "-method=token/", "-field=token", "hvs.me"]) == 0
    assert server.requests[-1].headers["X-Vault-Token"] == "hvs.me"
    assert capsys.readouterr().out == "hvs.me"
    assert main(["login", "token=hvs.me"]) == 0
    assert (tmp_path / ".vault-token").read_text() == "hvs.me"
