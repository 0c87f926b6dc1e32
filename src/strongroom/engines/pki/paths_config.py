"""Mount settings and maintenance: `config/crl`, `config/urls`, `crl/rotate`,
`crl/rotate-delta`, `tidy`, `tidy-status`, `config/auto-tidy`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from strongroom.engines.pki.acme.store import ACMEStore
from strongroom.engines.pki.crl import rebuild_all, rebuild_deltas
from strongroom.engines.pki.records import (
    ACME_ACCOUNT_SAFETY_BUFFER,
    AutoTidyConfig,
    CRLConfig,
    URLsConfig,
)
from strongroom.engines.pki.store import PKIStore
from strongroom.engines.pki.tidy import TidyOptions, run_tidy
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
    "enable_delta": Field(FieldType.BOOL, "build delta CRLs (needs auto_rebuild)"),
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
        FieldType.DURATION,
        "keep certificates (and ACME orders with one) this long past expiry",
        default=72 * 3600,
    ),
    "tidy_acme": Field(
        FieldType.BOOL,
        "delete expired ACME orders, revoke then delete unused accounts",
        default=False,
    ),
    "acme_account_safety_buffer": Field(
        FieldType.DURATION,
        "an ACME account's age with no orders before it is revoked, and its time revoked or "
        "deactivated before it is deleted",
        default=ACME_ACCOUNT_SAFETY_BUFFER,
    ),
}
AUTO_TIDY_FIELDS = {
    "enabled": Field(FieldType.BOOL, "run tidy periodically"),
    "interval_duration": Field(FieldType.DURATION, "time between automatic tidies"),
    **TIDY_FIELDS,
}
DELTA_NEEDS_REBUILD = (
    "Delta CRLs cannot be enabled when auto rebuilding is disabled as the complete CRL is always "
    "regenerated!"
)
NO_TIDY_OPERATION = (
    "Auto-tidy enabled but no tidy operations were requested. Enable at least one tidy operation "
    "to be run (tidy_cert_store / tidy_revoked_certs / tidy_acme)."
)
DELTA_DISABLED = "requested rebuild of delta CRL when delta CRL is not enabled; this is a no-op"
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
        "issuing_certificates": list(config.issuing_certificates),
        "crl_distribution_points": list(config.crl_distribution_points),
        "delta_crl_distribution_points": [],
        "ocsp_servers": list(config.ocsp_servers),
        "enable_templating": False,
    }


def auto_tidy_view(config: AutoTidyConfig) -> dict[str, Any]:
    view = asdict(config)
    del view["format"]
    return view


def _given(data: FieldData, fields: dict[str, Field]) -> dict[str, Any]:
    return {name: data.get(name) for name in fields if data.has(name)}


class ConfigPaths:
    def __init__(self, store: PKIStore, acme: ACMEStore) -> None:
        self._store = store
        self._acme = acme

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
            PathSpec(
                "config/auto-tidy",
                {Operation.READ: self.read_auto_tidy, Operation.UPDATE: self.write_auto_tidy},
                AUTO_TIDY_FIELDS,
            ),
            PathSpec("crl/rotate", {Operation.READ: self.rotate}),
            PathSpec("crl/rotate-delta", {Operation.READ: self.rotate_delta}),
            PathSpec("tidy", {Operation.UPDATE: self.tidy}, TIDY_FIELDS),
            PathSpec("tidy-status", {Operation.READ: self.tidy_status}),
        ]

    async def read_crl(self, request: Request, data: FieldData) -> Response:
        return Response(crl_view(await self._store.crl_config()))

    async def write_crl(self, request: Request, data: FieldData) -> Response:
        config = (await self._store.crl_config()).with_changes(**_given(data, CRL_FIELDS))
        if config.enable_delta and not config.auto_rebuild:
            raise InvalidParameter(DELTA_NEEDS_REBUILD)
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

    async def rotate_delta(self, request: Request, data: FieldData) -> Response:
        if not (await self._store.crl_config()).enable_delta:
            return Response({"success": True}, warnings=[DELTA_DISABLED])
        await rebuild_deltas(self._store)
        return Response({"success": True})

    async def tidy(self, request: Request, data: FieldData) -> Response:
        options = TidyOptions(**{name: data.get(name) for name in TIDY_FIELDS})
        await run_tidy(self._store, self._acme, options)
        return Response(warnings=[TIDY_WARNING], status=202)

    async def tidy_status(self, request: Request, data: FieldData) -> Response:
        status = asdict(await self._store.tidy_status())
        del status["format"], status["last_auto_tidy_finished"]  # OpenBao does not show it
        return Response(status)

    async def read_auto_tidy(self, request: Request, data: FieldData) -> Response:
        return Response(auto_tidy_view(await self._store.auto_tidy_config()))

    async def write_auto_tidy(self, request: Request, data: FieldData) -> Response:
        changes = _given(data, AUTO_TIDY_FIELDS)
        config = (await self._store.auto_tidy_config()).with_changes(**changes)
        if config.enabled and not (
            config.tidy_cert_store or config.tidy_revoked_certs or config.tidy_acme
        ):
            raise InvalidParameter(NO_TIDY_OPERATION)
        if config.interval_duration <= 0:
            raise InvalidParameter("interval_duration must be positive")
        await self._store.put_auto_tidy_config(config)
        return Response(auto_tidy_view(config))
