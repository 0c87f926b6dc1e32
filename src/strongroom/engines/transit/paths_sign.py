"""`sign/<name>[/<hash>]`, `verify/<name>[/<hash>]`, `hmac/<name>[/<algorithm>]`."""

from __future__ import annotations

from strongroom.crypto.compare import constant_time_equal
from strongroom.engines.transit import signing
from strongroom.engines.transit.batch import BatchRun, Item, batch_items, text
from strongroom.engines.transit.encoding import (
    decode_b64,
    encode_b64,
    split_versioned,
    versioned,
)
from strongroom.engines.transit.hashing import DEFAULT_HASH, HASHES, mac
from strongroom.engines.transit.keyring import Key
from strongroom.engines.transit.params import NAME_FIELD, existing_key, named, optional_b64
from strongroom.engines.transit.store import KeyStore
from strongroom.errors import InvalidParameter
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response

_ALGORITHM = r"(?:/(?P<urlalgorithm>[\w\-]+))?"
_COMMON = {
    **NAME_FIELD,
    "urlalgorithm": Field(FieldType.STRING, "hash algorithm (from the path)"),
    "input": Field(FieldType.STRING, "base64 input"),
    "key_version": Field(FieldType.INT, "key version (0: latest)", default=0),
    "batch_input": Field(FieldType.STRING, "a list of items"),  # read raw
}
SIGN_FIELDS = {
    **_COMMON,
    "context": Field(FieldType.STRING, "base64 derivation context (derived ed25519)"),
    "hash_algorithm": Field(FieldType.STRING, "hash algorithm"),
    "algorithm": Field(FieldType.STRING, "hash algorithm (older name)"),
    "prehashed": Field(FieldType.BOOL, "the input is already a digest", default=False),
    "signature_algorithm": Field(FieldType.STRING, "RSA: pss or pkcs1v15"),
    "marshaling_algorithm": Field(FieldType.STRING, "asn1 or jws", default="asn1"),
    "salt_length": Field(FieldType.STRING, "RSA-PSS: auto, hash or a number", default="auto"),
    "signature": Field(FieldType.STRING, "vault:v<N>:… signature to verify"),
    "hmac": Field(FieldType.STRING, "vault:v<N>:… HMAC to verify"),
}
HMAC_FIELDS = {**_COMMON, "algorithm": Field(FieldType.STRING, "hash algorithm")}
HMAC_ALGORITHMS = tuple(HASHES)


def _hash_name(data: FieldData) -> str:
    return (
        data.get("urlalgorithm")
        or data.get("hash_algorithm")
        or data.get("algorithm")
        or DEFAULT_HASH
    )


def _options(data: FieldData) -> signing.SigningOptions:
    return signing.SigningOptions(
        hash_algorithm=_hash_name(data),
        prehashed=data.get("prehashed"),
        signature_algorithm=data.get("signature_algorithm") or "pss",
        salt_length=signing.parse_salt_length(data.get("salt_length")),
        marshaling=data.get("marshaling_algorithm"),
    )


def _input(item: Item, index: int | None) -> bytes:
    if "input" not in item or item["input"] is None:
        raise InvalidParameter("missing input")
    return decode_b64(text(item, "input", index), "input")


def _context(item: Item, index: int | None) -> bytes:
    try:
        return optional_b64(text(item, "context", index), "context")
    except InvalidParameter:
        raise InvalidParameter("failed to base64-decode context") from None


