"""The JWS that carries every ACME POST (RFC 8555 6.2): flattened JSON serialization only, a
protected header with `alg`, `nonce`, `url` and exactly one of `jwk` or `kid`, signed with an
asymmetric algorithm. Signature checks are joserfc's; what ACME adds on top is here.

Nothing here touches storage or nonces: `verify_request` (in `requests.py`) decides which key
must have signed, then calls `verify_signature`.
"""

from __future__ import annotations

import binascii
import warnings
from dataclasses import dataclass
from typing import Any

import orjson
from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import JWKRegistry, OctKey
from joserfc.jws import FlattenedJSONSerialization
from joserfc.registry import HeaderParameter

from strongroom.crypto.b64 import decode_url_unpadded
from strongroom.engines.pki.acme.problems import Problem, malformed, unauthorized

# RSA, ECDSA (each curve with its hash) and Ed25519 (as `EdDSA`, what ACME clients send, or
# RFC 9864's `Ed25519`); never `none`, never a MAC (RFC 8555 6.2).
ACCOUNT_ALGORITHMS = ("RS256", "ES256", "ES384", "ES512", "EdDSA", "Ed25519")
EAB_ALGORITHMS = ("HS256", "HS384", "HS512")
_FLATTENED = frozenset({"protected", "payload", "signature"})
# The largest JWS read, in base64url characters: a finalize with a 16 kB CSR is under 30 kB.
# (joserfc has its own bounds, but past them it only says that the signature failed.)
MAX_JWS_LENGTH = 64 * 1024
_ACME_HEADERS = {
    "nonce": HeaderParameter("ACME anti-replay nonce", "str"),
    "url": HeaderParameter("the URL this request was sent to", "str"),
}


def _registry(algorithms: tuple[str, ...]) -> jws.JWSRegistry:
    registry = jws.JWSRegistry(header_registry=dict(_ACME_HEADERS), algorithms=algorithms)
    # An RSA-4096 JWK in the protected header is ~1 kB of base64; joserfc's default is 512.
    registry.max_header_length = 8192
    return registry


_ACCOUNT_REGISTRY = _registry(ACCOUNT_ALGORITHMS)
_EAB_REGISTRY = _registry(EAB_ALGORITHMS)


@dataclass(frozen=True, slots=True)
class Envelope:
    """A flattened JWS, decoded but not yet verified."""

    body: dict[str, str]
    header: dict[str, Any]
    payload: bytes  # b"" for POST-as-GET

    @property
    def alg(self) -> str:
        return str(self.header.get("alg", ""))

    @property
    def jwk(self) -> dict[str, Any] | None:
        value = self.header.get("jwk")
        return value if isinstance(value, dict) else None

    @property
    def kid(self) -> str:
        value = self.header.get("kid")
        return value if isinstance(value, str) else ""

    def json_payload(self) -> dict[str, Any]:
        """The payload as a JSON object; POST-as-GET (empty payload) is refused here."""
        try:
            document = orjson.loads(self.payload)
        except orjson.JSONDecodeError:
            raise malformed("the JWS payload is not JSON") from None
        if not isinstance(document, dict):
            raise malformed("the JWS payload must be a JSON object")
        return document


