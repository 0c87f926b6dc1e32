"""The encryption barrier: every value that crosses it is sealed with the active keyring term.

While sealed the barrier holds no keys and refuses every operation. The keyring itself is stored
at `core/keyring`, encrypted with the root key under the reserved term 0.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence

from strongroom.crypto.envelope import RESERVED_TERM, cipher, open_entry, seal_entry
from strongroom.crypto.keyring import Keyring, RotationConfig
from strongroom.errors import Sealed
from strongroom.physical import Backend, Delete, Put, TransactionalBackend, TxnOp

KEYRING_PATH = "core/keyring"
OPENED_CACHE_SIZE = 16_384


class Barrier:
    def __init__(self, physical: Backend) -> None:
        self._physical = physical
        # Decided once: isinstance on a runtime-checkable protocol is slow on the hot path.
        self._transactions = physical if isinstance(physical, TransactionalBackend) else None
        self._keyring: Keyring | None = None
        # Encryptions under the active term since the keyring was last saved.
        self._unsaved_encryptions = 0
        self._keyring_lock = asyncio.Lock()
        # Recently opened entries, as (ciphertext, plaintext): dropped when the node seals.
        self._opened: OrderedDict[str, tuple[bytes, bytes]] = OrderedDict()

    @property
    def sealed(self) -> bool:
        return self._keyring is None

    @property
    def keyring(self) -> Keyring:
        if self._keyring is None:
            raise Sealed()
        return self._keyring

    @property
    def active_encryptions(self) -> int:
        return self.keyring.active.encryptions + self._unsaved_encryptions

    async def initialize(self, root_key: bytes, now: float) -> None:
        """Create and store the first keyring; the barrier stays sealed."""
        await self._save_keyring(Keyring.create(root_key, now))

    async def unseal(self, root_key: bytes) -> None:
        self._keyring = await self._load_keyring(root_key)
        self._unsaved_encryptions = 0

    def seal(self) -> None:
        self._opened.clear()
        self._keyring = None
        self._unsaved_encryptions = 0

    async def reload(self) -> None:
        """Re-read the keyring from storage (another node may have rotated it)."""
        self._keyring = await self._load_keyring(self.keyring.root_key)

    # --- keyring changes --------------------------------------------------------------------

    async def rotate(self, now: float) -> int:
        """Add a term and make it active; returns the new term number."""
        async with self._keyring_lock:
            rotated = self.keyring.rotated(now, self.active_encryptions)
            await self._save_keyring(rotated)
            self._keyring, self._unsaved_encryptions = rotated, 0
            return rotated.active.number

    async def set_rotation(self, rotation: RotationConfig) -> None:
        await self._replace_keyring(self.keyring.with_rotation(rotation))

    async def set_root_key(self, root_key: bytes) -> None:
        await self._replace_keyring(self.keyring.with_root_key(root_key))

    async def save_counters(self) -> None:
        """Persist the encryption count of the active term (for rotation by operations)."""
        await self._replace_keyring(self.keyring.with_active_encryptions(self.active_encryptions))

    async def _replace_keyring(self, keyring: Keyring) -> None:
        async with self._keyring_lock:
            keyring = keyring.with_active_encryptions(self.active_encryptions)
            await self._save_keyring(keyring)
            self._keyring, self._unsaved_encryptions = keyring, 0

    async def _save_keyring(self, keyring: Keyring) -> None:
        blob = seal_entry(
            cipher(keyring.root_key), RESERVED_TERM, KEYRING_PATH, keyring.serialize()
        )
        await self._physical.put(KEYRING_PATH, blob)

    async def _load_keyring(self, root_key: bytes) -> Keyring:
        blob = await self._physical.get(KEYRING_PATH)
        if blob is None:
            raise Sealed("the keyring is missing from storage")
        root = cipher(root_key)
        plaintext = open_entry(lambda t: root if t == RESERVED_TERM else None, KEYRING_PATH, blob)
        return Keyring.deserialize(plaintext)

    # --- encrypted storage ------------------------------------------------------------------

    def encrypt(self, path: str, plaintext: bytes) -> bytes:
        keyring = self.keyring
        active = keyring.active
        aead = keyring.cipher_for(active.number)
        assert aead is not None
        self._unsaved_encryptions += 1
        return seal_entry(aead, active.number, path, plaintext)

    def decrypt(self, path: str, blob: bytes) -> bytes:
        return open_entry(self.keyring.cipher_for, path, blob)

    async def get(self, key: str) -> bytes | None:
        self._check_unsealed()
        blob = await self._physical.get(key)
        if blob is None:
            return None
        # The physical cache hands back the very same ciphertext object until the entry is
        # rewritten, so an identity match means this plaintext is still the entry's.
        opened = self._opened.get(key)
        if opened is not None and opened[0] is blob:
            return opened[1]
        plaintext = self.decrypt(key, blob)
        self._opened[key] = (blob, plaintext)
        if len(self._opened) > OPENED_CACHE_SIZE:
            self._opened.popitem(last=False)
        return plaintext

    async def put(self, key: str, value: bytes) -> None:
        await self._physical.put(key, self.encrypt(key, value))

    async def delete(self, key: str) -> None:
        self._check_unsealed()
        await self._physical.delete(key)

    async def list(
        self, prefix: str, after: str | None = None, limit: int | None = None
    ) -> list[str]:
        self._check_unsealed()
        return await self._physical.list(prefix, after, limit)

    @property
    def transactional(self) -> bool:
        return self._transactions is not None

    async def transaction(self, ops: Sequence[TxnOp]) -> None:
        """Apply puts and deletes atomically; needs a transactional physical backend."""
        if self._transactions is None:
            raise NotImplementedError("the storage backend does not support transactions")
        sealed_ops: list[TxnOp] = [
            Put(op.key, self.encrypt(op.key, op.value)) if isinstance(op, Put) else Delete(op.key)
            for op in ops
        ]
        await self._transactions.transaction(sealed_ops)

    def _check_unsealed(self) -> None:
        if self._keyring is None:
            raise Sealed()
