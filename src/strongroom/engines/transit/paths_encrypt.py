"""`encrypt/<name>`, `decrypt/<name>`, `rewrap/<name>`, `datakey/<plaintext|wrapped>/<name>`.

Encrypt upserts: its existence check reports whether the key exists, so the pipeline turns a
write to an unknown key into `create` (which the caller's policy must grant); the create handler
then makes an encryption key with the request's `type`, unless `config/keys` disables upsert.
"""

from __future__ import annotations

import os
from functools import partial
from typing import Any

from strongroom.engines.transit import encryption
from strongroom.engines.transit.batch import (
    BatchRun,
    Item,
    batch_items,
    integer,
    same_context,
    text,
)
from strongroom.engines.transit.encoding import decode_b64, encode_b64
from strongroom.engines.transit.keyring import Key
from strongroom.engines.transit.keytypes import DEFAULT_TYPE, Family, key_type
from strongroom.engines.transit.params import NAME_FIELD, context_of, named, optional_b64
from strongroom.engines.transit.paths_keys import build_policy
from strongroom.engines.transit.records import KeyPolicy
from strongroom.engines.transit.store import KeyStore
from strongroom.errors import InvalidParameter
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response

NOT_FOUND = "encryption key not found"
_COMMON = {
    **NAME_FIELD,
    "context": Field(FieldType.STRING, "base64 derivation context"),
    "associated_data": Field(FieldType.STRING, "base64 associated data (AEAD keys)"),
    "key_version": Field(FieldType.INT, "the key version (0: latest)", default=0),
    "nonce": Field(FieldType.STRING, "base64 nonce (legacy convergent keys only)"),
    "batch_input": Field(FieldType.STRING, "a list of items"),  # read raw
    "partial_failure_response_code": Field(FieldType.INT, "status when some items fail"),
}
ENCRYPT_FIELDS = {
    **_COMMON,
    "plaintext": Field(FieldType.STRING, "base64 plaintext"),
    "type": Field(FieldType.STRING, "type of a key created by upsert", default=DEFAULT_TYPE),
    "convergent_encryption": Field(FieldType.BOOL, "upsert: a convergent key", default=False),
}
DECRYPT_FIELDS = {**_COMMON, "ciphertext": Field(FieldType.STRING, "vault:v<N>:… ciphertext")}
DATAKEY_FIELDS = {
    **_COMMON,
    "plaintext": Field(FieldType.STRING, "plaintext or wrapped", required=True),
    "bits": Field(FieldType.INT, "128, 256 or 512", default=256),
}
_UPSERT_TYPES = ("aes128-gcm96", "aes256-gcm96", "chacha20-poly1305")


