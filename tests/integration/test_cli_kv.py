"""`strongroom kv …` as a real process against a real server over TLS, KV version 1 and 2.

Every command and flag, checked on its output and exit code (0 success, 1 a local problem or
an operation KV v1 lacks, 2 an error from the server); usage errors that never reach the
server are left to the unit tests. The tables are the ones `bao kv`
(OpenBao 2.7.2) prints for the same secrets, timestamps aside. Setup and checks of stored
state go through hvac: starting the CLI is the slow part.
"""

from __future__ import annotations

import re
from pathlib import Path

import hvac
import pytest
from test_cli import Result, StrongroomCLI
from test_cli_access import cli_for, failed, ok

from strongroom.testing.server import RunningServer

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


@pytest.fixture
def cli(server: RunningServer, root_client: hvac.Client, tmp_path: Path) -> StrongroomCLI:
    """The root token's CLI, with `kv1/` (KV version 1) and `kv2/` (version 2) mounted."""
    root_client.sys.enable_secrets_engine("kv", path="kv1")
    root_client.sys.enable_secrets_engine("kv", path="kv2", options={"version": "2"})
    return cli_for(server.address, server.ca_file or "", tmp_path, root_client.token)


def shown(result: Result) -> str:
    """Successful output with its timestamps replaced by <T>."""
    return TIMESTAMP.sub("<T>", ok(result).stdout)


def version_table(version: int, deleted: bool = False, destroyed: bool = False) -> str:
    return f"""\
======= Metadata =======
Key                Value
---                -----
created_time       <T>
custom_metadata    <nil>
deletion_time      {"<T>" if deleted else "n/a"}
destroyed          {str(destroyed).lower()}
version            {version}
"""


def test_kv_version_1(cli: StrongroomCLI, root_client: hvac.Client) -> None:
    written = ok(cli("kv", "put", "kv1/app", "user=ann", "ttl=1h", "pass=-", stdin="s3cret"))
    assert written.stdout == "Success! Data written to: kv1/app\n"
    stored = root_client.secrets.kv.v1.read_secret("app", mount_point="kv1")
    assert stored["data"] == {"user": "ann", "ttl": "1h", "pass": "s3cret"}
    assert ok(cli("kv", "get", "-version=3", "kv1/app")).stdout == (
        "==== Data ====\nKey     Value\n---     -----\npass    s3cret\nttl     1h\nuser    ann\n"
    )
    document = ok(cli("kv", "get", "-format=json", "-mount=kv1", "app")).json()
    assert (document["data"]["user"], document["lease_duration"]) == ("ann", 3600)
    assert ok(cli("kv", "get", "-field=user", "/kv1/app")).stdout == "ann"
    failed(cli("kv", "get", "-field=nope", "kv1/app"), 1, 'Field "nope" not present in secret')
    assert ok(cli("kv", "put", "-format=json", "-mount=kv1", "team/db", "a=1")).stdout == ""
    assert ok(cli("kv", "list", "kv1")).stdout == "Keys\n----\napp\nteam/\n"
    assert ok(cli("kv", "list", "-mount=kv1", "-format=json", "team")).json() == ["db"]

    deleted = ok(cli("kv", "delete", "kv1/app"))
    assert deleted.stdout == "Success! Data deleted (if it existed) at: kv1/app\n"
    failed(cli("kv", "get", "kv1/app"), 2, "No value found at kv1/app")
    failed(cli("kv", "list", "kv1/nothing"), 2, "No value found at kv1/nothing")
    failed(cli("kv", "undelete", "-versions=1", "kv1/app"), 1, "not supported on KV Version 1")
    failed(cli("kv", "patch", "kv1/team/db", "a=2"), 2, "must be version 2 for patch support")
    failed(cli("kv", "metadata", "get", "kv1/team/db"), 1, "Metadata not supported on KV")
    failed(cli("kv", "get", "nomount/x"), 2, "sys/internal/ui/mounts/nomount/x", "Code: 403")


