"""The http-01 validator against a real local HTTP server: the key authorization is accepted
(surrounding whitespace allowed), anything else refused, and the SSRF bounds hold: no
redirects followed, bodies past 4 kB and slow answers cut off."""

from __future__ import annotations

import asyncio

from acme_helpers import Reply, http_server, response

from strongroom.engines.pki.acme.http01 import MAX_BODY, HTTP01Validator, challenge_url


async def check(reply: Reply, expected: str = "tok.thumb") -> str:
    async with http_server(reply) as port:
        validator = HTTP01Validator(port=port, timeout=2.0)
        return await validator.validate("ip", "127.0.0.1", "tok", expected)


async def test_the_key_authorization_passes() -> None:
    seen: list[str] = []

    def reply(line: str) -> bytes:
        seen.append(line)
        return response("200 OK", b"tok.thumb\n")

    assert await check(reply) == ""
    assert seen == ["GET /.well-known/acme-challenge/tok HTTP/1.1\r\n"]


async def test_wrong_answers_fail() -> None:
    assert "did not serve" in await check(lambda _: response("200 OK", b"tok.other"))
    assert "HTTP 404" in await check(lambda _: response("404 Not Found", b""))


async def test_redirects_are_not_followed() -> None:
    moved = await check(lambda _: response("302 Found", b"", "Location: http://10.0.0.1/"))
    assert "HTTP 302" in moved


async def test_large_bodies_are_cut_off() -> None:
    failure = await check(lambda _: response("200 OK", b"x" * (MAX_BODY * 4)))
    assert f"more than {MAX_BODY} bytes" in failure


async def test_nothing_listening() -> None:
    async with http_server(lambda _: b"") as port:
        pass  # closed again: the port is now (almost certainly) unused
    validator = HTTP01Validator(port=port, timeout=1.0)
    assert "could not fetch" in await validator.validate("dns", "localhost", "tok", "tok.x")


async def test_slow_answers_time_out() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readline()
        await asyncio.sleep(5)
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        validator = HTTP01Validator(port=port, timeout=0.3)
        failure = await validator.validate("ip", "127.0.0.1", "tok", "tok.x")
        assert "could not fetch" in failure
    finally:
        server.close()


def test_challenge_urls() -> None:
    assert challenge_url("dns", "example.com", "t") == (
        "http://example.com:80/.well-known/acme-challenge/t"
    )
    assert challenge_url("ip", "::1", "t") == "http://[::1]:80/.well-known/acme-challenge/t"
