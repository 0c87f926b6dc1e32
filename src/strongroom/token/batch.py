"""Batch tokens: the whole entry, AEAD-encrypted into the token itself, and never stored.

`hvb.` + base64url(envelope) where the envelope is `strongroom.crypto.envelope` (AES-256-GCM)
under a random key kept at `batch-key` in the token store's view, with "batch-token" bound as
associated data. Opening is the only comparison: a token altered by one bit fails the GCM tag.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from strongroom.crypto.b64 import decode_url_unpadded
from strongroom.crypto.envelope import RESERVED_TERM, cipher, open_entry, seal_entry
from strongroom.errors import IntegrityError
from strongroom.logical import Storage
from strongroom.token.entry import TokenEntry
from strongroom.token.ids import BATCH_TOKEN_PREFIX
from strongroom.token.keys import BATCH_KEY, StoredSecret

BATCH_AAD = "batch-token"


class BatchCodec:
    def __init__(self, storage: Storage) -> None:
        self._key = StoredSecret(storage, BATCH_KEY)
        self._cipher: AESGCM | None = None

    def invalidate(self) -> None:
        self._key.invalidate()
        self._cipher = None

    async def encode(self, entry: TokenEntry) -> str:
        blob = seal_entry(await self._aead(), RESERVED_TERM, BATCH_AAD, entry.serialize())
        return BATCH_TOKEN_PREFIX + base64.urlsafe_b64encode(blob).rstrip(b"=").decode()

    async def decode(self, token_id: str) -> TokenEntry | None:
        """The entry inside a batch token, or None when it is malformed or was tampered with."""
        body = token_id[len(BATCH_TOKEN_PREFIX) :]
        try:
            blob = decode_url_unpadded(body)
        except ValueError:
            return None
        aead = await self._aead()
        try:
            plaintext = open_entry(
                lambda term: aead if term == RESERVED_TERM else None, BATCH_AAD, blob
            )
        except IntegrityError:
            return None
        return TokenEntry.deserialize(plaintext)

    async def _aead(self) -> AESGCM:
        if self._cipher is None:
            self._cipher = cipher(await self._key.get())
        return self._cipher