def test_kv_version_2_secrets(cli: StrongroomCLI, root_client: hvac.Client) -> None:
    first = shown(cli("kv", "put", "kv2/app", "user=ann", "pass=one"))
    assert first == "== Secret Path ==\nkv2/data/app\n\n" + version_table(1)
    assert ok(cli("kv", "put", "-mount=kv2", "-field=version", "app", "user=bob")).stdout == "2"
    failed(
        cli("kv", "put", "-cas=1", "kv2/app", "user=eve"), 2, "Error writing data to kv2/data/app"
    )
    assert shown(cli("kv", "get", "kv2/app")) == (
        "== Secret Path ==\nkv2/data/app\n\n"
        + version_table(2)
        + "\n==== Data ====\nKey     Value\n---     -----\nuser    bob\n"
    )
    assert ok(cli("kv", "get", "-version=1", "-field=pass", "kv2/app")).stdout == "one"
    old = ok(cli("kv", "get", "-format=json", "-mount=kv2", "-version=1", "app")).json()
    assert old["data"]["data"] == {"user": "ann", "pass": "one"}
    assert old["data"]["metadata"]["version"] == 1
    failed(cli("kv", "get", "-field=nope", "kv2/app"), 1, 'Field "nope" not present in map')
    wrapped = ok(cli("kv", "get", "-wrap-ttl=5m", "-format=json", "kv2/app")).json()
    assert wrapped["wrap_info"]["creation_path"] == "kv2/data/app"
    unwrapped = root_client.sys.unwrap(wrapped["wrap_info"]["token"])
    assert unwrapped["data"]["data"] == {"user": "bob"}

    patched = shown(cli("kv", "patch", "kv2/app", "pass=two"))  # a real PATCH
    assert patched == "== Secret Path ==\nkv2/data/app\n\n" + version_table(3)
    rw = ok(
        cli("kv", "patch", "-method=rw", "-remove-data=pass", "-field=version", "kv2/app", "x=1")
    )
    assert rw.stdout == "4"
    failed(cli("kv", "patch", "-cas=1", "-method=patch", "kv2/app", "x=2"), 2, "check-and-set")
    as_json = ok(cli("kv", "patch", "-cas=4", "-format=json", "kv2/app", "y=2")).json()
    assert as_json["data"]["version"] == 5
    latest = root_client.secrets.kv.v2.read_secret_version(
        "app", mount_point="kv2", raise_on_deleted_version=True
    )
    assert latest["data"]["data"] == {"user": "bob", "x": "1", "y": "2"}
    failed(cli("kv", "patch", "kv2/missing", "a=1"), 2, "Error writing data to kv2/data/missing")
    failed(cli("kv", "patch", "-method=rw", "kv2/missing", "a=1"), 2, "No value found at")

    ok(cli("kv", "put", "kv2/team/db", "a=1"))
    assert ok(cli("kv", "list", "kv2")).stdout == "Keys\n----\napp\nteam/\n"
    assert ok(cli("kv", "list", "-mount=kv2", "-format=json", "team")).json() == ["db"]
    failed(cli("kv", "list", "kv2/none"), 2, "No value found at kv2/metadata/none")

    rolled = shown(cli("kv", "rollback", "-version=1", "kv2/app"))
    assert "version            6" in rolled and "Secret Path" not in rolled
    assert ok(cli("kv", "get", "-field=pass", "kv2/app")).stdout == "one"
    failed(cli("kv", "rollback", "-version=99", "kv2/app"), 2, "No value found at kv2/data/app")


