"""Token IDs and accessors: random opaque strings in Vault's formats."""

from __future__ import annotations

from strongroom.crypto.random_ids import random_base62
from strongroom.errors import BadRequest

SERVICE_TOKEN_PREFIX = "hvs."
BATCH_TOKEN_PREFIX = "hvb."
LEGACY_SERVICE_PREFIX = "s."
TOKEN_RANDOM_LENGTH = 24
ACCESSOR_LENGTH = 24
# What generate-root's one-time pad must match: a service token's full length.
ROOT_TOKEN_LENGTH = len(SERVICE_TOKEN_PREFIX) + TOKEN_RANDOM_LENGTH


def new_token_id() -> str:
    return SERVICE_TOKEN_PREFIX + random_base62(TOKEN_RANDOM_LENGTH)


def new_accessor() -> str:
    return random_base62(ACCESSOR_LENGTH)


def is_batch_token(token_id: str) -> bool:
    return token_id.startswith(BATCH_TOKEN_PREFIX)


def check_custom_id(token_id: str) -> None:
    """A caller-chosen ID may not pose as a generated or batch token (Vault's rules)."""
    if token_id.startswith((SERVICE_TOKEN_PREFIX, LEGACY_SERVICE_PREFIX)):
        raise BadRequest("custom token ID cannot have the 'hvs.' or 's.' prefix")
    if "." in token_id:
        raise BadRequest("custom token ID cannot have a '.' in the value")
