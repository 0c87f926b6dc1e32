"""Several issuers per mount: `issuers` (LIST), `issuer/:ref` (read, update, delete),
`issuer/:ref/revoke`, and `config/issuers` (the default issuer).

An issuer's `manual_chain` (issuer references, the issuer itself first, `self` allowed there)
replaces the chain built from the mount's issuers: it is the issuer's `ca_chain` everywhere
(reads, `issuer/:ref/json`, `ca_chain`, and what issue and sign return), and issuers below it
end their own chains with it. An empty list goes back to the built chain."""

from __future__ import annotations

from typing import Any

from strongroom.engines.pki.authority import rebuild_chains
from strongroom.engines.pki.crl import build_crl
from strongroom.engines.pki.encoding import parse_serial, rfc3339_ns
from strongroom.engines.pki.keys import signature_algorithm_name
from strongroom.engines.pki.params import ISSUER_REF, ref
from strongroom.engines.pki.records import IssuerRecord
from strongroom.engines.pki.store import PKIStore, check_name
from strongroom.errors import InvalidParameter, NotFound
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response

USAGES = ("read-only", "issuing-certificates", "crl-signing", "ocsp-signing")
LEAF_BEHAVIORS = ("err", "truncate", "permit")
ISSUER_FIELDS = {
    **ISSUER_REF,
    "issuer_name": Field(FieldType.STRING, "the issuer's name"),
    "leaf_not_after_behavior": Field(FieldType.STRING, "err, truncate or permit"),
    "usage": Field(FieldType.STRING_LIST, "read-only, issuing-certificates, crl-signing, …"),
    "issuing_certificates": Field(FieldType.STRING_LIST, "AIA CA issuers URLs"),
    "crl_distribution_points": Field(FieldType.STRING_LIST, "CRL distribution point URLs"),
    "ocsp_servers": Field(FieldType.STRING_LIST, "OCSP responder URLs"),
    "manual_chain": Field(
        FieldType.STRING_LIST, "issuer refs making up ca_chain, itself first", default=[]
    ),
}
CONFIG_FIELDS = {
    "default": Field(FieldType.STRING, "the default issuer (id or name)"),
    "default_follows_latest_issuer": Field(FieldType.BOOL, "new issuers become the default"),
}


async def issuer_view(store: PKIStore, issuer: IssuerRecord) -> dict[str, Any]:
    algorithm = ""
    if issuer.key_id:
        algorithm = signature_algorithm_name(await store.private_key(issuer.key_id))
    view: dict[str, Any] = {
        "issuer_id": issuer.id,
        "issuer_name": issuer.name,
        "key_id": issuer.key_id,
        "certificate": issuer.certificate,
        "ca_chain": list(issuer.chain),
        "leaf_not_after_behavior": issuer.leaf_not_after_behavior,
        "usage": issuer.usage,
        "manual_chain": list(issuer.manual_chain) or None,
        "issuing_certificates": list(issuer.issuing_certificates),
        "crl_distribution_points": list(issuer.crl_distribution_points),
        "delta_crl_distribution_points": [],
        "ocsp_servers": list(issuer.ocsp_servers),
        "revocation_signature_algorithm": algorithm,
        "revoked": issuer.revoked,
    }
    if issuer.revoked:
        view["revocation_time"] = issuer.revocation_time
        view["revocation_time_rfc3339"] = rfc3339_ns(issuer.revocation_time * 1_000_000_000)
    return view


