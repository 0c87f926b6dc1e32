"""`strongroom auth enable|disable|list|tune`: auth methods (`sys/auth/*`, sudo)."""

from __future__ import annotations

from typing import Any

from strongroom.cli.command import add_group
from strongroom.cli.mounts import AUTH, register_commands


def register(commands: Any) -> None:
    auth = add_group(commands, "auth", help="enable, disable, list and tune auth methods")
    register_commands(auth, AUTH)