def _b64(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise malformed(f"the JWS {what} must be a base64url string")
    try:
        return decode_url_unpadded(value)
    except (binascii.Error, ValueError):
        raise malformed(f"the JWS {what} is not unpadded base64url") from None


def _flattened(envelope: Envelope) -> FlattenedJSONSerialization:
    body = envelope.body
    return {
        "protected": body["protected"],
        "payload": body["payload"],
        "signature": body["signature"],
    }


def decode(body: dict[str, Any]) -> Envelope:
    """The parts of a flattened JWS, with ACME's header rules checked (not the signature)."""
    if set(body) != _FLATTENED:
        raise malformed("expected a flattened JWS: protected, payload and signature only")
    if sum(len(part) for part in body.values() if isinstance(part, str)) > MAX_JWS_LENGTH:
        raise malformed(f"the JWS is too large (at most {MAX_JWS_LENGTH} characters)")
    try:
        header = orjson.loads(_b64(body["protected"], "protected header"))
    except orjson.JSONDecodeError:
        raise malformed("the JWS protected header is not JSON") from None
    if not isinstance(header, dict):
        raise malformed("the JWS protected header must be a JSON object")
    payload = _b64(body["payload"], "payload") if body["payload"] else b""
    _b64(body["signature"], "signature")
    envelope = Envelope(body, header, payload)
    if envelope.alg not in ACCOUNT_ALGORITHMS:
        raise Problem("badSignatureAlgorithm", f"unsupported JWS algorithm {envelope.alg!r}")
    if (envelope.jwk is None) == (not envelope.kid):
        raise malformed("the JWS header needs exactly one of jwk and kid")
    for name in ("nonce", "url"):
        if not isinstance(header.get(name), str) or not header[name]:
            raise malformed(f"the JWS header has no {name}")
    return envelope


def decode_inner(body: Any, url: str) -> Envelope:
    """The inner JWS of a key-change (RFC 8555 7.3.5): signed by the new key, embedded as `jwk`,
    for the same URL as the outer one, without a nonce. Its signature is checked here."""
    if not isinstance(body, dict) or set(body) != _FLATTENED:
        raise malformed("the key-change payload must be a flattened JWS")
    try:
        header = orjson.loads(_b64(body["protected"], "inner header"))
    except orjson.JSONDecodeError:
        raise malformed("the key-change inner header is not JSON") from None
    if not isinstance(header, dict) or header.get("alg") not in ACCOUNT_ALGORITHMS:
        raise Problem("badSignatureAlgorithm", "unsupported algorithm in the inner JWS")
    envelope = Envelope(body, header, _b64(body["payload"], "inner payload"))
    if envelope.jwk is None or "kid" in header or "nonce" in header:
        raise malformed("the inner JWS needs a jwk, and neither a kid nor a nonce")
    if header.get("url") != url:
        raise malformed("the inner JWS url must be the outer one")
    verify_signature(envelope, envelope.jwk)
    return envelope


def import_public_key(jwk: dict[str, Any]) -> Any:
    """A joserfc key from a public JWK; private members and MAC keys are refused."""
    if jwk.get("kty") not in ("RSA", "EC", "OKP") or "d" in jwk:
        raise Problem("badPublicKey", "the JWK must be a public RSA, EC or OKP key")
    try:
        return JWKRegistry.import_key(jwk)
    except (JoseError, ValueError, TypeError):
        raise Problem("badPublicKey", "the JWK is not a valid public key") from None


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638: SHA-256 of the key's required members, base64url."""
    return str(import_public_key(jwk).thumbprint())


def verify_signature(envelope: Envelope, jwk: dict[str, Any]) -> None:
    """Raise unless `jwk` made the envelope's signature with its declared algorithm."""
    key = import_public_key(jwk)
    try:
        with warnings.catch_warnings():
            # joserfc warns that `EdDSA` is deprecated (RFC 9864); ACME clients still send it.
            warnings.simplefilter("ignore", SecurityWarning)
            jws.deserialize_json(_flattened(envelope), key, registry=_ACCOUNT_REGISTRY)
    except JoseError:
        raise unauthorized("the JWS signature does not verify with the account key") from None


def verify_eab(binding: Any, mac_key: bytes, url: str, account_jwk: dict[str, Any]) -> str:
    """An externalAccountBinding (RFC 8555 7.3.4): a JWS by the EAB's MAC key over the account's
    JWK, for the same URL, without a nonce. Returns the EAB id (`kid`) after checking its MAC;
    the caller looks the key up with `eab_kid` first."""
    envelope = _eab_envelope(binding)
    try:
        jws.deserialize_json(
            _flattened(envelope), OctKey.import_key(mac_key), registry=_EAB_REGISTRY
        )
    except JoseError:
        raise unauthorized("the external account binding's MAC does not verify") from None
    if envelope.header.get("url") != url:
        raise unauthorized("the external account binding is for another URL")
    if envelope.json_payload() != account_jwk:
        raise unauthorized("the external account binding is for another key")
    return envelope.kid


def eab_kid(binding: Any) -> str:
    """The EAB id a binding names (its MAC not yet checked)."""
    return _eab_envelope(binding).kid


def _eab_envelope(binding: Any) -> Envelope:
    if not isinstance(binding, dict) or set(binding) != _FLATTENED:
        raise malformed("externalAccountBinding must be a flattened JWS")
    try:
        header = orjson.loads(_b64(binding["protected"], "binding header"))
    except orjson.JSONDecodeError:
        raise malformed("the external account binding header is not JSON") from None
    if not isinstance(header, dict) or header.get("alg") not in EAB_ALGORITHMS:
        raise malformed("the external account binding must use HS256, HS384 or HS512")
    if "nonce" in header or not isinstance(header.get("kid"), str):
        raise malformed("the external account binding needs a kid and no nonce")
    return Envelope(binding, header, _b64(binding["payload"], "binding payload"))
