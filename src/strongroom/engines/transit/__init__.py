"""Transit: encryption, signing and HMAC as a service, with keys that never leave the barrier."""

from strongroom.engines.transit.backend import TransitBackend, build_transit_backend

__all__ = ["TransitBackend", "build_transit_backend"]
