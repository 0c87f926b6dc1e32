"""Mount settings and maintenance: `config/crl`, `config/urls`, `crl/rotate`, `tidy`,
`tidy-status`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from strongroom.engines.pki.crl import rebuild_all
from strongroom.engines.pki.encoding import parse_serial, rfc3339_ns
from strongroom.engines.pki.records import CRLConfig, TidyStatus, URLsConfig
from strongroom.engines.pki.store import PKIStore
from strongroom.errors import InvalidParameter
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response

CRL_FIELDS = {
    "expiry": Field(FieldType.DURATION, "how long a CRL is valid"),
    "disable": Field(FieldType.BOOL, "build CRLs without entries"),
    "auto_rebuild": Field(FieldType.BOOL, "rebuild periodically (CRLs are rebuilt on revoke)"),
    "auto_rebuild_grace_period": Field(FieldType.DURATION, "rebuild this long before expiry"),
    "ocsp_disable": Field(FieldType.BOOL, "disable the OCSP responder"),
    "ocsp_expiry": Field(FieldType.DURATION, "validity of OCSP responses"),
    "enable_delta": Field(FieldType.BOOL, "delta CRLs (not supported: must stay false)"),
    "delta_rebuild_interval": Field(FieldType.DURATION, "delta CRL rebuild interval"),
}
URL_FIELDS = {
    "issuing_certificates": Field(FieldType.STRING_LIST, "AIA CA issuers URLs"),
    "crl_distribution_points": Field(FieldType.STRING_LIST, "CRL distribution point URLs"),
    "ocsp_servers": Field(FieldType.STRING_LIST, "OCSP responder URLs"),
}
TIDY_FIELDS = {
    "tidy_cert_store": Field(FieldType.BOOL, "delete expired certificates", default=False),
    "tidy_revoked_certs": Field(
        FieldType.BOOL, "delete expired revoked certificates", default=False
    ),
    "safety_buffer": Field(
        FieldType.DURATION, "keep certificates this long past expiry", default=72 * 3600
    ),
}
TIDY_WARNING = (
    "Tidy operation successfully started. Any information from the operation will be printed "
    "to the server logs."
)


def _hours(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


def crl_view(config: CRLConfig) -> dict[str, Any]:
    return {
        "expiry": _hours(config.expiry),
        "disable": config.disable,
        "auto_rebuild": config.auto_rebuild,
        "auto_rebuild_grace_period": _hours(config.auto_rebuild_grace_period),
        "ocsp_disable": config.ocsp_disable,
        "ocsp_expiry": _hours(config.ocsp_expiry),
        "enable_delta": config.enable_delta,
        "delta_rebuild_interval": _hours(config.delta_rebuild_interval),
        "allow_expired_cert_revocation": False,
    }


def urls_view(config: URLsConfig) -> dict[str, Any]:
    return {
        "issuing_certificates": config.issuing_certificates,
        "crl_distribution_points": config.crl_distribution_points,
        "delta_crl_distribution_points": [],
        "ocsp_servers": config.ocsp_servers,
        "enable_templating": False,
    }


def _given(data: FieldData, fields: dict[str, Field]) -> dict[str, Any]:
    return {name: data.get(name) for name in fields if data.has(name)}


class ConfigPaths:
    def __init__(self, store: PKIStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        return [
            PathSpec(
                "config/crl",
                {Operation.READ: self.read_crl, Operation.UPDATE: self.write_crl},
                CRL_FIELDS,
            ),
            PathSpec(
                "config/urls",
                {Operation.READ: self.read_urls, Operation.UPDATE: self.write_urls},
                URL_FIELDS,
            ),
            PathSpec("crl/rotate", {Operation.READ: self.rotate}),
            PathSpec("tidy", {Operation.UPDATE: self.tidy}, TIDY_FIELDS),
            PathSpec("tidy-status", {Operation.READ: self.tidy_status}),
        ]

    async def read_crl(self, request: Request, data: FieldData) -> Response:
        return Response(crl_view(await self._store.crl_config()))

    async def write_crl(self, request: Request, data: FieldData) -> Response:
        changes = _given(data, CRL_FIELDS)
        if changes.get("enable_delta"):
            raise InvalidParameter("delta CRLs are not supported yet")
        config = (await self._store.crl_config()).with_changes(**changes)
        await self._store.put_crl_config(config)
        await rebuild_all(self._store)
        return Response(crl_view(config))

    async def read_urls(self, request: Request, data: FieldData) -> Response:
        return Response(urls_view(await self._store.urls_config()))

    async def write_urls(self, request: Request, data: FieldData) -> Response:
        config = (await self._store.urls_config()).with_changes(**_given(data, URL_FIELDS))
        await self._store.put_urls_config(config)
        return Response(urls_view(config))

    async def rotate(self, request: Request, data: FieldData) -> Response:
        await rebuild_all(self._store)
        return Response({"success": True})

    async def tidy(self, request: Request, data: FieldData) -> Response:
        """Delete certificates expired for longer than the safety buffer (synchronously: the
        store of one mount is small enough, and the status is final when this returns)."""
        buffer, now = data.get("safety_buffer"), self._store.now()
        started = rfc3339_ns(int(now * 1_000_000_000))
        deleted = revoked_deleted = 0
        for serial in await self._store.cert_serials():
            record = await self._store.cert(parse_serial(serial))
            if record is None or record.not_after + buffer > now:
                continue
            if record.revoked and data.get("tidy_revoked_certs"):
                revoked_deleted += 1
            elif record.revoked or not data.get("tidy_cert_store"):
                continue
            else:
                deleted += 1
            await self._store.delete_cert(record)
        if revoked_deleted:
            await rebuild_all(self._store)
        status = TidyStatus(
            state="Finished",
            time_started=started,
            time_finished=rfc3339_ns(int(self._store.now() * 1_000_000_000)),
            tidy_cert_store=data.get("tidy_cert_store"),
            tidy_revoked_certs=data.get("tidy_revoked_certs"),
            safety_buffer=buffer,
            cert_store_deleted_count=deleted,
            revoked_cert_deleted_count=revoked_deleted,
        )
        await self._store.put_tidy_status(status)
        return Response(warnings=[TIDY_WARNING], status=202)

    async def tidy_status(self, request: Request, data: FieldData) -> Response:
        status = asdict(await self._store.tidy_status())
        del status["format"]
        return Response(status)