class IssuerPaths:
    def __init__(self, store: PKIStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        issuer_ops = {
            Operation.READ: self.read,
            Operation.UPDATE: self.update,
            Operation.PATCH: self.update,
            Operation.DELETE: self.delete,
        }
        return [
            PathSpec("issuers/?", {Operation.LIST: self.list_issuers}, unauthenticated=True),
            PathSpec(f"issuer/{ref()}", issuer_ops, ISSUER_FIELDS),
            PathSpec(f"issuer/{ref()}/revoke", {Operation.UPDATE: self.revoke}, ISSUER_REF),
            PathSpec(
                "config/issuers",
                {Operation.READ: self.read_config, Operation.UPDATE: self.write_config},
                CONFIG_FIELDS,
            ),
        ]

    async def list_issuers(self, request: Request, data: FieldData) -> Response:
        issuers = sorted(await self._store.issuers(), key=lambda issuer: issuer.id)
        if not issuers:
            raise NotFound()
        default = (await self._store.issuers_config()).default
        info = {
            issuer.id: {
                "issuer_name": issuer.name,
                "is_default": issuer.id == default,
                "key_id": issuer.key_id,
                "serial_number": issuer.serial,
            }
            for issuer in issuers
        }
        return Response({"keys": [issuer.id for issuer in issuers], "key_info": info})

    async def read(self, request: Request, data: FieldData) -> Response:
        issuer = await self._store.issuer(data.get("issuer_ref"))
        if issuer is None:
            raise NotFound()
        return Response(await issuer_view(self._store, issuer))

    async def update(self, request: Request, data: FieldData) -> Response:
        async with self._store.lock:
            issuer = await self._store.issuer_or_fail(data.get("issuer_ref"))
            changes = await self._changes(issuer, data)
            await self._store.put_issuer(issuer.with_changes(**changes))
            if "manual_chain" in changes:
                await rebuild_chains(self._store)
            issuer = await self._store.issuer_or_fail(issuer.id)
        return Response(await issuer_view(self._store, issuer))

    async def _changes(self, issuer: IssuerRecord, data: FieldData) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        if data.has("issuer_name") and data.get("issuer_name") != issuer.name:
            name = data.get("issuer_name") or ""
            check_name(name, "issuer_name")
            await self._store.unique_name(name, "issuer")
            changes["name"] = name
        if data.has("leaf_not_after_behavior"):
            behavior = data.get("leaf_not_after_behavior")
            if behavior not in LEAF_BEHAVIORS:
                raise InvalidParameter(
                    "invalid leaf_not_after_behavior: expected err, truncate or permit"
                )
            changes["leaf_not_after_behavior"] = behavior
        if data.has("usage"):
            usage = data.get("usage")
            if any(item not in USAGES for item in usage):
                raise InvalidParameter(f"invalid usage: expected some of {', '.join(USAGES)}")
            changes["usage"] = ",".join(sorted(set(usage)))
        for name in ("issuing_certificates", "crl_distribution_points", "ocsp_servers"):
            if data.has(name):
                changes[name] = data.get(name)
        if data.has("manual_chain"):
            changes["manual_chain"] = await self._manual_chain(issuer, data.get("manual_chain"))
        return changes

    async def _manual_chain(self, issuer: IssuerRecord, refs: list[str]) -> list[str]:
        """The ids `manual_chain` names; as OpenBao, the first must be the issuer itself."""
        ids: list[str] = []
        for reference in refs:
            if not ids and reference == "self":
                reference = issuer.id
            found = await self._store.issuer(reference)
            if found is None:
                raise InvalidParameter(
                    f"manual_chain: unable to find PKI issuer for reference {reference}"
                )
            if not ids and found.id != issuer.id:
                raise InvalidParameter(
                    "manual_chain: expected the first issuer to be this issuer (or self), "
                    f"but was {reference}"
                )
            ids.append(found.id)
        return ids

    async def delete(self, request: Request, data: FieldData) -> Response | None:
        async with self._store.lock:
            issuer = await self._store.issuer(data.get("issuer_ref"))
            if issuer is None:
                return None
            await self._store.delete_issuer(issuer.id)
            await rebuild_chains(self._store)
            config = await self._store.issuers_config()
            if config.default == issuer.id:
                await self._store.put_issuers_config(config.with_changes(default=""))
                return Response(
                    warnings=["Deleted issuer was the default issuer; a new default must be set"]
                )
        return None

    async def revoke(self, request: Request, data: FieldData) -> Response:
        """Revoke an issuer: it can no longer issue, and its parent's CRL lists it."""
        async with self._store.lock:
            issuer = await self._store.issuer_or_fail(data.get("issuer_ref"))
            if not issuer.revoked:
                now = int(self._store.now())
                issuer = issuer.with_changes(revoked=True, revocation_time=now)
                await self._store.put_issuer(issuer)
                await self._revoke_in_store(issuer, now)
        return Response(await issuer_view(self._store, issuer))

    async def _revoke_in_store(self, issuer: IssuerRecord, now: int) -> None:
        record = await self._store.cert(parse_serial(issuer.serial))
        if record is None or not record.issuer_id:
            return
        await self._store.put_cert(record.with_changes(revocation_time_ns=now * 1_000_000_000))
        parent = await self._store.issuer(record.issuer_id)
        if parent is not None and parent.key_id:
            await build_crl(self._store, parent)

    async def read_config(self, request: Request, data: FieldData) -> Response:
        config = await self._store.issuers_config()
        return Response(
            {
                "default": config.default,
                "default_follows_latest_issuer": config.default_follows_latest_issuer,
            }
        )

    async def write_config(self, request: Request, data: FieldData) -> Response:
        async with self._store.lock:
            config = await self._store.issuers_config()
            if data.has("default"):
                issuer = await self._store.issuer(data.get("default"))
                if issuer is None:
                    raise InvalidParameter("unable to find PKI issuer for reference")
                config = config.with_changes(default=issuer.id)
            if data.has("default_follows_latest_issuer"):
                follows = data.get("default_follows_latest_issuer")
                config = config.with_changes(default_follows_latest_issuer=follows)
            await self._store.put_issuers_config(config)
        return await self.read_config(request, data)
