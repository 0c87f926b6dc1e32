"""The AppRole auth method: role IDs and secret IDs, for machines."""

from strongroom.auth.approle.backend import AppRoleBackend, build_approle_backend

__all__ = ["AppRoleBackend", "build_approle_backend"]
