"""`byok-export/<destination>/<source>[/<version>]`: an exportable key's versions, each wrapped
for an RSA key of this mount in the format `keys/<name>/import` reads, so a key moves to another
mount (whose wrapping key was imported here as `destination`) without leaving in plaintext."""

from __future__ import annotations

from strongroom.engines.transit.byok import destination_public_key, target_key, wrap
from strongroom.engines.transit.encoding import encode_b64
from strongroom.engines.transit.export import export_versions
from strongroom.engines.transit.params import NAME, named
from strongroom.engines.transit.store import KeyStore
from strongroom.errors import InvalidParameter
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response

BYOK_EXPORT_FIELDS = {
    "destination": Field(
        FieldType.STRING, "the RSA key to wrap for (another mount's wrapping key)", required=True
    ),
    "source": Field(FieldType.STRING, "the exportable key to export", required=True),
    "version": Field(FieldType.STRING, "a version number or `latest` (default: all)"),
    "hash": Field(FieldType.STRING, "OAEP hash of the wrapped AES key", default="SHA256"),
}


class ByokExportPaths:
    def __init__(self, store: KeyStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        return [
            PathSpec(
                rf"byok-export/{named('destination')}/{named('source')}"
                rf"(?:/(?P<version>{NAME}))?",
                {Operation.READ: self.byok_export},
                BYOK_EXPORT_FIELDS,
                help="Export an exportable key wrapped for an RSA key, as `import` reads it.",
            )
        ]

    async def byok_export(self, request: Request, data: FieldData) -> Response:
        destination = await self._store.get(data.get("destination"))
        if destination is None:
            raise InvalidParameter("no such destination key to export to")
        source = await self._store.get(data.get("source"))
        if source is None:
            raise InvalidParameter("no such source key for export")
        if not source.policy.exportable:
            raise InvalidParameter("key is not exportable")
        versions = export_versions(source, data.get("version") or "")
        public, hash_name = destination_public_key(destination), data.get("hash")
        keys = {
            str(n): encode_b64(wrap(public, target_key(source.materials[n]), hash_name))
            for n in versions
        }
        return Response({"name": source.name, "type": source.kind.name, "keys": keys})
