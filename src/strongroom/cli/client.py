"""The HTTP client the commands share: where the server is, how to trust it, who we are.

Settings come from the command's flags, then `STRONGROOM_*`, then the vault CLI's `VAULT_*`
variables, so existing scripts and environments keep working.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from strongroom.logical.values import parse_bool

DEFAULT_ADDRESS = "https://127.0.0.1:8200"
TOKEN_HELPER_FILE = ".vault-token"
TIMEOUT_SECONDS = 60.0  # the vault CLI's default client timeout
NOT_FOUND = 404
LIST = {"list": "true"}  # the vault CLI lists with `GET ?list=true`, not the LIST method

JSONObject = dict[str, Any]
Params = Mapping[str, str | Sequence[str]]


class RequestFailed(Exception):
    """A request produced no usable answer; the text never contains the request body."""


class ClientError(RequestFailed):
    """The server answered with an error status (≥ 400) and its `errors` list."""

    def __init__(self, method: str, url: str, status: int, errors: list[str]) -> None:
        self.method = method
        self.url = url
        self.status = status
        self.errors = errors
        super().__init__(status, errors)

    def __str__(self) -> str:
        lines = [
            "Error making API request.",
            "",
            f"URL: {self.method} {self.url}",
            f"Code: {self.status}. Errors:",
            "",
        ]
        return "\n".join(lines + [f"* {error}" for error in self.errors])


class Unreachable(RequestFailed):
    """No HTTP answer: the connection, the TLS handshake or the wait for a reply failed."""

    def __init__(self, method: str, url: str, reason: str) -> None:
        self.method = method
        self.url = url
        self.reason = reason
        super().__init__(method, url, reason)

    def __str__(self) -> str:
        return f"{self.method} {self.url}: cannot reach the server: {self.reason}"


class InvalidResponse(RequestFailed):
    """A success status whose body is not the JSON object the endpoint promises."""

    def __init__(self, method: str, url: str, status: int) -> None:
        super().__init__(f"{method} {url}: the server answered {status} without a JSON object")


class ClientConfigError(Exception):
    """The client cannot be set up from its flags and environment (a bad CA file, say)."""


@dataclass(frozen=True)
class ClientSettings:
    address: str
    token: str
    ca_cert: str | None
    skip_verify: bool

    @classmethod
    def resolve(
        cls,
        *,
        address: str | None = None,
        ca_cert: str | None = None,
        skip_verify: bool = False,
        environ: Mapping[str, str] | None = None,
        home: Path | None = None,
    ) -> ClientSettings:
        """Flags first, then `STRONGROOM_*`, then `VAULT_*`, then the defaults."""
        env = os.environ if environ is None else environ
        return cls(
            address=(address or _env(env, "ADDR") or DEFAULT_ADDRESS).rstrip("/"),
            token=_env(env, "TOKEN") or _helper_token(home),
            ca_cert=ca_cert or _env(env, "CACERT") or None,
            skip_verify=skip_verify or _env_flag(env, "SKIP_VERIFY"),
        )

    def verify(self) -> ssl.SSLContext | bool:
        if self.skip_verify:
            return False
        try:
            return ssl.create_default_context(cafile=self.ca_cert)
        except (OSError, ssl.SSLError) as exc:
            raise ClientConfigError(f"Error loading CA certificate {self.ca_cert}: {exc}") from None


def _env(environ: Mapping[str, str], suffix: str) -> str:
    return environ.get(f"STRONGROOM_{suffix}") or environ.get(f"VAULT_{suffix}") or ""


def _env_flag(environ: Mapping[str, str], suffix: str) -> bool:
    for name in (f"STRONGROOM_{suffix}", f"VAULT_{suffix}"):
        value = environ.get(name, "")
        if value:
            try:
                return parse_bool(value)
            except ValueError:
                raise ClientConfigError(f"could not parse {name}") from None
    return False


def _helper_token(home: Path | None) -> str:
    try:
        path = (home or Path.home()) / TOKEN_HELPER_FILE
        return path.read_text().strip()
    except (OSError, RuntimeError):  # no file, or no home directory to look in
        return ""


def store_helper_token(token: str, home: Path | None = None) -> Path:
    """Save `token` in the token helper file (`~/.vault-token`, mode 0600) for later commands.

    Written to a temporary file first and renamed over the old one, as the vault CLI does, so
    an interrupted write never leaves half a token and the mode is always 0600.
    Raises `OSError` (or `RuntimeError` when there is no home directory).
    """
    path = (home or Path.home()) / TOKEN_HELPER_FILE
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # a left-over temporary file may have another mode
        with os.fdopen(descriptor, "w") as file:
            file.write(token)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


class Client:
    """Synchronous requests to `/v1/…`; answers are JSON objects, or None for a 204.

    With `wrap_ttl` (a duration), every request asks the server to wrap its response
    (`X-Vault-Wrap-TTL`), as the vault CLI's `-wrap-ttl` does.
    """

    def __init__(
        self,
        settings: ClientSettings,
        *,
        wrap_ttl: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        headers = {"X-Vault-Request": "true"}
        if settings.token:
            headers["X-Vault-Token"] = settings.token
        if wrap_ttl:
            headers["X-Vault-Wrap-TTL"] = wrap_ttl
        self._http = httpx.Client(
            headers=headers,
            verify=settings.verify(),
            timeout=TIMEOUT_SECONDS,
            transport=transport,
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._http.close()

    def get(self, path: str) -> JSONObject:
        return _required(self.request("GET", path), "GET", self.url(path))

    def find(self, path: str, params: Params | None = None) -> JSONObject | None:
        """`GET path`, or None when nothing is there (404, or an empty answer).

        The vault CLI's reads treat any 404 this way, whatever its error list says.
        """
        try:
            return self.request("GET", path, params=params)
        except ClientError as exc:
            if exc.status == NOT_FOUND:
                return None
            raise

    def put(self, path: str, body: JSONObject | None = None) -> JSONObject:
        """A PUT to an endpoint that answers with a JSON object."""
        return _required(self.request("PUT", path, body=body), "PUT", self.url(path))

    def send(
        self,
        method: str,
        path: str,
        *,
        body: JSONObject | None = None,
        params: Params | None = None,
    ) -> None:
        """A request whose answer (usually 204) carries nothing the caller needs."""
        self.request(method, path, body=body, params=params)

    def raw(
        self,
        method: str,
        path: str,
        *,
        body: JSONObject | None = None,
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """The HTTP answer itself, for callers that need its status or headers (kv reads of
        deleted versions, merge patches); only a failed connection raises."""
        url = self.url(path)
        try:
            return self._http.request(method, url, json=body, params=params, headers=headers)
        except httpx.TransportError as exc:
            raise Unreachable(method, url, str(exc) or type(exc).__name__) from None

    def url(self, path: str) -> str:
        return f"{self.settings.address}/v1/{path}"

    def request(
        self,
        method: str,
        path: str,
        *,
        body: JSONObject | None = None,
        params: Params | None = None,
        token: str | None = None,
    ) -> JSONObject | None:
        """One request; a `token` replaces the client's own token for this request."""
        url = self.url(path)
        headers = {"X-Vault-Token": token} if token else None
        response = self.raw(method, path, body=body, params=params, headers=headers)
        if response.status_code >= 400:
            raise ClientError(method, url, response.status_code, response_errors(response))
        if response.status_code == 204 or not response.content:
            return None
        try:
            document = response.json()
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise InvalidResponse(method, url, response.status_code)
        return document


def _required(document: JSONObject | None, method: str, url: str) -> JSONObject:
    if document is None:
        raise InvalidResponse(method, url, 204)
    return document


def response_errors(response: httpx.Response) -> list[str]:
    try:
        document = response.json()
    except ValueError:
        document = None
    if isinstance(document, dict) and isinstance(document.get("errors"), list):
        return [str(error) for error in document["errors"]]
    text = response.text.strip()
    return [text] if text else []
