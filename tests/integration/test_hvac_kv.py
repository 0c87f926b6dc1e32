"""KV versions 1 and 2 through every hvac `secrets.kv` method, against a real server over TLS."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import hvac
import pytest
from hvac import exceptions

from strongroom.testing.server import RunningServer

AsToken = Callable[[str], hvac.Client]
MOUNT = "kv2"


@pytest.fixture
def kv2(root_client: hvac.Client) -> Any:
    root_client.sys.enable_secrets_engine("kv", path=MOUNT, options={"version": "2"})
    return root_client.secrets.kv.v2


@pytest.fixture
def http(server: RunningServer, root_client: hvac.Client) -> Iterator[httpx.Client]:
    """Raw HTTP with the root token, to see exact status codes and bodies."""
    with server.client() as client:
        client.headers["X-Vault-Token"] = root_client.token
        yield client


# hvac's own patch reads without raise_on_deleted_version and warns about its default.
@pytest.mark.filterwarnings("ignore:The raise_on_deleted_version parameter:DeprecationWarning")
def test_write_read_versions_and_check_and_set(kv2: Any) -> None:
    written = kv2.create_or_update_secret("app/db", {"user": "u"}, mount_point=MOUNT)["data"]
    assert set(written) == {"created_time", "custom_metadata", "deletion_time", "destroyed"} | {
        "version"
    }
    assert (written["version"], written["deletion_time"], written["destroyed"]) == (1, "", False)
    assert written["created_time"].endswith("Z") and "T" in written["created_time"]
    second = kv2.create_or_update_secret("app/db", {"user": "v"}, cas=1, mount_point=MOUNT)
    assert second["data"]["version"] == 2
    with pytest.raises(exceptions.InvalidRequest) as mismatch:
        kv2.create_or_update_secret("app/db", {"user": "w"}, cas=1, mount_point=MOUNT)
    assert "check-and-set parameter did not match the current version" in str(mismatch.value)
    with pytest.raises(exceptions.InvalidRequest):
        kv2.create_or_update_secret("app/db", {"user": "w"}, cas=0, mount_point=MOUNT)
    latest = kv2.read_secret("app/db", mount_point=MOUNT, raise_on_deleted_version=True)
    assert latest["data"]["data"] == {"user": "v"}
    assert latest["data"]["metadata"]["version"] == 2
    first = kv2.read_secret_version(
        "app/db", version=1, mount_point=MOUNT, raise_on_deleted_version=True
    )
    assert first["data"]["data"] == {"user": "u"}
    with pytest.raises(exceptions.InvalidPath):
        kv2.read_secret_version(
            "app/db", version=9, mount_point=MOUNT, raise_on_deleted_version=True
        )
    with pytest.raises(exceptions.InvalidPath):
        kv2.read_secret("missing", mount_point=MOUNT, raise_on_deleted_version=True)
    # hvac's patch: a read, then a write with cas set to the version it read.
    patched = kv2.patch("app/db", {"port": 5432}, mount_point=MOUNT)
    assert patched["data"]["version"] == 3
    assert kv2.read_secret("app/db", mount_point=MOUNT, raise_on_deleted_version=True)["data"][
        "data"
    ] == {"user": "v", "port": 5432}
    with pytest.raises(exceptions.InvalidPath):
        kv2.patch("missing", {"a": 1}, mount_point=MOUNT)


def test_delete_undelete_destroy(kv2: Any, http: httpx.Client) -> None:
    for n in (1, 2, 3):
        kv2.create_or_update_secret("s", {"n": n}, mount_point=MOUNT)
    kv2.delete_latest_version_of_secret("s", mount_point=MOUNT)
    with pytest.raises(exceptions.InvalidPath):
        kv2.read_secret("s", mount_point=MOUNT, raise_on_deleted_version=True)
    soft = kv2.read_secret("s", mount_point=MOUNT, raise_on_deleted_version=False)
    assert soft["data"]["data"] is None and soft["data"]["metadata"]["deletion_time"] != ""
    raw = http.get(f"/v1/{MOUNT}/data/s")
    assert raw.status_code == 404
    body = raw.json()
    assert body["data"]["data"] is None
    assert body["data"]["metadata"]["version"] == 3 and body["data"]["metadata"]["deletion_time"]
    kv2.undelete_secret_versions("s", versions=[3], mount_point=MOUNT)
    assert kv2.read_secret("s", mount_point=MOUNT, raise_on_deleted_version=True)["data"][
        "data"
    ] == {"n": 3}
    kv2.delete_secret_versions("s", versions=[1, 2], mount_point=MOUNT)
    versions = kv2.read_secret_metadata("s", mount_point=MOUNT)["data"]["versions"]
    assert [versions[n]["deletion_time"] != "" for n in ("1", "2", "3")] == [True, True, False]
    kv2.destroy_secret_versions("s", versions=[1], mount_point=MOUNT)
    destroyed = http.get(f"/v1/{MOUNT}/data/s", params={"version": 1})
    assert destroyed.status_code == 404
    assert destroyed.json()["data"]["metadata"]["destroyed"] is True
    kv2.undelete_secret_versions("s", versions=[1, 2], mount_point=MOUNT)
    versions = kv2.read_secret_metadata("s", mount_point=MOUNT)["data"]["versions"]
    assert versions["1"]["destroyed"] is True and versions["2"]["deletion_time"] == ""
    empty = http.post(f"/v1/{MOUNT}/delete/s", json={"versions": []})
    assert (empty.status_code, empty.json()) == (400, {"errors": ["No version number provided"]})


def test_metadata_and_listing(kv2: Any, http: httpx.Client) -> None:
    for path in ("team/a", "team/b/c", "team/d", "other"):
        kv2.create_or_update_secret(path, {"v": 1}, mount_point=MOUNT)
    assert kv2.list_secrets("team", mount_point=MOUNT)["data"]["keys"] == ["a", "b/", "d"]
    assert kv2.list_secrets("", mount_point=MOUNT)["data"]["keys"] == ["other", "team/"]
    with pytest.raises(exceptions.InvalidPath):
        kv2.list_secrets("nothing", mount_point=MOUNT)
    paged = http.request("LIST", f"/v1/{MOUNT}/metadata/team/", params={"after": "a", "limit": 1})
    assert paged.json()["data"]["keys"] == ["b/"]
    detailed = http.request("LIST", f"/v1/{MOUNT}/detailed-metadata/team/").json()["data"]
    assert detailed["keys"] == ["a", "b/", "d"] and detailed["key_info"]["b/"] == {}
    assert detailed["key_info"]["a"]["current_version"] == 1

    kv2.update_metadata(
        "team/a",
        max_versions=2,
        cas_required=True,
        delete_version_after="1h",
        custom_metadata={"owner": "team"},
        mount_point=MOUNT,
    )
    meta = kv2.read_secret_metadata("team/a", mount_point=MOUNT)["data"]
    assert set(meta) >= {
        "cas_required",
        "created_time",
        "current_version",
        "custom_metadata",
        "delete_version_after",
        "max_versions",
        "oldest_version",
        "updated_time",
        "versions",
    }
    assert (meta["max_versions"], meta["cas_required"], meta["delete_version_after"]) == (
        2,
        True,
        "1h0m0s",
    )
    assert meta["custom_metadata"] == {"owner": "team"}
    with pytest.raises(exceptions.InvalidRequest) as required:
        kv2.create_or_update_secret("team/a", {"v": 2}, mount_point=MOUNT)
    assert "check-and-set parameter required" in str(required.value)
    for cas in (1, 2, 3):
        kv2.create_or_update_secret("team/a", {"v": cas + 1}, cas=cas, mount_point=MOUNT)
    meta = kv2.read_secret_metadata("team/a", mount_point=MOUNT)["data"]
    assert sorted(meta["versions"]) == ["3", "4"] and meta["oldest_version"] == 3
    assert meta["versions"]["4"]["deletion_time"] != ""  # delete_version_after: in an hour
    with pytest.raises(exceptions.InvalidRequest):
        kv2.update_metadata(
            "team/a", custom_metadata={f"k{i}": "v" for i in range(65)}, mount_point=MOUNT
        )

    kv2.delete_metadata_and_all_versions("team/a", mount_point=MOUNT)
    with pytest.raises(exceptions.InvalidPath):
        kv2.read_secret_metadata("team/a", mount_point=MOUNT)
    assert kv2.list_secrets("team", mount_point=MOUNT)["data"]["keys"] == ["b/", "d"]


def test_configuration(kv2: Any) -> None:
    assert kv2.read_configuration(mount_point=MOUNT)["data"] == {
        "cas_required": False,
        "delete_version_after": "0s",
        "max_versions": 0,
    }
    kv2.configure(max_versions=3, cas_required=True, delete_version_after="2h", mount_point=MOUNT)
    assert kv2.read_configuration(mount_point=MOUNT)["data"] == {
        "cas_required": True,
        "delete_version_after": "2h0m0s",
        "max_versions": 3,
    }
    with pytest.raises(exceptions.InvalidRequest):
        kv2.create_or_update_secret("a", {"v": 1}, mount_point=MOUNT)
    written = kv2.create_or_update_secret("a", {"v": 1}, cas=0, mount_point=MOUNT)["data"]
    assert written["deletion_time"] > written["created_time"]
    kv2.configure(mount_point=MOUNT)
    assert kv2.read_configuration(mount_point=MOUNT)["data"]["max_versions"] == 10


def test_patch_and_subkeys_over_http(kv2: Any, http: httpx.Client) -> None:
    kv2.create_or_update_secret("p", {"a": 1, "b": {"c": 2, "d": 3}}, mount_point=MOUNT)
    merge = {"Content-Type": "application/merge-patch+json"}
    patched = http.patch(
        f"/v1/{MOUNT}/data/p", json={"data": {"a": None, "b": {"c": 9}}}, headers=merge
    )
    assert patched.status_code == 200 and patched.json()["data"]["version"] == 2
    data = kv2.read_secret("p", mount_point=MOUNT, raise_on_deleted_version=True)["data"]["data"]
    assert data == {"b": {"c": 9, "d": 3}}
    wrong_type = http.patch(f"/v1/{MOUNT}/data/p", json={"data": {"a": 1}})
    assert wrong_type.status_code == 415
    missing = http.patch(f"/v1/{MOUNT}/data/nothing", json={"data": {"a": 1}}, headers=merge)
    assert missing.status_code == 404
    stale = http.patch(
        f"/v1/{MOUNT}/data/p", json={"data": {}, "options": {"cas": 1}}, headers=merge
    )
    assert stale.status_code == 400
    assert stale.json() == {"errors": ["check-and-set parameter did not match the current version"]}
    meta_patch = http.patch(
        f"/v1/{MOUNT}/metadata/p", json={"custom_metadata": {"k": "v"}}, headers=merge
    )
    assert meta_patch.status_code == 204
    assert kv2.read_secret_metadata("p", mount_point=MOUNT)["data"]["custom_metadata"] == {"k": "v"}

    subkeys = http.get(f"/v1/{MOUNT}/subkeys/p").json()["data"]
    assert subkeys["subkeys"] == {"b": {"c": None, "d": None}}
    assert subkeys["metadata"]["version"] == 2
    shallow = http.get(f"/v1/{MOUNT}/subkeys/p", params={"depth": 1}).json()["data"]
    assert shallow["subkeys"] == {"b": None}
    assert http.get(f"/v1/{MOUNT}/subkeys/nothing").json() == {"errors": []}


def test_v1_style_paths_on_a_v2_mount_answer_404_with_a_hint(kv2: Any, http: httpx.Client) -> None:
    response = http.get(f"/v1/{MOUNT}/some-secret")
    assert response.status_code == 404
    assert "Invalid path for a versioned K/V secrets engine" in response.json()["warnings"][0]
    missing = http.get(f"/v1/{MOUNT}/data/nothing")
    assert (missing.status_code, missing.json()) == (404, {"errors": []})


def test_kv_v1_methods(root_client: hvac.Client, http: httpx.Client) -> None:
    root_client.sys.enable_secrets_engine("kv", path="kv1", options={"version": "1"})
    kv1 = root_client.secrets.kv.v1
    created = kv1.create_or_update_secret("app/db", {"user": "u", "ttl": "1h"}, mount_point="kv1")
    assert created.status_code == 204
    read = kv1.read_secret("app/db", mount_point="kv1")
    assert read["data"] == {"user": "u", "ttl": "1h"} and read["lease_duration"] == 3600
    kv1.create_or_update_secret("app/db", {"user": "v"}, mount_point="kv1")  # PUT: exists
    kv1.create_or_update_secret("app/other", {"x": 1}, method="POST", mount_point="kv1")
    kv1.create_or_update_secret("app/third", {"x": 1}, method="PUT", mount_point="kv1")
    assert kv1.read_secret("app/db", mount_point="kv1")["data"] == {"user": "v"}
    assert kv1.list_secrets("app", mount_point="kv1")["data"]["keys"] == ["db", "other", "third"]
    paged = http.request("LIST", "/v1/kv1/app/", params={"after": "db", "limit": 1})
    assert paged.json()["data"]["keys"] == ["other"]
    kv1.delete_secret("app/db", mount_point="kv1")
    with pytest.raises(exceptions.InvalidPath):
        kv1.read_secret("app/db", mount_point="kv1")
    with pytest.raises(exceptions.InvalidPath):
        kv1.list_secrets("nothing", mount_point="kv1")


WRITER = """
path "kv2/data/team/*" { capabilities = ["create", "read", "update"] }
path "kv2/metadata/*" { capabilities = ["list"] }
"""
PATCHER = WRITER + 'path "kv2/data/team/patchable" { capabilities = ["patch", "read"] }\n'


def test_policies_target_the_v2_api_paths(
    kv2: Any, root_client: hvac.Client, as_token: AsToken, server: RunningServer
) -> None:
    root_client.sys.create_or_update_acl_policy("writer", WRITER)
    root_client.sys.create_or_update_acl_policy("patcher", PATCHER)
    writer = as_token(root_client.auth.token.create(policies=["writer"])["auth"]["client_token"])
    patcher_token = root_client.auth.token.create(policies=["patcher"])["auth"]["client_token"]
    mine = writer.secrets.kv.v2
    mine.create_or_update_secret("team/app", {"v": 1}, mount_point=MOUNT)
    mine.create_or_update_secret("team/patchable", {"v": 1}, mount_point=MOUNT)
    read = mine.read_secret("team/app", mount_point=MOUNT, raise_on_deleted_version=True)
    assert read["data"]["data"] == {"v": 1}
    assert mine.list_secrets("team", mount_point=MOUNT)["data"]["keys"] == ["app", "patchable"]
    with pytest.raises(exceptions.Forbidden):
        mine.read_secret_metadata("team/app", mount_point=MOUNT)
    with pytest.raises(exceptions.Forbidden):
        mine.create_or_update_secret("elsewhere", {"v": 1}, mount_point=MOUNT)
    merge = {"Content-Type": "application/merge-patch+json"}
    with server.client() as http:
        for token, path, status in (
            (writer.token, "team/patchable", 403),
            (patcher_token, "team/app", 403),
            (patcher_token, "team/patchable", 200),
        ):
            response = http.patch(
                f"/v1/{MOUNT}/data/{path}",
                json={"data": {"p": 1}},
                headers={**merge, "X-Vault-Token": token},
            )
            assert response.status_code == status, (token, path)
    latest = mine.read_secret("team/patchable", mount_point=MOUNT, raise_on_deleted_version=True)
    assert latest["data"]["data"] == {"v": 1, "p": 1}


def test_tuning_a_v1_mount_to_v2_keeps_its_data(root_client: hvac.Client) -> None:
    root_client.sys.enable_secrets_engine("kv", path="legacy")
    root_client.secrets.kv.v1.create_or_update_secret(
        "team/app", {"password": "s3cret"}, mount_point="legacy"
    )
    root_client.sys.tune_mount_configuration("legacy", options={"version": "2"})
    assert root_client.sys.read_mount_configuration("legacy")["data"]["options"]["version"] == "2"
    read = root_client.secrets.kv.v2.read_secret_version(
        "team/app", mount_point="legacy", raise_on_deleted_version=True
    )
    assert read["data"]["data"] == {"password": "s3cret"}
    assert read["data"]["metadata"]["version"] == 1
    with pytest.raises(exceptions.InvalidRequest):
        root_client.sys.tune_mount_configuration("legacy", options={"version": "1"})
