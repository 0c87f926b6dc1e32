"""ACME request admission: the JWS rules (flattened form, algorithms, url, nonce, jwk versus
kid), accounts (lookup by key, onlyReturnExisting, update, deactivation, key-change)."""

from __future__ import annotations

import orjson
import pytest
from acme_helpers import MOUNT_URL, ACMEClient, b64, enable, sign
from joserfc.jwk import ECKey, OKPKey, RSAKey
from pki_helpers import PKI

from strongroom.engines.pki.acme.jws import thumbprint
from strongroom.logical import Operation


@pytest.fixture
async def client(pki: PKI) -> ACMEClient:
    await enable(pki)
    return ACMEClient(pki)


async def test_directory_and_nonces(pki: PKI, client: ACMEClient) -> None:
    directory = await client.pki(Operation.READ, "acme/directory")
    assert directory is not None and directory.raw_body is not None
    document = orjson.loads(directory.raw_body)
    assert document["newNonce"] == f"{MOUNT_URL}/acme/new-nonce"
    assert document["newOrder"] == f"{MOUNT_URL}/acme/new-order"
    assert document["meta"] == {"externalAccountRequired": False}
    assert directory.headers["Link"] == f'<{MOUNT_URL}/acme/directory>;rel="index"'
    head = await client.pki(Operation.HEADER, "acme/new-nonce")
    get = await client.pki(Operation.READ, "roles/x/acme/new-nonce")  # problem: no role x
    assert head is not None and head.status == 200 and head.raw_body == b""
    assert get is not None and get.status == 400 and "Replay-Nonce" in get.headers
    first, second = await client.nonce(), await client.nonce()
    assert first != second


async def test_new_account_and_lookup_by_key(client: ACMEClient) -> None:
    missing = await client.post("new-account", {"onlyReturnExisting": True})
    assert missing.status == 400 and missing.problem == "accountDoesNotExist"
    created = await client.register(contact=["mailto:ops@example.com"])
    assert created.status == 201
    assert created.headers["Location"].startswith(f"{MOUNT_URL}/acme/account/")
    assert created.body["status"] == "valid"
    assert created.body["contact"] == ["mailto:ops@example.com"]
    again = await client.post("new-account", {"onlyReturnExisting": True}, use_jwk=True)
    assert again.status == 200 and again.headers["Location"] == client.kid
    other = await client.post("new-account", {}, use_jwk=True)
    assert other.status == 200 and other.headers["Location"] == client.kid


async def test_bad_signature_is_refused(client: ACMEClient) -> None:
    stranger = ECKey.generate_key("P-256")
    body = client.jws("new-account", {}, nonce=await client.nonce(), key=stranger)
    # The header claims the client's key; the signature is the stranger's.
    forged = client.jws("new-account", {}, nonce=await client.nonce())
    forged["signature"] = body["signature"]
    result = await client.send("new-account", forged)
    assert result.status == 403 and result.problem == "unauthorized"


async def test_url_must_be_the_request_url(client: ACMEClient) -> None:
    wrong = await client.post("new-account", {}, url=f"{MOUNT_URL}/acme/new-order")
    assert wrong.status == 403 and wrong.problem == "unauthorized"


async def test_a_nonce_is_used_once(client: ACMEClient) -> None:
    nonce = await client.nonce()
    assert (await client.post("new-account", {}, nonce=nonce)).status == 201
    replay = await client.post("new-account", {}, nonce=nonce, use_jwk=True)
    assert replay.status == 400 and replay.problem == "badNonce"
    assert replay.headers["Replay-Nonce"]  # a fresh one to retry with
    made_up = await client.post("new-account", {}, nonce="not-a-nonce", use_jwk=True)
    assert made_up.problem == "badNonce"


async def test_nonces_expire(pki: PKI, client: ACMEClient) -> None:
    nonce = await client.nonce()
    pki.clock.advance(16 * 60)
    assert (await client.post("new-account", {}, nonce=nonce)).problem == "badNonce"


