"""The access commands of the real `strongroom` CLI, run as processes against a real server.

login, token, policy, secrets, auth, lease, unwrap and the generic read/write/list/delete,
each checked on its table, `-format=json` and `-field` output and its exit code (0 success,
1 usage or local error, 2 server error). Several commands share one server: starting the
CLI is the slow part, so setup goes over HTTP and the CLI runs only what is being tested.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import hvac
import pytest
from test_cli import Result, StrongroomCLI, clean_environment

from strongroom.testing.engines import leasing_engine
from strongroom.testing.inprocess import InProcessServer, in_process_server
from strongroom.testing.server import RunningServer

MESSY_POLICY = """\
# Read the team's secrets
path "team/*" {
capabilities = ["read","list"]   # no writes
      min_wrapping_ttl = "1m"
  allowed_parameters = {
    "version" = []
  }
}
path "sys/mounts" { capabilities = ["read"] }
"""
# What `bao policy fmt` (OpenBao 2.7.2) makes of MESSY_POLICY.
FORMATTED_POLICY = """\
# Read the team's secrets
path "team/*" {
  capabilities     = ["read", "list"] # no writes
  min_wrapping_ttl = "1m"

  allowed_parameters = {
    "version" = []
  }
}

path "sys/mounts" {
  capabilities = ["read"]
}
"""


def cli_for(address: str, ca_file: str, home: Path, token: str = "") -> StrongroomCLI:
    env = clean_environment(home)
    env["VAULT_ADDR"], env["VAULT_CACERT"] = address, ca_file
    return StrongroomCLI(env, token)


@pytest.fixture
def cli(server: RunningServer, root_client: hvac.Client, tmp_path: Path) -> StrongroomCLI:
    """The CLI with the root token of an initialised, unsealed server."""
    return cli_for(server.address, server.ca_file or "", tmp_path, root_client.token)


def ok(result: Result) -> Result:
    assert result.code == 0, result.stderr
    return result


def failed(result: Result, code: int, *fragments: str) -> None:
    assert result.code == code, (result.stdout, result.stderr)
    for fragment in fragments:
        assert fragment in result.stderr


def test_login_stores_the_token_in_the_token_helper(
    server: RunningServer, root_client: hvac.Client, tmp_path: Path
) -> None:
    root = root_client.token
    cli = cli_for(server.address, server.ca_file or "", tmp_path)  # no VAULT_TOKEN
    login = ok(cli("login", root))
    assert login.stdout.startswith("Success! You are now authenticated.")
    rows = login.table()
    assert (rows["token"], rows["token_duration"], rows["token_policies"]) == (
        root,
        "∞",
        '["root"]',
    )
    helper = tmp_path / ".vault-token"
    assert helper.read_text() == root
    assert stat.S_IMODE(helper.stat().st_mode) == 0o600
    # Later commands find the token in the helper file.
    assert ok(cli("token", "lookup", "-field=policies")).stdout == "[root]"

    helper.unlink()
    unstored = ok(cli("login", "-no-store", "-format=json", "-", stdin=root + "\n"))
    assert unstored.json()["auth"]["client_token"] == root
    assert "not stored" in unstored.stderr and not helper.exists()
    assert ok(cli("login", "-token-only", root)).stdout == root
    failed(cli("login", "hvs.not-a-real-token"), 2, "Error authenticating", "permission denied")
    failed(cli("login"), 1, "Missing token")  # no terminal, nothing on stdin
    failed(cli("login", "-method=github", root), 1, "Unknown auth method")


def test_tokens(cli: StrongroomCLI) -> None:
    created = ok(
        cli(
            "token",
            "create",
            "-policy=default",
            "-ttl=1h",
            "-metadata=team=ops",
            "-display-name=ci",
            "-format=json",
        )
    ).json()
    auth = created["auth"]
    assert (auth["policies"], auth["lease_duration"], auth["renewable"]) == (
        ["default"],
        3600,
        True,
    )
    assert auth["metadata"] == {"team": "ops"} and created["data"] is None
    token, accessor = auth["client_token"], auth["accessor"]

    table = ok(cli("token", "create", "-policy=default", "-orphan", "-renewable=false")).table()
    assert (table["token_renewable"], table["token_policies"]) == ("false", '["default"]')
    batch = ok(cli("token", "create", "-type=batch", "-policy=default", "-field=token")).stdout
    assert batch.startswith("hvb.") and not batch.endswith("\n")

    looked_up = ok(cli("token", "lookup", token)).table()
    assert (looked_up["meta"], looked_up["policies"], looked_up["creation_ttl"]) == (
        "map[team:ops]",
        "[default]",
        "1h",
    )
    by_accessor = ok(cli("token", "lookup", "-accessor", accessor, "-format=json")).json()
    assert by_accessor["data"]["accessor"] == accessor and by_accessor["data"]["id"] == ""
    renewed = ok(cli("token", "renew", "-increment=30m", token)).table()
    assert (renewed["token"], renewed["token_duration"]) == (token, "30m")
    ok(cli("token", "renew", "-accessor", accessor))

    assert ok(cli("token", "capabilities", token, "sys/mounts")).stdout == "deny\n"
    assert ok(cli("token", "capabilities", "sys/mounts")).stdout == "root\n"
    cubbyhole = ok(cli("token", "capabilities", "-format=json", token, "cubbyhole/x")).json()
    assert sorted(cubbyhole) == ["create", "delete", "list", "read", "update"]

    revoked = ok(cli("token", "revoke", "-accessor", accessor))
    assert revoked.stdout == "Success! Revoked token (if it existed)\n"
    failed(cli("token", "lookup", token), 2, "Error looking up token", "Code: 403")
    child = ok(cli("token", "create", "-policy=default", "-field=token")).stdout
    ok(cli("token", "revoke", "-self", token=child))
    failed(cli("token", "lookup", token=child), 2, "permission denied")
    failed(cli("token", "revoke"), 1, "expected 1 or -self")
    failed(cli("token", "revoke", "-self", "-mode=orphan"), 1, "Cannot use -self with -mode")


def test_token_leases(cli: StrongroomCLI) -> None:
    ok(cli("token", "create", "-policy=default", "-ttl=1h"))
    lease_ids = ok(cli("list", "-format=json", "sys/leases/lookup/auth/token/create")).json()
    lease_id = f"auth/token/create/{lease_ids[0]}"
    lease = ok(cli("lease", "lookup", lease_id)).table()
    assert (lease["id"], lease["renewable"], lease["last_renewal"]) == (lease_id, "true", "<nil>")
    failed(cli("lease", "renew", lease_id), 2, f"Error renewing {lease_id}", "auth/token/renew")
    queued = ok(cli("lease", "revoke", lease_id))  # without -sync, as the vault CLI
    assert queued.stdout == "All revocation operations queued successfully!\n"
    failed(cli("lease", "revoke", "-force", lease_id), 1, "requires also specifying -prefix")


def test_policies(cli: StrongroomCLI, tmp_path: Path) -> None:
    policy_file = tmp_path / "team.hcl"
    policy_file.write_text(MESSY_POLICY)
    formatted = ok(cli("policy", "fmt", str(policy_file)))
    assert formatted.stdout == f"Success! Formatted policy: {policy_file}\n"
    assert policy_file.read_text() == FORMATTED_POLICY
    bad_file = tmp_path / "bad.hcl"
    bad_file.write_text('path "x" { capabilities = ["fly"] }\n')
    failed(cli("policy", "fmt", str(bad_file)), 1, "failed to parse policy")
    assert bad_file.read_text() == 'path "x" { capabilities = ["fly"] }\n'
    failed(cli("policy", "fmt", str(tmp_path / "missing.hcl")), 1, "Error reading source file")

    uploaded = ok(cli("policy", "write", "Team", str(policy_file)))
    assert uploaded.stdout == "Success! Uploaded policy: team\n"
    assert 'converted from "Team" to "team"' in uploaded.stderr
    ok(cli("policy", "write", "other", "-", stdin='path "x/*" { capabilities = ["list"] }'))
    failed(cli("policy", "write", "broken", str(bad_file)), 2, "Error uploading policy", "400")

    assert ok(cli("policy", "read", "team")).stdout == FORMATTED_POLICY
    assert ok(cli("policy", "read", "-format=json", "TEAM")).json() == {"policy": FORMATTED_POLICY}
    # The server lists `root` last, as Vault does; the CLI keeps the server's order.
    assert ok(cli("policy", "list")).stdout.split() == ["default", "other", "team", "root"]
    assert "team" in ok(cli("policy", "list", "-format=json")).json()

    token = ok(cli("token", "create", "-policy=team", "-field=token")).stdout
    assert ok(cli("token", "capabilities", token, "team/app")).stdout == "list, read\n"
    deleted = ok(cli("policy", "delete", "team"))
    assert deleted.stdout == "Success! Deleted policy: team\n"
    failed(cli("policy", "read", "team"), 2, "No policy named: team")


def test_secrets_engines_and_auth_methods(cli: StrongroomCLI) -> None:
    enabled = ok(cli("secrets", "enable", "-path=team", "-description=Team KV", "kv"))
    assert enabled.stdout == "Success! Enabled the kv secrets engine at: team/\n"
    ok(
        cli(
            "secrets", "enable", "-path=/opts/", "-options=version=1", "-default-lease-ttl=1h", "kv"
        )
    )
    failed(cli("secrets", "enable", "-path=team", "kv"), 2, "Error enabling: Error making API")

    listed = ok(cli("secrets", "list"))
    assert listed.stdout.split("\n")[0].split() == ["Path", "Type", "Accessor", "Description"]
    assert any(line.split()[:2] == ["team/", "kv"] for line in listed.stdout.splitlines())
    detailed = ok(cli("secrets", "list", "-detailed")).stdout.splitlines()
    opts = next(line.split() for line in detailed if line.startswith("opts/"))
    assert opts[1:5] == ["kv", opts[2], "3600", "system"] and "map[version:1]" in opts
    mounts = ok(cli("secrets", "list", "-format=json")).json()
    assert mounts["team/"]["description"] == "Team KV" and mounts["opts/"]["options"] == {
        "version": "1"
    }

    tuned = ok(
        cli(
            "secrets",
            "tune",
            "-max-lease-ttl=10h",
            "-description=tuned",
            "-listing-visibility=unauth",
            "-audit-non-hmac-request-keys=a",
            "-audit-non-hmac-request-keys=b",
            "team",
        )
    )
    assert tuned.stdout == "Success! Tuned the secrets engine at: team/\n"
    tune = ok(cli("read", "-format=json", "sys/mounts/team/tune")).json()["data"]
    assert (tune["max_lease_ttl"], tune["description"], tune["listing_visibility"]) == (
        36000,
        "tuned",
        "unauth",
    )
    assert tune["audit_non_hmac_request_keys"] == ["a", "b"]

    ok(cli("write", "team/app", "user=alice"))
    moving = ok(cli("secrets", "move", "team", "moved"))
    assert moving.stdout.startswith("Started moving secrets engine team/ to moved/, with migration")
    assert "Success! Finished moving secrets engine team/ to moved/" in moving.stdout
    assert ok(cli("read", "-field=user", "moved/app")).stdout == "alice"
    disabled = ok(cli("secrets", "disable", "moved/"))
    assert disabled.stdout == "Success! Disabled the secrets engine (if it existed) at: moved/\n"
    assert "moved/" not in ok(cli("secrets", "list", "-format=json")).json()

    failed(cli("auth", "enable", "kerberos"), 2, "Error enabling kerberos auth", "not found")
    auths = ok(cli("auth", "list")).stdout.splitlines()
    assert auths[0].split() == ["Path", "Type", "Accessor", "Description", "Version"]
    assert auths[2].split()[:2] == ["token/", "token"]
    assert "default-service" in ok(cli("auth", "list", "-detailed")).stdout
    tuned = ok(cli("auth", "tune", "-default-lease-ttl=2h", "-description=Tokens", "token"))
    assert tuned.stdout == "Success! Tuned the auth method at: token/\n"
    token_tune = ok(cli("read", "-format=json", "sys/auth/token/tune")).json()["data"]
    assert (token_tune["default_lease_ttl"], token_tune["description"]) == (7200, "Tokens")
    assert "token/" in ok(cli("auth", "list", "-format=json")).json()
    disabled = ok(cli("auth", "disable", "nothing"))
    assert disabled.stdout == "Success! Disabled the auth method (if it existed) at: nothing/\n"


def test_read_write_list_delete_and_wrapping(cli: StrongroomCLI, tmp_path: Path) -> None:
    ok(cli("secrets", "enable", "-path=kv", "kv"))
    (tmp_path / "password").write_text("s3cret\n")
    written = ok(
        cli("write", "kv/app", "user=alice", f"password=@{tmp_path / 'password'}", "ttl=30m")
    )
    assert written.stdout == "Success! Data written to: kv/app\n"
    ok(cli("write", "kv/json", "-", stdin='{"port": 5432, "hosts": ["a", "b"]}'))
    failed(cli("write", "kv/empty"), 1, "Must supply data or use -force")

    rows = ok(cli("read", "kv/app")).table()
    assert (rows["refresh_interval"], rows["user"], rows["password"]) == ("30m", "alice", "s3cret")
    assert ok(cli("read", "-field=user", "kv/app")).stdout == "alice"
    document = ok(cli("read", "-format=json", "kv/json")).json()
    assert document["data"] == {"port": 5432, "hosts": ["a", "b"]}
    assert list(document) == [
        "request_id",
        "lease_id",
        "lease_duration",
        "renewable",
        "data",
        "warnings",
    ]
    failed(cli("read", "-field=nope", "kv/app"), 1, 'Field "nope" not present')

    assert ok(cli("list", "kv")).stdout == "Keys\n----\napp\njson\n"
    assert ok(cli("list", "-format=json", "kv/")).json() == ["app", "json"]
    failed(cli("list", "kv/nothing"), 2, "No value found at kv/nothing")

    wrapped = ok(cli("read", "-wrap-ttl=5m", "kv/app")).table()
    assert (wrapped["wrapping_token_ttl:"], wrapped["wrapping_token_creation_path:"]) == (
        "5m",
        "kv/app",
    )
    unwrapped = ok(cli("unwrap", wrapped["wrapping_token:"])).table()
    assert unwrapped["user"] == "alice"
    failed(cli("unwrap", wrapped["wrapping_token:"]), 2, "Error unwrapping")
    listing = ok(cli("list", "-wrap-ttl=1m", "-format=json", "kv")).json()["wrap_info"]["token"]
    assert ok(cli("unwrap", token=listing)).stdout == "Keys\n----\napp\njson\n"
    wrapped_token = ok(cli("token", "create", "-wrap-ttl=2m", "-field=wrapping_token")).stdout
    new_token = ok(cli("unwrap", "-field=token", wrapped_token)).stdout
    assert ok(cli("token", "lookup", "-field=id", token=new_token)).stdout == new_token

    deleted = ok(cli("delete", "kv/json"))
    assert deleted.stdout == "Success! Data deleted (if it existed) at: kv/json\n"
    failed(cli("read", "kv/json"), 2, "No value found at kv/json")


@pytest.fixture
def leasing_node(tls: dict[str, str]) -> Iterator[InProcessServer]:
    """A server with a test engine that issues leased credentials (`GET creds/<name>`)."""
    with in_process_server(tls, engines={"leasing": leasing_engine}) as node:
        yield node


def test_leases_of_a_secrets_engine(
    leasing_node: InProcessServer, tls: dict[str, str], tmp_path: Path
) -> None:
    client = hvac.Client(url=leasing_node.address, verify=tls["ca"])
    keys = client.sys.initialize(1, 1)
    client.sys.submit_unseal_keys(keys["keys"])
    cli = cli_for(leasing_node.address, tls["ca"], tmp_path, keys["root_token"])
    ok(cli("secrets", "enable", "-path=db", "leasing"))

    issued = ok(cli("read", "db/creds/app", "ttl=1h")).table()
    lease_id = issued["lease_id"]
    assert lease_id.startswith("db/creds/app/")
    assert (issued["lease_duration"], issued["lease_renewable"]) == ("1h", "true")
    assert ok(cli("read", "-field=lease_id", "db/creds/app", "ttl=1h")).stdout.startswith("db/")

    lease = ok(cli("lease", "lookup", "-format=json", lease_id)).json()["data"]
    assert (lease["id"], lease["renewable"]) == (lease_id, True)
    renewed = ok(cli("lease", "renew", "-increment=10m", lease_id)).table()
    # 9m59s: the server truncates the time left to whole seconds after renewing.
    assert (renewed["lease_id"], renewed["lease_duration"]) in (
        (lease_id, "10m"),
        (lease_id, "9m59s"),
    )
    revoked = ok(cli("lease", "revoke", "-sync", lease_id))
    assert revoked.stdout == f"Success! Revoked lease: {lease_id}\n"
    assert ok(cli("read", "-field=revoked", f"db/revoked/{issued['credential']}")).stdout == "true"
    failed(cli("lease", "lookup", lease_id), 2, "Error looking up lease id", "invalid lease")

    other = ok(cli("read", "-field=credential", "db/creds/web", "ttl=1h")).stdout
    prefix = ok(cli("lease", "revoke", "-prefix", "-sync", "db/creds/"))
    assert prefix.stdout == "Success! Revoked any leases with prefix: db/creds/\n"
    assert ok(cli("read", "-field=revoked", f"db/revoked/{other}")).stdout == "true"
    forced = ok(cli("lease", "revoke", "-prefix", "-force", "db/creds/"))
    assert forced.stdout == "Success! Force revoked any leases with prefix: db/creds/\n"
    assert "out of sync" in forced.stderr
