"""The Shamir seal's storage: the seal config and the root key encrypted by the KEK.

The shares rebuild a random key-encryption key (KEK); the KEK decrypts the root key; the root
key decrypts the keyring. Rekeying replaces the KEK and its shares, never the root key.
"""

from __future__ import annotations

from strongroom.crypto import shamir
from strongroom.crypto.envelope import RESERVED_TERM, cipher, new_key, open_entry, seal_entry
from strongroom.errors import IntegrityError, InvalidKey, NotInitialized
from strongroom.physical import Backend
from strongroom.seal.config import SealConfig

SEAL_CONFIG_PATH = "core/seal-config"
SEALED_ROOT_KEY_PATH = "core/hsm/barrier-unseal-keys"


class ShamirSeal:
    def __init__(self, physical: Backend) -> None:
        self._physical = physical
        # A cache of the stored config; `invalidate` drops it when another node may have changed it.
        self._config: SealConfig | None = None

    async def load_config(self) -> SealConfig | None:
        if self._config is None:
            raw = await self._physical.get(SEAL_CONFIG_PATH)
            self._config = None if raw is None else SealConfig.deserialize(raw)
        return self._config

    def invalidate(self) -> None:
        self._config = None

    async def initialize(self, config: SealConfig) -> tuple[list[bytes], bytes]:
        """Create the root key and KEK; store both; return the KEK's shares and the root key."""
        root_key = new_key()
        shares, kek = split_new_kek(config)
        await self.store(config, kek, root_key)
        return shares, root_key

    async def store(self, config: SealConfig, kek: bytes, root_key: bytes) -> None:
        """Store the root key sealed by `kek`, then the config that describes its shares."""
        sealed = seal_entry(cipher(kek), RESERVED_TERM, SEALED_ROOT_KEY_PATH, root_key)
        await self._physical.put(SEALED_ROOT_KEY_PATH, sealed)
        await self._physical.put(SEAL_CONFIG_PATH, config.serialize())
        self._config = config

    async def root_key(self, kek: bytes) -> bytes:
        """Decrypt the root key with a KEK rebuilt from shares; a wrong KEK raises InvalidKey."""
        blob = await self._physical.get(SEALED_ROOT_KEY_PATH)
        if blob is None:
            raise NotInitialized()
        if len(kek) != 32:
            raise InvalidKey("the unseal keys do not combine to a valid key")
        aead = cipher(kek)
        try:
            return open_entry(
                lambda t: aead if t == RESERVED_TERM else None, SEALED_ROOT_KEY_PATH, blob
            )
        except IntegrityError:
            raise InvalidKey("the unseal keys do not combine to the right key") from None


def split_new_kek(config: SealConfig) -> tuple[list[bytes], bytes]:
    """A fresh KEK and its shares (with one share, the share is the KEK itself)."""
    kek = new_key()
    return shamir.split(kek, config.secret_shares, config.secret_threshold), kek
