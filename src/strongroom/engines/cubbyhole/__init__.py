"""Per-token private storage, destroyed with the token."""

from strongroom.engines.cubbyhole.backend import Cubbyhole

__all__ = ["Cubbyhole"]
