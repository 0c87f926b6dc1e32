"""The CLI's HTTP client: where settings come from, what it sends, how failures read."""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from strongroom.cli.client import (
    DEFAULT_ADDRESS,
    Client,
    ClientConfigError,
    ClientError,
    ClientSettings,
    InvalidResponse,
    Unreachable,
)
from strongroom.cli.status import leader_status

SECRET_KEY = "c2VjcmV0LXNoYXJlLXRoYXQtbXVzdC1ub3QtbGVhaw=="


def test_address_precedence(tmp_path: Path) -> None:
    env = {"VAULT_ADDR": "https://vault:8200", "STRONGROOM_ADDR": "https://strongroom:8200/"}
    assert ClientSettings.resolve(environ={}, home=tmp_path).address == DEFAULT_ADDRESS
    assert ClientSettings.resolve(environ={"VAULT_ADDR": env["VAULT_ADDR"]}, home=tmp_path).address
    resolved = ClientSettings.resolve(environ=env, home=tmp_path)
    assert resolved.address == "https://strongroom:8200"  # trailing slash dropped
    flagged = ClientSettings.resolve(address="https://flag:1", environ=env, home=tmp_path)
    assert flagged.address == "https://flag:1"


def test_token_from_environment_then_token_helper_file(tmp_path: Path) -> None:
    assert ClientSettings.resolve(environ={}, home=tmp_path).token == ""
    (tmp_path / ".vault-token").write_text("hvs.from-the-helper\n")
    assert ClientSettings.resolve(environ={}, home=tmp_path).token == "hvs.from-the-helper"
    env = {"VAULT_TOKEN": "hvs.vault", "STRONGROOM_TOKEN": "hvs.strongroom"}
    assert ClientSettings.resolve(environ=env, home=tmp_path).token == "hvs.strongroom"


def test_tls_settings(tmp_path: Path) -> None:
    settings = ClientSettings.resolve(environ={"VAULT_SKIP_VERIFY": "true"}, home=tmp_path)
    assert settings.skip_verify and settings.verify() is False
    env = {"STRONGROOM_SKIP_VERIFY": "0", "VAULT_SKIP_VERIFY": "1"}
    assert not ClientSettings.resolve(environ=env, home=tmp_path).skip_verify
    assert isinstance(ClientSettings.resolve(environ={}, home=tmp_path).verify(), ssl.SSLContext)
    with pytest.raises(ClientConfigError, match="could not parse VAULT_SKIP_VERIFY"):
        ClientSettings.resolve(environ={"VAULT_SKIP_VERIFY": "maybe"}, home=tmp_path)
    missing = ClientSettings.resolve(
        environ={"VAULT_CACERT": str(tmp_path / "none.pem")}, home=tmp_path
    )
    with pytest.raises(ClientConfigError, match=r"Error loading CA certificate .*none\.pem"):
        missing.verify()


def client_for(handler: Callable[[httpx.Request], httpx.Response], token: str = "") -> Client:
    settings = ClientSettings("https://sr.test", token, None, skip_verify=True)
    return Client(settings, transport=httpx.MockTransport(handler))


def test_requests_carry_the_vault_headers_and_json() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"sealed": False})

    with client_for(handler, token="hvs.abc") as client:
        assert client.put("sys/unseal", {"key": SECRET_KEY}) == {"sealed": False}
    request = seen[0]
    assert (request.method, str(request.url)) == ("PUT", "https://sr.test/v1/sys/unseal")
    assert request.headers["X-Vault-Request"] == "true"
    assert request.headers["X-Vault-Token"] == "hvs.abc"
    assert json.loads(request.content) == {"key": SECRET_KEY}

    with client_for(handler) as anonymous:
        anonymous.get("sys/seal-status")
    assert "X-Vault-Token" not in seen[1].headers


def test_error_status_becomes_client_error_without_the_request_body() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"errors": ["bad key", "try again"]})

    with client_for(handler) as client, pytest.raises(ClientError) as raised:
        client.put("sys/unseal", {"key": SECRET_KEY})
    error = raised.value
    assert (error.status, error.errors) == (400, ["bad key", "try again"])
    assert str(error) == (
        "Error making API request.\n\n"
        "URL: PUT https://sr.test/v1/sys/unseal\n"
        "Code: 400. Errors:\n\n"
        "* bad key\n* try again"
    )
    assert SECRET_KEY not in str(error)


@pytest.mark.parametrize(
    ("response", "errors"),
    [
        (httpx.Response(502, text="bad gateway\n"), ["bad gateway"]),
        (httpx.Response(404, json={"errors": []}), []),
        (httpx.Response(500), []),
    ],
)
def test_error_bodies_that_are_not_an_errors_list(
    response: httpx.Response, errors: list[str]
) -> None:
    with client_for(lambda request: response) as client, pytest.raises(ClientError) as raised:
        client.get("sys/x")
    assert raised.value.errors == errors


def test_empty_and_unexpected_answers() -> None:
    with client_for(lambda request: httpx.Response(204)) as client:
        client.send("PUT", "sys/seal")
        with pytest.raises(InvalidResponse, match="answered 204"):
            client.get("sys/key-status")
    not_an_object = client_for(lambda request: httpx.Response(200, text="[1]"))
    with not_an_object as client, pytest.raises(InvalidResponse, match="without a JSON object"):
        client.get("sys/key-status")


def test_delete_sends_params_in_the_query() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    with client_for(handler) as client:
        client.send("DELETE", "sys/rekey/init", params={"nonce": "n-1"})
    assert seen[0].url.params["nonce"] == "n-1"


def test_transport_failure_is_unreachable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    with client_for(handler) as client, pytest.raises(Unreachable) as raised:
        client.get("sys/seal-status")
    assert str(raised.value) == (
        "GET https://sr.test/v1/sys/seal-status: cannot reach the server: "
        "[Errno 111] Connection refused"
    )


def test_a_sealed_node_that_cannot_answer_sys_leader_has_ha_enabled() -> None:
    sealed = client_for(lambda request: httpx.Response(503, json={"errors": ["Vault is sealed"]}))
    with sealed as client:
        assert leader_status(client) == {"ha_enabled": True}
    broken = client_for(lambda request: httpx.Response(500, json={"errors": ["boom"]}))
    with broken as client, pytest.raises(ClientError):
        leader_status(client)
