"""sys/mounts, sys/auth, sys/remount and their tune endpoints."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from strongroom.core.mounts import normalize_mount_path
from strongroom.errors import BadRequest, InvalidParameter
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response
from strongroom.routing import AUTH_TABLE, SECRET_TABLE, MountConfig, MountEntry

if TYPE_CHECKING:
    from strongroom.core.core import Core

# A tune path ends in /tune; a mount path never does, so the two patterns cannot overlap.
MOUNT_PATH = r"(?P<path>(?!.*/tune$).+)"
TYPE_ALIASES = {"kv-v2": ("kv", {"version": "2"}), "generic": ("kv", None)}

CONFIG_FIELDS = {
    "default_lease_ttl": Field(FieldType.DURATION, "default lease TTL (0 = system default)"),
    "max_lease_ttl": Field(FieldType.DURATION, "maximum lease TTL (0 = system maximum)"),
    "force_no_cache": Field(FieldType.BOOL),
    "audit_non_hmac_request_keys": Field(FieldType.STRING_LIST),
    "audit_non_hmac_response_keys": Field(FieldType.STRING_LIST),
    "listing_visibility": Field(FieldType.STRING),
    "passthrough_request_headers": Field(FieldType.STRING_LIST),
    "allowed_response_headers": Field(FieldType.STRING_LIST),
    "token_type": Field(FieldType.STRING),
    "user_lockout_config": Field(FieldType.MAP),
}
ENABLE_FIELDS = {
    "path": Field(FieldType.STRING),
    "type": Field(FieldType.STRING, "the engine or auth method type", required=True),
    "description": Field(FieldType.STRING, default=""),
    "config": Field(FieldType.MAP, default={}),
    "options": Field(FieldType.MAP),
    "local": Field(FieldType.BOOL, default=False),
    "seal_wrap": Field(FieldType.BOOL, default=False),
    "external_entropy_access": Field(FieldType.BOOL, default=False),
    "plugin_name": Field(FieldType.STRING, default=""),
    "plugin_version": Field(FieldType.STRING, default=""),
}
TUNE_FIELDS = {
    "path": Field(FieldType.STRING),
    "description": Field(FieldType.STRING),
    "options": Field(FieldType.MAP),
    **CONFIG_FIELDS,
}
REMOUNT_FIELDS = {
    "from": Field(FieldType.STRING, "the current mount path", required=True),
    "to": Field(FieldType.STRING, "the new mount path", required=True),
}
TOKEN_TYPES = ("", "default-service", "default-batch", "service", "batch")


def tuned_config(base: MountConfig, data: FieldData, table: str) -> MountConfig:
    """`base` with every config field present in `data` applied and validated."""
    changes: dict[str, Any] = {}
    for name, field in CONFIG_FIELDS.items():
        if field.type is FieldType.DURATION and data.raw.get(name) == "system":
            changes[name] = 0  # back to the system default
            continue
        value = data.get(name)
        if value is None:
            continue  # absent, null or "": leave the setting as it is
        changes[name] = tuple(value) if field.type is FieldType.STRING_LIST else value
    if changes.get("listing_visibility", "") not in ("", "unauth", "hidden"):
        raise InvalidParameter("listing_visibility must be 'unauth' or 'hidden'")
    if "token_type" in changes:
        if table != AUTH_TABLE:
            raise InvalidParameter("token_type can only be set on auth methods")
        if changes["token_type"] not in TOKEN_TYPES:
            raise InvalidParameter(f"token_type must be one of {', '.join(TOKEN_TYPES[1:])}")
    if "user_lockout_config" in changes:
        if table != AUTH_TABLE:
            raise InvalidParameter("user_lockout_config can only be set on auth methods")
        changes.update(_lockout_settings(changes.pop("user_lockout_config")))
    config = MountConfig(**{**_config_dict(base), **changes})
    if config.max_lease_ttl and config.default_lease_ttl > config.max_lease_ttl:
        raise InvalidParameter("default_lease_ttl cannot be greater than max_lease_ttl")
    return config


_LOCKOUT_FIELDS = {
    "lockout_threshold": Field(FieldType.INT, "failed logins before a lock"),
    "lockout_duration": Field(FieldType.DURATION, "how long a lock lasts"),
    "lockout_counter_reset": Field(FieldType.DURATION, "when failures are forgotten"),
    "lockout_disable": Field(FieldType.BOOL, "no lockout on this mount"),
}


def _lockout_settings(raw: dict[str, Any]) -> dict[str, Any]:
    """`user_lockout_config` as MountConfig fields (a field left out keeps its value)."""
    unknown = set(raw) - set(_LOCKOUT_FIELDS)
    if unknown:
        expected = ", ".join(_LOCKOUT_FIELDS)
        raise InvalidParameter(f"user_lockout_config: unknown setting; expected {expected}")
    data = FieldData(raw, _LOCKOUT_FIELDS)
    settings = {name: data.get(name) for name in _LOCKOUT_FIELDS if raw.get(name) is not None}
    if settings.get("lockout_threshold", 0) < 0:
        raise InvalidParameter("user_lockout_config: lockout_threshold cannot be negative")
    return settings


def _config_dict(config: MountConfig) -> dict[str, Any]:
    return {name: getattr(config, name) for name in MountConfig.__dataclass_fields__}


def _string_options(raw: Any) -> dict[str, str] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InvalidParameter("options must be an object")
    # Option values are strings on the wire: the vault CLI type-asserts them.
    return {str(k): str(v) for k, v in raw.items()}


def mount_paths(core: Core) -> list[PathSpec]:
    mounts = core.mounts

    def table_response(table: str) -> Response:
        return Response(
            {entry.path: entry.as_api() for entry in mounts.entries(table)}, top_level_copy=True
        )

    def split(table: str, path: str) -> tuple[str, str]:
        """`sys/mounts/auth/x/tune` tunes the auth method x: route it to the auth table."""
        if table == SECRET_TABLE and path.startswith("auth/"):
            return AUTH_TABLE, path[len("auth/") :]
        return table, path

    def enable_handler(table: str) -> Any:
        async def enable(request: Request, data: FieldData) -> None:
            type_, options = data.get("type"), _string_options(data.get("options"))
            type_, implied = TYPE_ALIASES.get(type_, (type_, None))
            options = {**(implied or {}), **(options or {})} or None
            config_data = FieldData(data.get("config"), CONFIG_FIELDS)
            entry = MountEntry.new(
                table,
                normalize_mount_path(_mount_path(data)),
                type_,
                description=data.get("description"),
                local=data.get("local"),
                seal_wrap=data.get("seal_wrap"),
                external_entropy_access=data.get("external_entropy_access"),
                options=options,
                config=tuned_config(MountConfig(), config_data, table),
            )
            await mounts.enable(entry)

        return enable

    def read_handler(table: str) -> Any:
        async def read(request: Request, data: FieldData) -> Response:
            entry = mounts.require(table, _mount_path(data))
            return Response(entry.as_api(), top_level_copy=True)

        return read

    def disable_handler(table: str) -> Any:
        async def disable(request: Request, data: FieldData) -> None:
            await core.disable_mount(table, _mount_path(data))

        return disable

    def read_tune_handler(table: str) -> Any:
        async def read_tune(request: Request, data: FieldData) -> Response:
            entry = mounts.require(*split(table, _mount_path(data)))
            return Response(tune_view(core, entry), top_level_copy=True)

        return read_tune

    def write_tune_handler(table: str) -> Any:
        async def write_tune(request: Request, data: FieldData) -> None:
            entry = mounts.require(*split(table, _mount_path(data)))
            changes: dict[str, Any] = {"config": tuned_config(entry.config, data, entry.table)}
            if data.has("description"):
                changes["description"] = data.get("description")
            rebuild = False
            if data.has("options"):
                options = merged_options(entry, _string_options(data.get("options")))
                rebuild = await core.change_options(entry, options)
                changes["options"] = options
            await mounts.replace(entry.with_changes(**changes), rebuild=rebuild)
            core.sync_token_config()

        return write_tune

    async def list_mounts(request: Request, data: FieldData) -> Response:
        return table_response(SECRET_TABLE)

    async def list_auth(request: Request, data: FieldData) -> Response:
        return table_response(AUTH_TABLE)

    async def remount(request: Request, data: FieldData) -> Response:
        source, target = data.get("from"), data.get("to")
        table, source_path = split(SECRET_TABLE, source.strip("/"))
        target_table, target_path = split(SECRET_TABLE, target.strip("/"))
        if table != target_table:
            raise BadRequest("cannot move a mount between secrets engines and auth methods")
        migration_id = str(uuid.uuid4())
        old_route, new_route = await core.remount(table, source_path, target_path)
        core.migrations[migration_id] = {
            "source_mount": old_route,
            "target_mount": new_route,
            "status": "success",
        }
        return Response({"migration_id": migration_id}, top_level_copy=True)

    async def remount_status(request: Request, data: FieldData) -> Response:
        migration_id = data.get("migration_id")
        info = core.migrations.get(migration_id)
        if info is None:
            raise BadRequest(f"no migration found with ID {migration_id}")
        return Response({"migration_id": migration_id, "migration_info": info})

    def table_specs(prefix: str, table: str, sudo: bool) -> list[PathSpec]:
        return [
            PathSpec(
                f"{prefix}/{MOUNT_PATH}",
                {
                    Operation.READ: read_handler(table),
                    Operation.UPDATE: enable_handler(table),
                    Operation.DELETE: disable_handler(table),
                },
                ENABLE_FIELDS,
                sudo=sudo,
                help=f"Enable, read or disable one {table} mount.",
            ),
            PathSpec(
                f"{prefix}/(?P<path>.+)/tune",
                {
                    Operation.READ: read_tune_handler(table),
                    Operation.UPDATE: write_tune_handler(table),
                },
                TUNE_FIELDS,
                sudo=sudo,
                help="Read or change a mount's settings.",
            ),
        ]

    return [
        PathSpec("mounts", {Operation.READ: list_mounts}, help="List secrets engines."),
        PathSpec("auth", {Operation.READ: list_auth}, help="List auth methods."),
        *table_specs("mounts", SECRET_TABLE, sudo=False),
        *table_specs("auth", AUTH_TABLE, sudo=True),
        PathSpec("remount", {Operation.UPDATE: remount}, REMOUNT_FIELDS, sudo=True),
        PathSpec(
            "remount/status/(?P<migration_id>[^/]+)",
            {Operation.READ: remount_status},
            {"migration_id": Field(FieldType.STRING)},
        ),
    ]


def tune_view(core: Core, entry: MountEntry) -> dict[str, Any]:
    """sys/mounts/:path/tune: the effective settings, with system defaults filled in."""
    default_ttl, max_ttl = core.mount_ttls(entry)
    config = entry.config.as_api(entry.table)
    return {
        **config,
        "description": entry.description,
        "default_lease_ttl": default_ttl,
        "max_lease_ttl": max_ttl,
        "options": entry.options,
    }


def merged_options(entry: MountEntry, options: dict[str, str] | None) -> dict[str, str] | None:
    """Tuned options merge into the mount's own."""
    if not options:
        return entry.options
    return {**(entry.options or {}), **options}


def _mount_path(data: FieldData) -> str:
    return str(data.get("path") or "")