class EncryptPaths:
    def __init__(self, store: KeyStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        encrypt_ops = {Operation.UPDATE: self.encrypt, Operation.CREATE: self.encrypt_or_create}
        return [
            PathSpec(
                f"encrypt/{named()}",
                encrypt_ops,
                ENCRYPT_FIELDS,
                existence_check=self.exists,
                help="Encrypt base64 plaintext (or a batch) with the named key.",
            ),
            PathSpec(f"decrypt/{named()}", {Operation.UPDATE: self.decrypt}, DECRYPT_FIELDS),
            PathSpec(f"rewrap/{named()}", {Operation.UPDATE: self.rewrap}, DECRYPT_FIELDS),
            PathSpec(
                f"datakey/{named('plaintext')}/{named()}",
                {Operation.UPDATE: self.datakey},
                DATAKEY_FIELDS,
                help="A new random data key, encrypted with the named key.",
            ),
        ]

    async def exists(self, request: Request, data: FieldData) -> bool:
        return await self._store.exists(data.get("name"))

    # --- encrypt -------------------------------------------------------------------------------

    async def encrypt(self, request: Request, data: FieldData) -> Response:
        items, is_batch = _encrypt_items(data)
        key = await self._store.get(data.get("name"))
        if key is None:
            raise InvalidParameter(NOT_FOUND)
        return _encrypt_all(key, items, is_batch, data)

    async def encrypt_or_create(self, request: Request, data: FieldData) -> Response:
        items, is_batch = _encrypt_items(data)
        name = data.get("name")
        convergent = data.get("convergent_encryption")
        derived = bool(text(items[0], "context"))
        if convergent and not derived:
            raise InvalidParameter(
                "convergent encryption requires derivation to be enabled, so context is required"
            )
        kind = key_type(data.get("type"))
        if kind.name not in _UPSERT_TYPES:
            raise InvalidParameter(f"key type {kind.name} not supported for this operation")
        if (await self._store.keys_config()).disable_upsert:
            key = await self._store.get(name)
            if key is None:
                raise InvalidParameter(NOT_FOUND)
            return _encrypt_all(key, items, is_batch, data)

        async def build() -> KeyPolicy:
            return await build_policy(
                self._store, name, kind, derived=derived, convergent_encryption=convergent
            )

        key, created = await self._store.create(name, build)
        response = _encrypt_all(key, items, is_batch, data)
        if not created:
            response.warnings.append(
                "Attempted creation of the key during the encrypt operation, "
                "but it was created beforehand"
            )
        return response

    # --- decrypt, rewrap -------------------------------------------------------------------------

    async def decrypt(self, request: Request, data: FieldData) -> Response:
        items, is_batch = _decrypt_items(data)
        key = await self._key_for(data, items)
        run = BatchRun(is_batch)
        for index, item in enumerate(items):
            run.run(item, partial(_decrypt_item, key, item, index), {"plaintext": ""})
        return run.response(lambda r: {"plaintext": r["plaintext"]}, _partial(data))

    async def rewrap(self, request: Request, data: FieldData) -> Response:
        items, is_batch = _decrypt_items(data, rewrap=True)
        key = await self._key_for(data, items)
        run = BatchRun(is_batch)
        for index, item in enumerate(items):
            run.run(item, partial(_rewrap_item, key, item, index))
        return run.response(_ciphertext_view, failure_status=False)

    async def _key_for(self, data: FieldData, items: list[Item]) -> Key:
        """The key; reloaded from storage when a ciphertext names a version newer than the
        cached one (another node rotated it)."""
        name = data.get("name")
        key = await self._store.get(name)
        if key is None:
            raise InvalidParameter(NOT_FOUND)
        if any(_version_of(text(item, "ciphertext")) > key.latest for item in items):
            key = await self._store.reload(name) or key
        return key

    # --- datakey -------------------------------------------------------------------------------

    async def datakey(self, request: Request, data: FieldData) -> Response:
        mode = data.get("plaintext")
        if mode not in ("plaintext", "wrapped"):
            raise InvalidParameter("Invalid path, must be 'plaintext' or 'wrapped'")
        context = context_of(data)
        key = await self._store.get(data.get("name"))
        if key is None:
            raise InvalidParameter(NOT_FOUND)
        bits = data.get("bits")
        if bits not in (128, 256, 512):
            raise InvalidParameter("invalid bit length: use 128, 256 or 512")
        if key.kind.family is Family.ML_KEM:
            if bits != 256:
                raise InvalidParameter("an ML-KEM data key is 256 bits")
            secret, ciphertext, version = encryption.encapsulate(key, data.get("key_version"))
        else:
            secret = os.urandom(bits // 8)
            associated = optional_b64(data.get("associated_data") or "", "associated_data")
            ciphertext, version = encryption.encrypt(
                key, data.get("key_version"), secret, context, associated
            )
        body: dict[str, Any] = {"ciphertext": ciphertext, "key_version": version}
        if mode == "plaintext":
            body["plaintext"] = encode_b64(secret)
        return Response(body)


def _partial(data: FieldData) -> int | None:
    return (
        data.get("partial_failure_response_code")
        if data.has("partial_failure_response_code")
        else None
    )


def _encrypt_items(data: FieldData) -> tuple[list[Item], bool]:
    def single() -> Item:
        if not data.has("plaintext"):
            raise InvalidParameter("missing plaintext to encrypt")
        return {
            "plaintext": data.get("plaintext") or "",
            "context": data.get("context") or "",
            "key_version": data.get("key_version"),
            "associated_data": data.get("associated_data") or "",
            "nonce": data.get("nonce") or "",
        }

    items, is_batch = batch_items(data, single)
    for index, item in enumerate(items):
        if is_batch and "plaintext" not in item:
            raise InvalidParameter(f"'[{index}].plaintext' missing plaintext to encrypt")
    same_context(items)
    return items, is_batch


def _decrypt_items(data: FieldData, rewrap: bool = False) -> tuple[list[Item], bool]:
    def single() -> Item:
        ciphertext = data.get("ciphertext") or ""
        if not ciphertext:
            raise InvalidParameter("missing ciphertext to decrypt")
        return {
            "ciphertext": ciphertext,
            "context": data.get("context") or "",
            "associated_data": data.get("associated_data") or "",
            "key_version": data.get("key_version") if rewrap else 0,
            "nonce": data.get("nonce") or "",
        }

    items, is_batch = batch_items(data, single)
    same_context(items)
    return items, is_batch


def _encrypt_all(key: Key, items: list[Item], is_batch: bool, data: FieldData) -> Response:
    run = BatchRun(is_batch)
    for index, item in enumerate(items):
        run.run(item, partial(_encrypt_item, key, item, index))
    return run.response(_ciphertext_view, _partial(data))


def _ciphertext_view(result: Item) -> Item:
    return {"ciphertext": result["ciphertext"], "key_version": result["key_version"]}


def _item_inputs(item: Item, index: int) -> tuple[bytes, bytes | None, bytes]:
    context = optional_b64(text(item, "context", index), "context")
    associated = optional_b64(text(item, "associated_data", index), "associated_data")
    nonce = optional_b64(text(item, "nonce", index), "nonce")
    return context, associated or None, nonce


def _encrypt_item(key: Key, item: Item, index: int) -> Item:
    plaintext = decode_b64(text(item, "plaintext", index), "plaintext")
    context, associated, nonce = _item_inputs(item, index)
    ciphertext, version = encryption.encrypt(
        key, integer(item, "key_version", index), plaintext, context, associated, nonce
    )
    return {"ciphertext": ciphertext, "key_version": version}


def _decrypt_item(key: Key, item: Item, index: int) -> Item:
    ciphertext = text(item, "ciphertext", index)
    if not ciphertext:
        raise InvalidParameter("missing ciphertext to decrypt")
    context, associated, _ = _item_inputs(item, index)
    return {"plaintext": encode_b64(encryption.decrypt(key, ciphertext, context, associated))}


def _rewrap_item(key: Key, item: Item, index: int) -> Item:
    ciphertext = text(item, "ciphertext", index)
    if not ciphertext:
        raise InvalidParameter("missing ciphertext to decrypt")
    context, associated, _ = _item_inputs(item, index)
    plaintext = encryption.decrypt(key, ciphertext, context, associated)
    rewrapped, version = encryption.encrypt(
        key, integer(item, "key_version", index), plaintext, context, associated
    )
    return {"ciphertext": rewrapped, "key_version": version}


def _version_of(ciphertext: str) -> int:
    """The version a ciphertext names, or 0 when it names none (its error comes later)."""
    number = ciphertext[len("vault:v") :].partition(":")[0] if ciphertext else ""
    return int(number) if number.isascii() and number.isdigit() and len(number) < 10 else 0
