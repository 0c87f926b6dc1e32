"""The ASGI app: translates HTTP to logical requests and responses, nothing more."""

from strongroom.http.app import HTTPLimits, VaultApp

__all__ = ["HTTPLimits", "VaultApp"]
