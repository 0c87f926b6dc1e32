"""The userpass auth method: usernames and passwords."""

from strongroom.auth.userpass.backend import UserpassBackend, build_userpass_backend

__all__ = ["UserpassBackend", "build_userpass_backend"]
