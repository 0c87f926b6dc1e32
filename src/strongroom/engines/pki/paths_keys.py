"""Keys of a mount: `keys` (LIST), `key/:ref` (read, rename, delete),
`keys/generate/internal|exported`, `keys/import`."""

from __future__ import annotations

from typing import Any

from cryptography import x509

from strongroom.engines.pki.authority import Imported, import_key, new_key
from strongroom.engines.pki.keys import key_spec, load_private_key, render_private_key
from strongroom.engines.pki.params import ref
from strongroom.engines.pki.records import KeyRecord
from strongroom.engines.pki.store import PKIStore, check_name
from strongroom.errors import InvalidParameter, NotFound
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response

KEY_REF = {
    "key_ref": Field(FieldType.STRING, "a key id or name"),
    "key_name": Field(FieldType.STRING, "the key's new name", default=""),
}
GENERATE_FIELDS = {
    "exported": Field(FieldType.STRING, "internal or exported"),
    "key_type": Field(FieldType.STRING, "rsa, ec or ed25519", default="rsa"),
    "key_bits": Field(FieldType.INT, "key size (0: the type's default)", default=0),
    "key_name": Field(FieldType.STRING, "a name for the key", default=""),
    "private_key_format": Field(FieldType.STRING, "der (traditional) or pkcs8", default="der"),
}
IMPORT_FIELDS = {
    "pem_bundle": Field(FieldType.STRING, "the PEM private key", required=True),
    "key_name": Field(FieldType.STRING, "a name for the key", default=""),
}


def key_view(record: KeyRecord) -> dict[str, Any]:
    public = load_private_key(record.private_key, "stored key").public_key()
    ski = x509.SubjectKeyIdentifier.from_public_key(public).digest
    return {
        "key_id": record.id,
        "key_name": record.name,
        "key_type": record.type,
        "subject_key_id": ":".join(f"{byte:02x}" for byte in ski),
    }


class KeyPaths:
    def __init__(self, store: PKIStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        key_ops = {
            Operation.READ: self.read,
            Operation.UPDATE: self.rename,
            Operation.DELETE: self.delete,
        }
        return [
            PathSpec("keys/?", {Operation.LIST: self.list_keys}),
            PathSpec(f"key/{ref('key_ref')}", key_ops, KEY_REF),
            PathSpec(
                "keys/generate/(?P<exported>internal|exported|kms)",
                {Operation.UPDATE: self.generate},
                GENERATE_FIELDS,
            ),
            PathSpec("keys/import", {Operation.UPDATE: self.import_key}, IMPORT_FIELDS),
        ]

    async def list_keys(self, request: Request, data: FieldData) -> Response:
        keys = sorted(await self._store.keys(), key=lambda key: key.id)
        if not keys:
            raise NotFound()
        default = await self._store.issuer("default")
        info = {
            key.id: {
                "key_name": key.name,
                "is_default": default is not None and default.key_id == key.id,
            }
            for key in keys
        }
        return Response({"keys": [key.id for key in keys], "key_info": info})

    async def read(self, request: Request, data: FieldData) -> Response:
        record = await self._store.key(data.get("key_ref"))
        if record is None:
            raise NotFound()
        return Response(key_view(record))

    async def rename(self, request: Request, data: FieldData) -> Response:
        async with self._store.lock:
            record = await self._store.key(data.get("key_ref"))
            if record is None:
                raise InvalidParameter("unable to find PKI key for reference")
            name = data.get("key_name")
            if name != record.name:
                check_name(name, "key_name")
                await self._store.unique_name(name, "key")
                record = record.with_changes(name=name)
                await self._store.put_key(record)
        return Response(key_view(record))

    async def delete(self, request: Request, data: FieldData) -> None:
        async with self._store.lock:
            record = await self._store.key(data.get("key_ref"))
            if record is None:
                return
            if any(issuer.key_id == record.id for issuer in await self._store.issuers()):
                raise InvalidParameter("unable to delete key: key is in use by an issuer")
            await self._store.delete_key(record.id)

    async def generate(self, request: Request, data: FieldData) -> Response:
        if data.get("exported") == "kms":
            raise InvalidParameter("managed keys (kms) are not supported")
        spec = key_spec(data.get("key_type"), data.get("key_bits"))
        async with self._store.lock:
            record, key = await new_key(self._store, spec, data.get("key_name"))
        result: dict[str, Any] = {
            "key_id": record.id,
            "key_name": record.name,
            "key_type": record.type,
        }
        if data.get("exported") == "exported":
            result["private_key"] = render_private_key(
                key, data.get("private_key_format"), der=False
            )
        return Response(result)

    async def import_key(self, request: Request, data: FieldData) -> Response:
        key = load_private_key(data.get("pem_bundle"), "pem_bundle")
        result = Imported()
        async with self._store.lock:
            key_id = await import_key(self._store, key, data.get("key_name"), result)
        record = await self._store.key(key_id)
        assert record is not None
        return Response(key_view(record))
