"""Longest-prefix routing of request paths to mounted backends, and the mount records."""

from strongroom.routing.mount import AUTH_TABLE, SECRET_TABLE, MountConfig, MountEntry
from strongroom.routing.router import Routed, Router

__all__ = ["AUTH_TABLE", "SECRET_TABLE", "MountConfig", "MountEntry", "Routed", "Router"]