async def test_jwk_and_kid_rules(client: ACMEClient) -> None:
    await client.register()
    # Resources other than new-account (and revoke-cert) need the kid.
    with_jwk = await client.post("new-order", {"identifiers": []}, use_jwk=True)
    assert with_jwk.status == 400 and with_jwk.problem == "malformed"
    # new-account needs the jwk.
    with_kid = await client.post("new-account", {})
    assert with_kid.problem == "malformed"
    # Both, or neither.
    nonce = await client.nonce()
    header = {
        "alg": "ES256",
        "nonce": nonce,
        "url": client.url("new-order"),
        "kid": client.kid,
        "jwk": client.key.as_dict(private=False),
    }
    both = await client.send("new-order", sign(header, b"{}", client.key))
    assert both.problem == "malformed"
    # An unknown kid.
    stranger = ACMEClient(client.pki)
    stranger.kid = f"{MOUNT_URL}/acme/account/no-such-account"
    unknown = await stranger.post("new-order", {"identifiers": []})
    assert unknown.status == 400 and unknown.problem == "accountDoesNotExist"


async def test_refused_forms_and_algorithms(client: ACMEClient) -> None:
    body = client.jws("new-account", {}, nonce=await client.nonce())
    general = await client.send("new-account", {**body, "header": {"kid": "x"}})
    assert general.problem == "malformed"
    for alg, signature in (("HS256", "AAAA"), ("none", "")):
        header = {"alg": alg, "nonce": await client.nonce(), "url": client.url("new-account")}
        header["jwk"] = client.key.as_dict(private=False)
        body = {"protected": b64(orjson.dumps(header)), "payload": b64(b"{}")}
        refused = await client.send("new-account", {**body, "signature": signature})
        assert refused.problem == "badSignatureAlgorithm", alg


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
@pytest.mark.parametrize("kind", ["rsa", "ed25519", "p384"])
async def test_other_key_types(pki: PKI, kind: str) -> None:
    await enable(pki)
    keys = {
        "rsa": (RSAKey.generate_key(2048), "RS256"),
        "ed25519": (OKPKey.generate_key("Ed25519"), "EdDSA"),
        "p384": (ECKey.generate_key("P-384"), "ES384"),
    }
    key, alg = keys[kind]
    client = ACMEClient(pki)
    header = {
        "alg": alg,
        "nonce": await client.nonce(),
        "url": client.url("new-account"),
        "jwk": key.as_dict(private=False),
    }
    result = await client.send("new-account", sign(header, b"{}", key))
    assert result.status == 201


async def test_account_update_deactivate_and_key_change(client: ACMEClient) -> None:
    await client.register()
    account = client.relative(client.kid)
    read = await client.post(account)  # POST-as-GET
    assert read.status == 200 and read.body["status"] == "valid"
    updated = await client.post(account, {"contact": ["mailto:new@example.com"]})
    assert updated.body["contact"] == ["mailto:new@example.com"]
    bad_contact = await client.post(account, {"contact": ["tel:+1555"]})
    assert bad_contact.problem == "unsupportedContact"

    new_key = ECKey.generate_key("P-256")
    inner = sign(
        {"alg": "ES256", "jwk": new_key.as_dict(private=False), "url": client.url("key-change")},
        orjson.dumps({"account": client.kid, "oldKey": client.key.as_dict(private=False)}),
        new_key,
    )
    changed = await client.post("key-change", inner)
    assert changed.status == 200
    old_key = client.key
    client.key = new_key
    assert (await client.post(account)).status == 200
    client.key = old_key
    assert (await client.post(account)).problem == "unauthorized"
    client.key = new_key
    lookup = await client.post("new-account", {"onlyReturnExisting": True}, use_jwk=True)
    assert lookup.headers["Location"] == client.kid

    gone = await client.post(account, {"status": "deactivated"})
    assert gone.body["status"] == "deactivated"
    after = await client.post(account)
    assert after.status == 403 and after.problem == "unauthorized"


async def test_an_account_is_only_its_own(client: ACMEClient) -> None:
    await client.register()
    other = ACMEClient(client.pki)
    await other.register()
    peek = await other.post(client.relative(client.kid))
    assert peek.problem == "unauthorized"


