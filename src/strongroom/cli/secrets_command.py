"""`strongroom secrets enable|disable|list|tune|move`: secrets engines (`sys/mounts/*`).

`move` starts a remount (`sys/remount`) and polls its status until it succeeds or fails.
"""

from __future__ import annotations

import time
from typing import Any

from strongroom.cli.command import (
    EXIT_OK,
    CommandFailed,
    Invocation,
    add_command,
    add_group,
    reporting,
)
from strongroom.cli.mounts import SECRETS, mount_path, register_commands

SUCCESS, FAILURE = "success", "failure"
# The vault CLI polls every 10 s; a remount is usually done at once, so start faster.
FIRST_POLL_SECONDS, MAX_POLL_SECONDS = 0.2, 5.0


def register(commands: Any) -> None:
    secrets = add_group(commands, "secrets", help="enable, disable, list, tune and move engines")
    register_commands(secrets, SECRETS)
    move = add_command(secrets, "move", run_move, help="move a secrets engine to a new path")
    move.add_argument("source", metavar="SOURCE")
    move.add_argument("destination", metavar="DESTINATION")


def run_move(invocation: Invocation) -> int:
    out, client = invocation.out, invocation.client
    source, destination = (
        mount_path(invocation.args.source),
        mount_path(invocation.args.destination),
    )
    moving = f"secrets engine {source} to {destination}"
    with reporting(f"moving {moving}"):
        started = client.put("sys/remount", {"from": source, "to": destination})
    migration = str((started.get("data") or started).get("migration_id") or "")
    out.line(f"Started moving {moving}, with migration ID {migration}")
    delay = FIRST_POLL_SECONDS
    while True:
        with reporting(f"checking migration status of {moving}"):
            status = client.get(f"sys/remount/status/{migration}")
        info = (status.get("data") or {}).get("migration_info") or {}
        if info.get("status") == SUCCESS:
            out.line(f"Success! Finished moving {moving}, with migration ID {migration}")
            return EXIT_OK
        if info.get("status") == FAILURE:
            raise CommandFailed(
                f"Failure! Error encountered moving {moving}, with migration ID {migration}"
            )
        out.line(
            f"Waiting for terminal status in migration of {moving}, with migration ID {migration}"
        )
        time.sleep(delay)
        delay = min(delay * 2, MAX_POLL_SECONDS)
