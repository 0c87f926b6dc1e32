"""`strongroom status`, and the seal-status view that `operator unseal` prints too.

Exit codes as the vault CLI's: 0 unsealed, 2 sealed, 1 on any error.
"""

from __future__ import annotations

from typing import Any

from strongroom.cli.client import Client, ClientError, JSONObject
from strongroom.cli.command import EXIT_OK, Invocation, add_command, reporting
from strongroom.cli.output import Row

EXIT_SEALED = 2
STATUS_ERROR = 1  # 2 already means "sealed"
ZERO_TIME = "0001-01-01T00:00:00Z"
SEALED_STATUS = 503
# sys/leader fields shown with the status when set (the vault CLI omits the empty ones).
LEADER_FIELDS = (
    "is_self",
    "active_time",
    "leader_address",
    "leader_cluster_address",
    "raft_committed_index",
    "raft_applied_index",
)


def register(commands: Any) -> None:
    add_command(
        commands,
        "status",
        run_status,
        help="print the seal and HA status (exit code 0 unsealed, 2 sealed, 1 error)",
        error_exit=STATUS_ERROR,
    )


def run_status(invocation: Invocation) -> int:
    with reporting("checking seal status", STATUS_ERROR):
        seal = invocation.client.get("sys/seal-status")
    show_seal_status(invocation, seal)
    return EXIT_SEALED if seal.get("sealed") else EXIT_OK


def show_seal_status(invocation: Invocation, seal: JSONObject) -> None:
    """The seal status joined with the HA status from `sys/leader`."""
    with reporting("checking leader status", STATUS_ERROR):  # 1, from `unseal` too, as vault
        leader = leader_status(invocation.client)
    invocation.out.data(seal_status_rows(seal, leader), seal_status_document(seal, leader))


def leader_status(client: Client) -> JSONObject:
    """`sys/leader`; a sealed HA node cannot answer it, which itself says HA is enabled."""
    try:
        return client.get("sys/leader")
    except ClientError as exc:
        if exc.status == SEALED_STATUS:
            return {"ha_enabled": True}
        raise


def seal_status_document(seal: JSONObject, leader: JSONObject) -> JSONObject:
    document = {**seal, "ha_enabled": bool(leader.get("ha_enabled"))}
    for name in LEADER_FIELDS:
        value = leader.get(name)
        if value and value != ZERO_TIME:
            document[name] = value
    return document


def seal_status_rows(seal: JSONObject, leader: JSONObject) -> list[Row]:
    return _seal_rows(seal) + _ha_rows(leader, sealed=bool(seal.get("sealed")))


def _seal_rows(seal: JSONObject) -> list[Row]:
    rows: list[Row] = [("Seal Type", seal.get("type"))]
    prefix = ""
    if seal.get("recovery_seal"):
        prefix = "Recovery "
        rows.append(("Recovery Seal Type", seal.get("recovery_seal_type")))
    threshold = seal.get("t", 0)
    rows += [
        ("Initialized", seal.get("initialized")),
        ("Sealed", seal.get("sealed")),
        (f"Total {prefix}Shares", seal.get("n", 0)),
        ("Threshold", threshold),
    ]
    if seal.get("sealed"):
        rows.append(("Unseal Progress", f"{seal.get('progress', 0)}/{threshold}"))
        rows.append(("Unseal Nonce", seal.get("nonce")))
    if seal.get("migration"):
        rows.append(("Seal Migration in Progress", True))
    for field, label in (
        ("version", "Version"),
        ("build_date", "Build Date"),
        ("commit_date", "Commit Date"),
        ("storage_type", "Storage Type"),
    ):
        if seal.get(field):
            rows.append((label, seal[field]))
    if seal.get("cluster_name") and seal.get("cluster_id"):
        rows.append(("Cluster Name", seal["cluster_name"]))
        rows.append(("Cluster ID", seal["cluster_id"]))
    return rows


def _ha_rows(leader: JSONObject, *, sealed: bool) -> list[Row]:
    enabled = bool(leader.get("ha_enabled"))
    rows: list[Row] = [("HA Enabled", enabled)]
    if enabled and not sealed:
        is_self = bool(leader.get("is_self"))
        rows.append(("HA Cluster", leader.get("leader_cluster_address")))
        rows.append(("HA Mode", "active" if is_self else "standby"))
        active_time = leader.get("active_time")
        if is_self and active_time and active_time != ZERO_TIME:
            rows.append(("Active Since", active_time))
        if not is_self and leader.get("leader_address"):
            rows.append(("Active Node Address", leader["leader_address"]))
    for field, label in (
        ("raft_committed_index", "Raft Committed Index"),
        ("raft_applied_index", "Raft Applied Index"),
    ):
        if leader.get(field):
            rows.append((label, leader[field]))
    return rows
