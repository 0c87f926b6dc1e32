"""The bodies of the sealed-state endpoints: seal-status, health and leader."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from strongroom import VAULT_COMPATIBLE_VERSION
from strongroom.errors import BadRequest

if TYPE_CHECKING:
    from strongroom.core.core import Core

BUILD_DATE = "2026-12-04T00:00:00Z"

# sys/health: the default status for each state, and the query parameter that overrides it.
HEALTH_CODES = {
    "uninitialized": ("uninitcode", 501),
    "sealed": ("sealedcode", 503),
    "standby": ("standbycode", 429),
    "active": ("activecode", 200),
}


async def seal_status(core: Core) -> dict[str, Any]:
    config = await core.seal_config()
    body: dict[str, Any] = {
        "type": "shamir",
        "initialized": config is not None,
        "sealed": core.sealed,
        "t": config.secret_threshold if config else 0,
        "n": config.secret_shares if config else 0,
        "progress": core.unseal_progress.progress if core.unseal_progress else 0,
        "nonce": core.unseal_nonce,
        "version": VAULT_COMPATIBLE_VERSION,
        "build_date": BUILD_DATE,
        "migration": False,
        "recovery_seal": False,
        "storage_type": core.config.storage_type,
    }
    if core.cluster is not None:
        body["cluster_name"] = core.cluster.name
        body["cluster_id"] = core.cluster.id
    return body


async def health(core: Core, query: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
    """The status code chosen by Vault's rules (and overrides) and the health body."""
    initialized = await core.initialized()
    state = "uninitialized" if not initialized else "sealed" if core.sealed else "active"
    parameter, default = HEALTH_CODES[state]
    status = _code(parameter, query.get(parameter), default)
    body: dict[str, Any] = {
        "initialized": initialized,
        "sealed": core.sealed,
        "standby": False,
        "performance_standby": False,
        "replication_performance_mode": "disabled",
        "replication_dr_mode": "disabled",
        "server_time_utc": int(core.clock.now()),
        "version": VAULT_COMPATIBLE_VERSION,
        "enterprise": False,
        "echo_duration_ms": 0,
        "clock_skew_ms": 0,
    }
    if core.cluster is not None:
        body["cluster_name"] = core.cluster.name
        body["cluster_id"] = core.cluster.id
    return status, body


def _code(parameter: str, raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        code = int(raw)
    except ValueError:
        code = 0
    if not 100 <= code <= 599:
        raise BadRequest(f"bad code for {parameter!r} parameter")
    return code


def leader(core: Core) -> dict[str, Any]:
    """HA is not enabled on a single node, and then Vault reports only that."""
    return {"ha_enabled": False}
