"""The http-01 check (RFC 8555 8.3, RFC 8738 for addresses): fetch
`http://<identifier>:80/.well-known/acme-challenge/<token>` and compare the body with the key
authorization `<token>.<account key thumbprint>`.

This makes the server send a request to a host a client names, so it is kept narrow: plain
HTTP to port 80 of the identifier only (the identifier is a checked DNS name or IP address,
never a URL), no redirects followed (RFC 8555 allows them; refusing them keeps the request on
the named host), no proxy from the environment, a short timeout, and at most a few kilobytes
read. Names the directory's role would not issue for never get here: orders refuse them.
"""

from __future__ import annotations

import asyncio
import ipaddress

import httpx

HTTP_PORT = 80
TIMEOUT = 5.0  # seconds, for connecting and for the whole answer
MAX_BODY = 4096  # a key authorization is under 200 bytes


def challenge_url(kind: str, value: str, token: str, port: int = HTTP_PORT) -> str:
    host = value
    if kind == "ip" and ipaddress.ip_address(value).version == 6:
        host = f"[{value}]"
    return f"http://{host}:{port}/.well-known/acme-challenge/{token}"


class HTTP01Validator:
    """`port` is 80; tests give another so they need not bind a privileged port."""

    def __init__(self, port: int = HTTP_PORT, timeout: float = TIMEOUT) -> None:
        self._port = port
        self._timeout = timeout

    async def validate(self, kind: str, value: str, token: str, key_authorization: str) -> str:
        """The empty string when the host served the key authorization, else why not (public:
        it is about the client's own server)."""
        url = challenge_url(kind, value, token, self._port)
        try:
            async with asyncio.timeout(self._timeout):
                body = await self._fetch(url)
        except (httpx.HTTPError, TimeoutError) as failure:
            return f"could not fetch {url}: {type(failure).__name__}"
        except _Refused as refused:
            return str(refused)
        if body.strip() != key_authorization.encode():
            return f"{url} did not serve the expected key authorization"
        return ""

    async def _fetch(self, url: str) -> bytes:
        """The body, undecoded (no decompression: the size bound is on what is read)."""
        async with (
            httpx.AsyncClient(
                timeout=self._timeout, follow_redirects=False, trust_env=False
            ) as client,
            client.stream("GET", url, headers={"Accept-Encoding": "identity"}) as response,
        ):
            if response.status_code != 200:
                raise _Refused(f"{url} answered HTTP {response.status_code}")
            body = b""
            async for chunk in response.aiter_raw():
                body += chunk
                if len(body) > MAX_BODY:
                    raise _Refused(f"{url} answered with more than {MAX_BODY} bytes")
            return body


class _Refused(Exception):
    """The host answered, but not with a key authorization; `str()` says how."""
