"""The wire encodings transit shares with Vault: strict base64, and `vault:v<N>:` prefixes on
ciphertexts, signatures and HMACs. Errors name what was malformed, never its value."""

from __future__ import annotations

import base64

from strongroom.crypto.b64 import decode_strict, decode_url_unpadded
from strongroom.errors import InvalidParameter

PREFIX = "vault:v"
_NEWLINES = str.maketrans("", "", "\r\n")


def decode_b64(value: str, what: str) -> bytes:
    """Standard, padded base64 as Go's `base64.StdEncoding` reads it (it skips CR and LF)."""
    if "\n" in value or "\r" in value:  # rare: a scan costs less than a translate
        value = value.translate(_NEWLINES)
    try:
        return decode_strict(value)
    except ValueError:
        raise InvalidParameter(f"unable to decode {what} as base64") from None


def decode_b64url(value: str, what: str) -> bytes:
    """Unpadded URL-safe base64 (JWS signatures)."""
    try:
        return decode_url_unpadded(value)
    except ValueError:
        raise InvalidParameter(f"unable to decode {what} as base64") from None


def encode_b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def encode_b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def versioned(version: int, payload: str) -> str:
    return f"{PREFIX}{version}:{payload}"


def split_versioned(value: str, what: str) -> tuple[int, str]:
    """(version, payload) of `vault:v<N>:<payload>`; version 0 means 1, as in Vault."""
    if not value.startswith(PREFIX):
        raise InvalidParameter(f"invalid {what}: no prefix")
    number, separator, payload = value[len(PREFIX) :].partition(":")
    if not separator:
        raise InvalidParameter(f"invalid {what}: wrong number of fields")
    if not number.isascii() or not number.isdigit() or len(number) > 9:
        raise InvalidParameter(f"invalid {what}: version number could not be decoded")
    return max(int(number), 1), payload
