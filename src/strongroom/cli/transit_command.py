"""`strongroom transit import|import-version PATH KEY [K=V...]`: bring your own key (BYOK).

As the vault CLI's: PATH is `<mount>/keys/<name>`; KEY is the key material in standard base64
(raw bytes for symmetric and HMAC keys, PKCS#8 DER for asymmetric ones), given on the command
line or as `@file` holding that base64. The command reads `<mount>/wrapping_key` (RSA-4096),
wraps KEY with a fresh AES-256 key by AES key wrap with padding (RFC 5649), encrypts that AES
key to the wrapping key with RSA-OAEP (SHA-256 unless `hash_function=` says otherwise, with MGF1
of the same hash and no label), and writes base64(RSA part ‖ KWP part) as `ciphertext`, with
the remaining `K=V` data (`type=`, `exportable=`, …), to `keys/<name>/import` or
`import_version`. The key material never leaves this process unwrapped.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

from strongroom.cli.command import (
    EXIT_OK,
    EXIT_REMOTE,
    EXIT_USAGE,
    CommandFailed,
    Invocation,
    add_command,
    add_group,
    reporting,
)
from strongroom.cli.logical import request_data

EPHEMERAL_KEY_BYTES = 32  # the server accepts only an AES-256 ephemeral key
DEFAULT_HASH = "SHA256"
OAEP_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "SHA1": hashes.SHA1,
    "SHA224": hashes.SHA224,
    "SHA256": hashes.SHA256,
    "SHA384": hashes.SHA384,
    "SHA512": hashes.SHA512,
}
_KEY_PATH = re.compile(r"^(.*)/keys/([^/]*)$")


@dataclass(frozen=True)
class ImportTarget:
    """Where a key goes: the mount (`transit`) and the endpoint (`transit/keys/k/import`)."""

    mount: str
    endpoint: str


def register(commands: Any) -> None:
    transit = add_group(commands, "transit", help="import keys into a transit secrets engine")
    for name, endpoint, what in (
        ("import", "import", "import a key as a new transit key"),
        ("import-version", "import_version", "import a key as a new version of a transit key"),
    ):
        parser = add_command(transit, name, _runner(endpoint), help=what)
        _arguments(parser)


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", help="the key's path: <mount>/keys/<name>")
    parser.add_argument(
        "key", metavar="KEY", help="the key material in base64, or @file holding it"
    )
    parser.add_argument(
        "data",
        nargs="*",
        metavar="K=V",
        help="more request data (type=ed25519, exportable=true, …): k=v, k=@file, k=-",
    )


def _runner(endpoint: str) -> Callable[[Invocation], int]:
    return lambda invocation: run_import(invocation, endpoint)


def import_target(path: str, endpoint: str) -> ImportTarget:
    """The mount and API path for PATH (`<mount>/keys/<name>`)."""
    found = _KEY_PATH.match(path.strip().strip("/"))
    if found is None or not found[1] or not found[2]:
        raise CommandFailed(
            "expected transit path and key name in the form :path:/keys/:name:", EXIT_USAGE
        )
    mount, name = found[1], found[2]
    return ImportTarget(mount, f"{mount}/keys/{name}/{endpoint}")


def key_material(argument: str) -> bytes:
    """KEY: base64 given directly or read from `@file`; whitespace (line breaks) is ignored."""
    text = argument
    if argument.startswith("@"):
        try:
            text = Path(argument[1:]).read_text()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandFailed(f"error reading key material file: {exc}", EXIT_USAGE) from None
    try:
        material = base64.b64decode("".join(text.split()), validate=True)
    except binascii.Error as exc:
        raise CommandFailed(
            f"error base64 decoding source key material: {exc}", EXIT_USAGE
        ) from None
    if not material:
        raise CommandFailed("error base64 decoding source key material: it is empty", EXIT_USAGE)
    return material


def oaep_hash(name: object) -> hashes.HashAlgorithm:
    algorithm = OAEP_HASHES.get(name.upper()) if isinstance(name, str) else None
    if algorithm is None:
        supported = ", ".join(OAEP_HASHES)
        raise CommandFailed(
            f"unsupported hash_function {name!r}; use one of {supported}", EXIT_USAGE
        )
    return algorithm()


def wrapping_public_key(pem: object) -> rsa.RSAPublicKey:
    """The RSA key of a `wrapping_key` answer's `public_key` (PEM)."""
    try:
        public = serialization.load_pem_public_key(str(pem).encode())
    except (TypeError, ValueError) as exc:
        raise CommandFailed(f"error parsing wrapping key: {exc}", EXIT_REMOTE) from None
    if not isinstance(public, rsa.RSAPublicKey):
        raise CommandFailed("error parsing wrapping key: it is not an RSA key", EXIT_REMOTE)
    return public


def wrap_key(wrapping: rsa.RSAPublicKey, material: bytes, algorithm: hashes.HashAlgorithm) -> str:
    """The import `ciphertext`: base64(RSA-OAEP(ephemeral AES key) ‖ KWP(material))."""
    ephemeral = os.urandom(EPHEMERAL_KEY_BYTES)
    wrapped_material = aes_key_wrap_with_padding(ephemeral, material)
    wrapped_key = wrapping.encrypt(
        ephemeral, padding.OAEP(padding.MGF1(algorithm), algorithm, None)
    )
    return base64.b64encode(wrapped_key + wrapped_material).decode()


def run_import(invocation: Invocation, endpoint: str) -> int:
    args, out, client = invocation.args, invocation.out, invocation.client
    target = import_target(args.path, endpoint)
    material = key_material(args.key)
    data = request_data(args.data)
    algorithm = oaep_hash(data.get("hash_function", DEFAULT_HASH))
    progress = out.line if out.is_table else (lambda text: None)
    progress("Retrieving wrapping key.")
    with reporting("fetching wrapping key"):
        answer = client.get(f"{target.mount}/wrapping_key")
    wrapping = wrapping_public_key((answer.get("data") or {}).get("public_key"))
    progress("Wrapping source key with ephemeral key.")
    progress("Encrypting ephemeral key with wrapping key.")
    data["ciphertext"] = wrap_key(wrapping, material, algorithm)
    progress("Submitting wrapped key.")
    with reporting(f"importing key to {target.endpoint}"):
        client.request("PUT", target.endpoint, body=data)
    progress("Success!")
    return EXIT_OK
