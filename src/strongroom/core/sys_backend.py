"""The `sys/` backend: one path table assembled from the sys_* modules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from strongroom.core.sys_audit import audit_paths
from strongroom.core.sys_internal import internal_paths
from strongroom.core.sys_keyring import keyring_paths
from strongroom.core.sys_leases import lease_paths
from strongroom.core.sys_lockout import lockout_paths
from strongroom.core.sys_mounts import mount_paths
from strongroom.core.sys_policy import policy_paths
from strongroom.core.sys_quorum import quorum_paths
from strongroom.core.sys_wrapping import wrapping_paths
from strongroom.framework import FrameworkBackend
from strongroom.framework.tools import tool_paths

if TYPE_CHECKING:
    from strongroom.core.core import Core


def build_sys_backend(core: Core) -> FrameworkBackend:
    return FrameworkBackend(
        [
            *keyring_paths(core),
            *quorum_paths(core),
            *mount_paths(core),
            *policy_paths(core),
            *lease_paths(core),
            *wrapping_paths(core),
            *audit_paths(core),
            *lockout_paths(core),
            *internal_paths(core),
            *tool_paths("tools/"),
        ]
    )