def test_thumbprint_matches_rfc_7638_example() -> None:
    # RFC 7638 section 3.1's example RSA key and its SHA-256 thumbprint.
    jwk = {
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6"
        "tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65"
        "YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrd"
        "kt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqD"
        "Kgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29",
    }
    assert thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def _protected(header: object) -> str:
    return b64(orjson.dumps(header))


@pytest.mark.parametrize(
    "change",
    [
        {"protected": 5},
        {"protected": "not base64!"},
        {"protected": b64(b"not json")},
        {"protected": _protected(["a", "list"])},
        {"protected": _protected({"alg": "ES256", "url": "x", "jwk": {"kty": "EC"}})},  # no nonce
        {"signature": "padded=="},
    ],
)
async def test_malformed_jws(client: ACMEClient, change: dict[str, object]) -> None:
    body = {**client.jws("new-account", {}, nonce=await client.nonce()), **change}
    result = await client.send("new-account", body)
    assert result.status == 400 and result.problem == "malformed", result.body


@pytest.mark.parametrize("payload", [b"not json", b"[1, 2]"])
async def test_payload_must_be_a_json_object(client: ACMEClient, payload: bytes) -> None:
    header = {"alg": "ES256", "nonce": await client.nonce(), "url": client.url("new-account")}
    body = sign({**header, "jwk": client.key.as_dict(private=False)}, payload, client.key)
    assert (await client.send("new-account", body)).problem == "malformed"


async def test_bad_public_keys(client: ACMEClient) -> None:
    for jwk in ({"kty": "oct", "k": "AAAA"}, {**client.key.as_dict(private=True)}, {"kty": "EC"}):
        header = {"alg": "ES256", "nonce": await client.nonce(), "url": client.url("new-account")}
        body = sign({**header, "jwk": client.key.as_dict(private=False)}, b"{}", client.key)
        body["protected"] = _protected({**header, "jwk": jwk})
        assert (await client.send("new-account", body)).problem == "badPublicKey"


async def test_key_change_rules(client: ACMEClient) -> None:
    await client.register()
    other = ACMEClient(client.pki)
    await other.register()
    new_key = ECKey.generate_key("P-256")

    def inner(payload: dict[str, object], key: ECKey = new_key, **header: object) -> dict[str, str]:
        protected = {"alg": "ES256", "jwk": key.as_dict(private=False)}
        protected.update({"url": client.url("key-change"), **header})
        return sign(protected, orjson.dumps(payload), key)

    old = client.key.as_dict(private=False)
    cases = [
        inner({"account": other.kid, "oldKey": old}),
        inner({"account": client.kid, "oldKey": new_key.as_dict(private=False)}),
        inner({"account": client.kid, "oldKey": old}, url=client.url("new-order")),
        inner({"account": client.kid, "oldKey": old}, nonce="x"),
    ]
    for body in cases:
        assert (await client.post("key-change", body)).problem == "malformed"
    taken = inner({"account": client.kid, "oldKey": old}, key=other.key)
    conflict = await client.post("key-change", taken)
    assert conflict.status == 409
    assert conflict.headers["Location"] == other.kid  # RFC 8555 7.3.5


async def test_a_kid_is_bound_to_its_directory(pki: PKI, client: ACMEClient) -> None:
    await pki.role("web", allow_any_name=True, key_type="any")
    await client.register()
    elsewhere = ACMEClient(pki, "roles/web/acme/", key=client.key)
    elsewhere.kid = client.kid  # the default directory's account URL
    assert (await elsewhere.order(("dns", "www.example.com"))).problem == "accountDoesNotExist"
    account_id = client.kid.rsplit("/", 1)[1]
    elsewhere.kid = elsewhere.url(f"account/{account_id}")  # the same id, under this directory
    assert (await elsewhere.order(("dns", "www.example.com"))).problem == "unauthorized"


def test_nonce_store_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from strongroom.engines.pki.acme import nonces
    from strongroom.testing.clock import FakeClock

    monkeypatch.setattr(nonces, "MAX_OUTSTANDING", 3)
    store = nonces.NonceStore(FakeClock())
    first, *rest = [store.issue() for _ in range(4)]
    assert not store.redeem(first)  # the oldest was forgotten
    assert all(store.redeem(nonce) for nonce in rest)
    assert not store.redeem(rest[0])