def test_kv_version_2_versions_and_metadata(cli: StrongroomCLI, root_client: hvac.Client) -> None:
    for value in ("1", "2", "3"):
        root_client.secrets.kv.v2.create_or_update_secret("app", {"v": value}, mount_point="kv2")
    deleted = ok(cli("kv", "delete", "kv2/app"))
    assert deleted.stdout == "Success! Data deleted (if it existed) at: kv2/data/app\n"
    assert shown(cli("kv", "get", "kv2/app")) == (
        "== Secret Path ==\nkv2/data/app\n\n" + version_table(3, deleted=True) + "\n"
    )
    failed(cli("kv", "get", "-field=v", "kv2/app"), 2, "No data found at kv2/data/app")
    ok(cli("kv", "delete", "-versions=1", "kv2/app"))
    undeleted = ok(cli("kv", "undelete", "-versions=1,3", "kv2/app"))
    assert undeleted.stdout == "Success! Data written to: kv2/undelete/app\n"
    destroyed = ok(cli("kv", "destroy", "-mount=kv2", "-versions=2", "app"))
    assert destroyed.stdout == "Success! Data written to: kv2/destroy/app\n"
    assert shown(cli("kv", "get", "-version=2", "kv2/app")).endswith(
        "destroyed          true\nversion            2\n\n"
    )
    failed(cli("kv", "rollback", "-version=2", "kv2/app"), 2, "version that has been destroyed")

    flags = ["-max-versions=5", "-cas-required", "-delete-version-after=1h30m"]
    custom = ["-custom-metadata=owner=ann", "-custom-metadata=team=ops"]
    put = ok(cli("kv", "metadata", "put", *flags, *custom, "kv2/app"))
    assert put.stdout == "Success! Data written to: kv2/metadata/app\n"
    failed(cli("kv", "put", "kv2/app", "v=4"), 2, "check-and-set parameter required")
    patch = ["-cas-required=false", "-remove-custom-metadata=team", "-custom-metadata=env=prod"]
    ok(cli("kv", "metadata", "patch", *patch, "kv2/app"))
    table = shown(cli("kv", "metadata", "get", "kv2/app"))
    assert table.startswith("= Metadata Path =\nkv2/metadata/app\n\n")
    rows = dict(re.findall(r"^(\w+)\s{2,}(.*)$", table, re.MULTILINE))
    assert (rows["cas_required"], rows["max_versions"], rows["current_version"]) == (
        "false",
        "5",
        "3",
    )
    assert rows["custom_metadata"] == "map[env:prod owner:ann]"
    assert rows["delete_version_after"] == "1h30m0s"
    assert re.findall(r"^=+ Version (\d+) =+$", table, re.MULTILINE) == ["1", "2", "3"]
    assert "destroyed        true" in table.split("Version 2")[1]
    metadata = ok(cli("kv", "metadata", "get", "-format=json", "-mount=kv2", "app")).json()
    assert sorted(metadata["data"]["versions"]) == ["1", "2", "3"]
    assert ok(cli("kv", "metadata", "get", "-field=oldest_version", "kv2/app")).stdout == "0"

    gone = ok(cli("kv", "metadata", "delete", "kv2/app"))
    assert gone.stdout == "Success! Data deleted (if it existed) at: kv2/metadata/app\n"
    failed(cli("kv", "metadata", "get", "kv2/app"), 2, "No value found at kv2/metadata/app")


# The server refuses `GET sys/internal/ui/mounts/kv2/app` (403) to a token whose policy grants
# `kv2/data/*` only; Vault and OpenBao allow any token with a capability under the mount.
def test_kv_with_a_token_limited_to_the_data_paths(
    cli: StrongroomCLI, root_client: hvac.Client
) -> None:
    rules = 'path "kv2/data/*" { capabilities = ["create", "read", "update"] }'
    root_client.sys.create_or_update_policy("kv-rw", rules)
    token = root_client.auth.token.create(policies=["kv-rw"])["auth"]["client_token"]
    root_client.secrets.kv.v2.create_or_update_secret("app", {"a": "1"}, mount_point="kv2")
    assert ok(cli("kv", "get", "-field=a", "kv2/app", token=token)).stdout == "1"
    # Without the `patch` capability the CLI warns and falls back to read-then-write.
    fallback = ok(cli("kv", "patch", "-field=version", "kv2/app", "b=2", token=token))
    assert fallback.stdout == "2" and 'add the "patch" capability' in fallback.stderr
