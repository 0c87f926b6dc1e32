"""PKI: certificate authorities, roles that issue strictly checked certificates, revocation."""

from strongroom.engines.pki.backend import PKIBackend, build_pki_backend

__all__ = ["PKIBackend", "build_pki_backend"]
