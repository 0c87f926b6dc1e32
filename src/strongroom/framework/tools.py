"""The tools `hash[/<algorithm>]` and `random[/<source>][/<bytes>]`, with their path forms:
under `sys/tools/` and inside every transit mount (the same endpoints in Vault)."""

from __future__ import annotations

import base64
import hashlib
import os

from strongroom.crypto.b64 import decode_strict
from strongroom.errors import InvalidParameter
from strongroom.framework.fields import Field, FieldData, FieldType
from strongroom.framework.path import PathSpec
from strongroom.logical import Operation, Request, Response

MAX_RANDOM_BYTES = 128 * 1024
HASH_ALGORITHMS = {
    "sha2-224": "sha224",
    "sha2-256": "sha256",
    "sha2-384": "sha384",
    "sha2-512": "sha512",
    "sha3-224": "sha3_224",
    "sha3-256": "sha3_256",
    "sha3-384": "sha3_384",
    "sha3-512": "sha3_512",
}
FORMATS = ("base64", "hex")

RANDOM_FIELDS = {
    "urlsource": Field(FieldType.STRING),
    "urlbytes": Field(FieldType.STRING),
    "bytes": Field(FieldType.INT, "how many random bytes", default=32),
    "format": Field(FieldType.STRING, "base64 or hex", default="base64"),
    "source": Field(FieldType.STRING, "platform, seal or all", default="platform"),
}
HASH_FIELDS = {
    "urlalgorithm": Field(FieldType.STRING),
    "input": Field(FieldType.STRING, "base64-encoded input", required=True),
    "algorithm": Field(FieldType.STRING, "hash algorithm", default="sha2-256"),
    "format": Field(FieldType.STRING, "hex or base64", default="hex"),
}


def _encode(raw: bytes, output_format: str) -> str:
    if output_format not in FORMATS:
        raise InvalidParameter("format: unsupported encoding; use base64 or hex")
    return raw.hex() if output_format == "hex" else base64.b64encode(raw).decode()


async def random_bytes(request: Request, data: FieldData) -> Response:
    count = data.get("bytes")
    source = data.get("urlsource") or data.get("source")
    if data.get("urlbytes"):
        count = int(data.get("urlbytes"))
    elif source and source.isdigit():  # random/:bytes
        count, source = int(source), "platform"
    if source not in ("platform", "seal", "all"):
        raise InvalidParameter("unsupported entropy source; use platform, seal or all")
    if not 1 <= count <= MAX_RANDOM_BYTES:
        raise InvalidParameter(f"bytes must be between 1 and {MAX_RANDOM_BYTES}")
    # The Shamir seal has no entropy source of its own: seal and all use the platform's.
    return Response({"random_bytes": _encode(os.urandom(count), data.get("format"))})


async def hash_input(request: Request, data: FieldData) -> Response:
    algorithm = data.get("urlalgorithm") or data.get("algorithm")
    name = HASH_ALGORITHMS.get(algorithm)
    if name is None:
        raise InvalidParameter("algorithm: unsupported hash algorithm")
    try:
        raw = decode_strict(data.get("input"))
    except ValueError:
        raise InvalidParameter("unable to decode input as base64") from None
    output_format = data.get("format")
    return Response({"sum": _encode(hashlib.new(name, raw).digest(), output_format)})


def tool_paths(prefix: str = "") -> list[PathSpec]:
    """The two tools under `prefix` ("tools/" in sys/, "" in a transit mount)."""
    return [
        PathSpec(
            prefix + r"random(?:/(?P<urlsource>[^/]+))?(?:/(?P<urlbytes>\d+))?",
            {Operation.UPDATE: random_bytes},
            RANDOM_FIELDS,
            help="Random bytes from the platform's CSPRNG.",
        ),
        PathSpec(
            prefix + r"hash(?:/(?P<urlalgorithm>[^/]+))?",
            {Operation.UPDATE: hash_input},
            HASH_FIELDS,
            help="Hash base64-encoded input.",
        ),
    ]