class SignPaths:
    def __init__(self, store: KeyStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        return [
            PathSpec(f"sign/{named()}{_ALGORITHM}", {Operation.UPDATE: self.sign}, SIGN_FIELDS),
            PathSpec(f"verify/{named()}{_ALGORITHM}", {Operation.UPDATE: self.verify}, SIGN_FIELDS),
            PathSpec(f"hmac/{named()}{_ALGORITHM}", {Operation.UPDATE: self.hmac}, HMAC_FIELDS),
        ]

    async def sign(self, request: Request, data: FieldData) -> Response:
        options = _options(data)
        key = await existing_key(self._store, data, "signing key not found")
        if not key.kind.signing:
            raise InvalidParameter(f"key type {key.kind.name} does not support signing")
        items, is_batch = batch_items(
            data, lambda: {"input": data.get("input") or "", "context": data.get("context") or ""}
        )
        requested = data.get("key_version")
        run = BatchRun(is_batch)
        for index, item in enumerate(items):

            def compute(item: Item = item, index: int = index) -> Item:
                where = index if is_batch else None
                result = signing.sign(
                    key, requested, _input(item, where), _context(item, where), options
                )
                out: Item = {"signature": result.signature, "key_version": result.version}
                if result.public_key:
                    out["publickey"] = result.public_key
                return out

            run.run(item, compute, {"key_version": 0})

        def single(result: Item) -> Item:
            body = {"signature": result["signature"], "key_version": result["key_version"]}
            if "publickey" in result:
                body["public_key"] = result["publickey"]
            return body

        return run.response(single, failure_status=False)

    async def verify(self, request: Request, data: FieldData) -> Response:
        items, is_batch = batch_items(data, lambda: _single_verify_item(data))
        has_signature = ["signature" in item for item in items]
        has_hmac = ["hmac" in item for item in items]
        _check_verify_items(is_batch, has_signature, has_hmac)
        if any(has_hmac):
            return await self._verify_hmac(data, items, is_batch)
        options = _options(data)
        key = await existing_key(self._store, data, "signature verification key not found")
        if not key.kind.signing:
            raise InvalidParameter(f"key type {key.kind.name} does not support verification")
        run = BatchRun(is_batch)
        for index, item in enumerate(items):

            def compute(item: Item = item, index: int = index) -> Item:
                where = index if is_batch else None
                signature = text(item, "signature", where)
                valid = signing.verify(
                    key, signature, _input(item, where), _context(item, where), options
                )
                return {"valid": valid}

            run.run(item, compute, {"valid": False})
        return run.response(lambda r: {"valid": r["valid"]}, failure_status=False)

    async def hmac(self, request: Request, data: FieldData) -> Response:
        name = data.get("urlalgorithm") or data.get("algorithm") or DEFAULT_HASH
        if name not in HMAC_ALGORITHMS:
            raise InvalidParameter(
                f"unsupported algorithm; supported: {', '.join(HMAC_ALGORITHMS)}"
            )
        key = await existing_key(self._store, data, "encryption key not found")
        version = _hmac_version(key, data.get("key_version"))
        secret = key.hmac_key(version)

        def single() -> Item:
            if not data.has("input"):
                raise InvalidParameter("missing input for HMAC")
            return {"input": data.get("input")}

        items, is_batch = batch_items(data, single)
        run = BatchRun(is_batch)
        for index, item in enumerate(items):

            def compute(item: Item = item, index: int = index) -> Item:
                if "input" not in item:
                    raise InvalidParameter("missing input for HMAC")
                raw = decode_b64(text(item, "input", index), "input")
                return {"hmac": versioned(version, encode_b64(mac(secret, name, raw)))}

            run.run(item, compute)
        return run.response(lambda r: {"hmac": r["hmac"]}, failure_status=False)

    async def _verify_hmac(self, data: FieldData, items: list[Item], is_batch: bool) -> Response:
        name = _hash_name(data)
        if name not in HMAC_ALGORITHMS:
            raise InvalidParameter(
                f"invalid hash algorithm; supported: {', '.join(HMAC_ALGORITHMS)}"
            )
        key = await existing_key(self._store, data, "encryption key not found")
        run = BatchRun(is_batch)
        for index, item in enumerate(items):

            def compute(item: Item = item, index: int = index) -> Item:
                raw = _input(item, index)
                version, payload = split_versioned(text(item, "hmac", index), "HMAC")
                expected = decode_b64(payload, "HMAC")
                if version > key.latest:
                    raise InvalidParameter("invalid HMAC: version is too new")
                if version < key.policy.min_decryption_version:
                    raise InvalidParameter(
                        "cannot verify HMAC: version is too old (disallowed by policy)"
                    )
                computed = mac(key.hmac_key(version), name, raw)
                return {"valid": constant_time_equal(computed, expected)}

            run.run(item, compute)

        # Vault omits `valid` from HMAC batch results when it is false.
        for result in run.results:
            if result.get("valid") is False:
                del result["valid"]
        return run.response(lambda r: {"valid": r.get("valid", False)}, failure_status=False)


def _single_verify_item(data: FieldData) -> Item:
    item: Item = {"input": data.get("input") or "", "context": data.get("context") or ""}
    if data.has("signature"):
        item["signature"] = data.get("signature")
    if data.has("hmac"):
        item["hmac"] = data.get("hmac")
    return item


def _check_verify_items(is_batch: bool, signatures: list[bool], hmacs: list[bool]) -> None:
    sig_found, hmac_found = any(signatures), any(hmacs)
    missing = not all(s or h for s, h in zip(signatures, hmacs, strict=True))
    if not is_batch and sig_found and hmac_found:
        raise InvalidParameter("provide one of 'signature' or 'hmac'")
    if not is_batch and not sig_found and not hmac_found:
        raise InvalidParameter("neither a 'signature' nor an 'hmac' were given to verify")
    if sig_found and hmac_found:
        raise InvalidParameter(
            "elements of batch_input must all provide 'signature' or all provide 'hmac'"
        )
    if missing:
        raise InvalidParameter("some elements of batch_input are missing 'signature' or 'hmac'")


def _hmac_version(key: Key, requested: int) -> int:
    if requested == 0:
        return key.latest
    if key.policy.min_encryption_version > 0 and requested < key.policy.min_encryption_version:
        raise InvalidParameter("cannot generate HMAC: version is too old (disallowed by policy)")
    return requested
