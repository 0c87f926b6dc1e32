"""A named key as requests use it: an immutable snapshot of its persisted policy with every
version's material parsed, and the version rules every operation applies.

A snapshot is published (to the key cache) only after the policy it holds is stored, and it is
never changed afterwards: a request that took it can finish with it while another request
rotates the key, and every ciphertext it produces names a version that storage keeps.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from strongroom.engines.transit.keytypes import KEY_TYPES, Family, KeyType
from strongroom.engines.transit.material import Material
from strongroom.engines.transit.records import KDF_HKDF_SHA256, KeyPolicy
from strongroom.errors import InternalError, InvalidParameter

MISSING_CONTEXT = (
    "missing 'context' for key derivation; the key was created using a derived key, which means "
    "additional, per-request information must be included in order to perform operations with "
    "the key"
)
TOO_OLD = "ciphertext or signature version is disallowed by policy (too old)"


class Key:
    __slots__ = ("kind", "materials", "name", "policy")

    def __init__(self, policy: KeyPolicy) -> None:
        kind = KEY_TYPES.get(policy.type)
        if kind is None:
            raise InternalError("a stored transit key has an unknown type")
        self.policy = policy
        self.name = policy.name
        self.kind: KeyType = kind
        self.materials = {n: Material(kind, v) for n, v in policy.versions.items()}

    @property
    def latest(self) -> int:
        return self.policy.latest_version

    def material(self, version: int) -> Material:
        found = self.materials.get(version)
        if found is None:
            raise InvalidParameter("no such key version")
        return found

    # --- version rules ---------------------------------------------------------------------

    def encryption_version(self, requested: int, what: str = "encryption") -> int:
        """The version a new ciphertext/signature uses: `requested`, 0 meaning the latest."""
        policy = self.policy
        if requested == 0:
            return policy.latest_version
        if requested < 0:
            raise InvalidParameter(f"requested version for {what} is negative")
        if requested > policy.latest_version:
            raise InvalidParameter(
                f"requested version for {what} is higher than the latest key version"
            )
        if requested < policy.min_encryption_version:
            raise InvalidParameter(
                f"requested version for {what} is less than the minimum encryption key version"
            )
        return requested

    def decryption_version(self, version: int, what: str = "ciphertext") -> int:
        """Check that a ciphertext/signature of `version` may still be opened."""
        if version > self.policy.latest_version:
            raise InvalidParameter(f"invalid {what}: version is too new")
        if version < self.policy.min_decryption_version:
            raise InvalidParameter(TOO_OLD)
        return version

    # --- derivation ------------------------------------------------------------------------

    def derive(self, version: int, context: bytes, length: int) -> bytes:
        """The per-context key of a derived key's version (HKDF-SHA256, salt none, info =
        context; the legacy counter-mode KDF for keys that still use it)."""
        if not self.kind.derivation:
            raise InvalidParameter(f"derivation not supported for key type {self.kind.name}")
        if not context:
            raise InvalidParameter(MISSING_CONTEXT)
        base = self.material(version).key
        if self.policy.kdf == KDF_HKDF_SHA256:
            return HKDF(hashes.SHA256(), length, None, context).derive(base)
        return legacy_counter_kdf(base, context)[:length]

    def symmetric_key(self, version: int, context: bytes, length: int) -> bytes:
        if self.policy.derived:
            return self.derive(version, context, length)
        return self.material(version).key

    def convergent_version(self, version: int) -> int:
        if not self.policy.convergent_encryption:
            return 0
        own = self.material(version).record.convergent_version
        return own or self.policy.convergent_version or 1

    def hmac_key(self, version: int) -> bytes:
        if version < 0:
            raise InvalidParameter("key version does not exist (cannot be negative)")
        if version > self.policy.latest_version:
            raise InvalidParameter("key version does not exist; it is newer than the latest")
        material = self.material(version)
        if self.kind.family is Family.HMAC:
            return material.key
        if not material.hmac_key:
            raise InvalidParameter("no HMAC key exists for that key version")
        return material.hmac_key


def legacy_counter_kdf(key: bytes, context: bytes) -> bytes:
    """Vault's first KDF: NIST SP 800-108 counter mode, HMAC-SHA256 PRF, 256 bits, counter from
    0 and no label (one PRF block: HMAC(key, be32(0) ‖ context ‖ be32(256)))."""
    block = (0).to_bytes(4, "big") + context + (256).to_bytes(4, "big")
    mac = hmac.HMAC(key, hashes.SHA256())
    mac.update(block)
    return mac.finalize()
