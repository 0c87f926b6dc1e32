"""`strongroom login -method=userpass|approle`, run as a process against a real server.

The methods are set up with hvac; the CLI logs in without any token in its environment, and
later commands find the login's token in the token helper file.
"""

from __future__ import annotations

from pathlib import Path

import hvac
from test_cli import Result
from test_cli_access import cli_for

from strongroom.testing.server import RunningServer

PASSWORD = "tr0ub4dor&3"


def ok(result: Result) -> Result:
    assert result.code == 0, result.stderr
    return result


def test_userpass_login_stores_the_token_for_later_commands(
    server: RunningServer, root_client: hvac.Client, tmp_path: Path
) -> None:
    root_client.sys.enable_auth_method("userpass")
    root_client.auth.userpass.create_or_update_user("alice", PASSWORD, policies=["dev"])
    cli = cli_for(server.address, server.ca_file or "", tmp_path)  # no VAULT_TOKEN

    login = ok(cli("login", "-method=userpass", "username=alice", stdin=PASSWORD + "\n"))
    assert login.stdout.startswith("Success! You are now authenticated.")
    rows = login.table()
    assert (rows["token_policies"], rows["token_meta_username"]) == ('["default" "dev"]', "alice")
    token = (tmp_path / ".vault-token").read_text()
    assert rows["token"] == token and PASSWORD not in login.stdout + login.stderr

    me = ok(cli("token", "lookup", "-format=json")).json()["data"]
    assert (me["id"], me["display_name"], me["meta"]) == (
        token,
        "userpass-alice",
        {"username": "alice"},
    )

    wrong = cli("login", "-method=userpass", "username=alice", "password=not-" + PASSWORD)
    assert wrong.code == 2 and wrong.stdout == ""
    assert wrong.stderr.startswith("Error authenticating: Error making API request.")
    assert "Code: 400. Errors:\n\n* invalid username or password" in wrong.stderr
    assert PASSWORD not in wrong.stderr
    assert (tmp_path / ".vault-token").read_text() == token  # the old login is kept


def test_approle_login_on_its_own_mount(
    server: RunningServer, root_client: hvac.Client, tmp_path: Path
) -> None:
    root_client.sys.enable_auth_method("approle", path="machines")
    api = root_client.auth.approle
    api.create_or_update_approle("web", token_policies=["app"], mount_point="machines")
    role_id = api.read_role_id("web", mount_point="machines")["data"]["role_id"]
    secret_id = api.generate_secret_id("web", mount_point="machines")["data"]["secret_id"]
    cli = cli_for(server.address, server.ca_file or "", tmp_path)

    argv = ["login", "-method=approle", "-path=machines", "-format=json", f"role_id={role_id}"]
    login = ok(cli(*argv, "secret_id=-", stdin=secret_id)).json()
    assert login["auth"]["policies"] == ["app", "default"]
    assert login["auth"]["metadata"] == {"role_name": "web"}
    assert ok(cli("token", "lookup", "-field=id")).stdout == login["auth"]["client_token"]

    refused = cli(*argv, "secret_id=wrong")
    assert refused.code == 2 and "Error authenticating" in refused.stderr
    unknown = cli("login", "-method=github", "username=alice")
    assert unknown.code == 1 and "Supported methods: token, userpass, approle" in unknown.stderr
