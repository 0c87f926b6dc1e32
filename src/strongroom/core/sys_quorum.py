"""sys/rekey/* and sys/generate-root/*: unauthenticated quorum endpoints with bare JSON bodies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strongroom.errors import InvalidParameter, PermissionDenied
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response
from strongroom.seal.shares import decode_share

if TYPE_CHECKING:
    from strongroom.core.core import Core

KEY_FIELDS = {
    "key": Field(FieldType.STRING, "one unseal key share, hex or base64", required=True),
    "nonce": Field(FieldType.STRING, "the nonce of the operation", required=True),
}
NONCE_FIELD = {"nonce": Field(FieldType.STRING, "the nonce of the operation", default="")}
REKEY_INIT_FIELDS = {
    "secret_shares": Field(FieldType.INT, "number of new shares", required=True),
    "secret_threshold": Field(FieldType.INT, "shares needed to unseal", required=True),
    "pgp_keys": Field(FieldType.STRING_LIST, "not supported"),
    "backup": Field(FieldType.BOOL, "not supported", default=False),
    "require_verification": Field(FieldType.BOOL, "verify the new shares", default=False),
    **NONCE_FIELD,
}
ROOT_ATTEMPT_FIELDS = {
    "otp": Field(FieldType.STRING, "a client-chosen one-time pad (legacy)", default=""),
    "pgp_key": Field(FieldType.STRING, "not supported", default=""),
    **NONCE_FIELD,
}


def _bare(body: dict[str, Any]) -> Response:
    return Response(body, bare=True)


def quorum_paths(core: Core) -> list[PathSpec]:
    quorum = core.quorum

    def guard(request: Request, disabled: bool) -> bool:
        """Whether the caller is privileged. Anonymous callers are rate-limited per address,
        or refused when the listener switch disables unauthenticated use."""
        privileged = request.root_privileges  # the ACL grants sudo on this path
        if not privileged:
            if disabled:
                raise PermissionDenied()
            core.quorum_limiter.check(request.remote_address)
        return privileged

    def rekey_guard(request: Request) -> bool:
        return guard(request, core.config.disable_unauthed_rekey)

    def root_guard(request: Request) -> bool:
        return guard(request, core.config.disable_unauthed_generate_root)

    # --- rekey ------------------------------------------------------------------------------

    async def rekey_status(request: Request, data: FieldData) -> Response:
        rekey_guard(request)
        return _bare(await quorum.rekey_status())

    async def rekey_start(request: Request, data: FieldData) -> Response:
        rekey_guard(request)
        if data.get("pgp_keys") or data.get("backup"):
            raise InvalidParameter("PGP-encrypted key shares and backups are not supported")
        return _bare(
            await quorum.rekey_start(
                data.get("secret_shares"),
                data.get("secret_threshold"),
                require_verification=data.get("require_verification"),
            )
        )

    async def rekey_cancel(request: Request, data: FieldData) -> None:
        quorum.rekey_cancel(data.get("nonce"), privileged=rekey_guard(request))

    async def rekey_update(request: Request, data: FieldData) -> Response:
        rekey_guard(request)
        share = decode_share(data.get("key"))
        return _bare(await quorum.rekey_update(share, data.get("nonce")))

    async def verify_status(request: Request, data: FieldData) -> Response:
        rekey_guard(request)
        return _bare(quorum.rekey_verify_status())

    async def verify_update(request: Request, data: FieldData) -> Response:
        rekey_guard(request)
        share = decode_share(data.get("key"))
        return _bare(await quorum.rekey_verify_update(share, data.get("nonce")))

    async def verify_restart(request: Request, data: FieldData) -> Response:
        privileged = rekey_guard(request)
        return _bare(quorum.rekey_verify_restart(nonce=data.get("nonce"), privileged=privileged))

    # --- generate-root ----------------------------------------------------------------------

    async def root_status(request: Request, data: FieldData) -> Response:
        root_guard(request)
        return _bare(await quorum.root_generation_status())

    async def root_start(request: Request, data: FieldData) -> Response:
        root_guard(request)
        return _bare(await quorum.root_generation_start(data.get("otp"), data.get("pgp_key")))

    async def root_cancel(request: Request, data: FieldData) -> None:
        quorum.root_generation_cancel(data.get("nonce"), privileged=root_guard(request))

    async def root_update(request: Request, data: FieldData) -> Response:
        root_guard(request)
        share = decode_share(data.get("key"))
        return _bare(await quorum.root_generation_update(share, data.get("nonce")))

    def spec(pattern: str, fields: dict[str, Field], help: str, **ops: Any) -> PathSpec:
        operations = {Operation(name): handler for name, handler in ops.items()}
        return PathSpec(pattern, operations, fields, unauthenticated=True, help=help)

    return [
        spec(
            "rekey/init",
            REKEY_INIT_FIELDS,
            "Start, read or cancel a rekey.",
            read=rekey_status,
            update=rekey_start,
            delete=rekey_cancel,
        ),
        spec("rekey/update", KEY_FIELDS, "Enter a current key share.", update=rekey_update),
        spec(
            "rekey/verify",
            {**NONCE_FIELD, "key": KEY_FIELDS["key"]},
            "Verify the new key shares.",
            read=verify_status,
            update=verify_update,
            delete=verify_restart,
        ),
        spec(
            "generate-root/attempt",
            ROOT_ATTEMPT_FIELDS,
            "Start, read or cancel root generation.",
            read=root_status,
            update=root_start,
            delete=root_cancel,
        ),
        spec(
            "generate-root/update",
            KEY_FIELDS,
            "Enter a key share for root generation.",
            update=root_update,
        ),
    ]
