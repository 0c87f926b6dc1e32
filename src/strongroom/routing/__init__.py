"""Longest-prefix routing of request paths to mounted backends."""

from strongroom.routing.router import MountEntry, Routed, Router

__all__ = ["MountEntry", "Routed", "Router"]
