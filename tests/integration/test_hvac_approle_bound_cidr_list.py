"""AppRole's deprecated `role/<name>/bound-cidr-list` against a real server. hvac has no method
for it, so the requests go through its adapter; the effect is checked with hvac's own API."""

from __future__ import annotations

from collections.abc import Callable

import hvac
import pytest
from hvac import exceptions

AsToken = Callable[[str], hvac.Client]
ENDPOINT = "/v1/auth/approle/role/web/bound-cidr-list"


@pytest.fixture
def approle(root_client: hvac.Client) -> hvac.Client:
    root_client.sys.enable_auth_method("approle")
    return root_client


def test_bound_cidr_list_writes_reads_and_resets(approle: hvac.Client, as_token: AsToken) -> None:
    api = approle.auth.approle
    api.create_or_update_approle("web", token_policies=["app"])
    role_id = api.read_role_id("web")["data"]["role_id"]
    secret_id = api.generate_secret_id("web")["data"]["secret_id"]

    approle.adapter.post(ENDPOINT, json={"bound_cidr_list": ["10.0.0.0/8"]})
    assert api.read_role("web")["data"]["secret_id_bound_cidrs"] == ["10.0.0.0/8"]
    read = approle.adapter.get(ENDPOINT)
    assert read["data"] == {"bound_cidr_list": ["10.0.0.0/8"]}
    assert read["warnings"] == ["bound_cidr_list is deprecated: use secret_id_bound_cidrs"]
    with pytest.raises(exceptions.InvalidRequest, match="source address unauthorized"):
        as_token("").auth.approle.login(role_id, secret_id)

    approle.adapter.delete(ENDPOINT)
    assert api.read_role("web")["data"]["secret_id_bound_cidrs"] is None
    assert as_token("").auth.approle.login(role_id, secret_id)["auth"]["client_token"]

    with pytest.raises(exceptions.InvalidRequest, match="missing bound_cidr_list"):
        approle.adapter.post(ENDPOINT, json={})
    with pytest.raises(exceptions.InvalidPath):
        approle.adapter.get("/v1/auth/approle/role/nope/bound-cidr-list")
