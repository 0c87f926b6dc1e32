"""Strongroom: a secrets-management server that speaks the Vault/OpenBao HTTP API."""

__version__ = "0.1.0"

# What clients read as the server version: Vault-style, so version-gated clients enable features.
VAULT_COMPATIBLE_VERSION = f"1.17.0+strongroom.{__version__}"
