"""Password hashes: argon2id for every password set here, bcrypt for imported hashes.

Hashing and verifying are deliberately slow, so they run in a worker thread, never on the event
loop. A login for a user that does not exist still verifies — against a dummy hash made with
the same parameters — so it costs the same time as a wrong password (OpenBao does the same
with bcrypt). `verify` raises; it never returns a bool a caller could forget to check.
`needs_rehash` tells a login which verified hashes to replace: every bcrypt hash, and argon2
hashes weaker than the current parameters.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass

import argon2
import bcrypt

from strongroom.errors import InvalidCredentials, InvalidParameter

# Vault's bounds on an imported bcrypt hash: below 5 is too weak, above 12 lets an
# administrator make every login of that user a denial of service.
BCRYPT_MIN_COST = 5
BCRYPT_MAX_COST = 12
_BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
# $2b$<cost>$<22 characters of salt><31 of hash>, in bcrypt's base64 alphabet.
_BCRYPT_FORM = re.compile(r"\$2[aby]\$([0-9]{2})\$[./A-Za-z0-9]{53}")
LOGIN_FAILED = "invalid username or password"
# The argon2 parameters a stored hash may fall short of. Not parallelism: the lanes split the
# work, they do not add to it.
_ARGON2_STRENGTH = ("time_cost", "memory_cost", "hash_len", "salt_len")


@dataclass(frozen=True, slots=True)
class Argon2Params:
    time_cost: int
    memory_cost: int  # KiB
    parallelism: int


# OWASP's recommended argon2id setting (19 MiB, 2 passes, 1 lane): about 20 ms on one core
# of this project's machines, and 19 MiB per login in flight.
PRODUCTION = Argon2Params(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class PasswordHasher:
    def __init__(self, params: Argon2Params = PRODUCTION) -> None:
        self.params = params
        self._argon2 = argon2.PasswordHasher(
            time_cost=params.time_cost,
            memory_cost=params.memory_cost,
            parallelism=params.parallelism,
            type=argon2.Type.ID,
        )
        self._dummy: str | None = None

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._argon2.hash, password)

    async def verify(self, stored: str | None, password: str) -> None:
        """Raise InvalidCredentials unless `password` matches `stored` (None: no such user,
        checked against the dummy hash all the same)."""
        if stored is None:
            stored = await self._dummy_hash()
            await asyncio.to_thread(self._matches, stored, password)
            raise InvalidCredentials(LOGIN_FAILED)
        if not await asyncio.to_thread(self._matches, stored, password):
            raise InvalidCredentials(LOGIN_FAILED)

    def needs_rehash(self, verified: str) -> bool:
        """Whether a hash that just verified should be replaced by a new one: bcrypt always,
        argon2 when it is weaker than this hasher's in any respect (a stronger one stays)."""
        if verified.startswith(_BCRYPT_PREFIXES):
            return True
        if not self._argon2.check_needs_rehash(verified):
            return False
        found = argon2.extract_parameters(verified)
        return (
            found.type is not argon2.Type.ID
            or found.version < argon2.low_level.ARGON2_VERSION
            or any(getattr(found, n) < getattr(self._argon2, n) for n in _ARGON2_STRENGTH)
        )

    def _matches(self, stored: str, password: str) -> bool:
        if stored.startswith(_BCRYPT_PREFIXES):
            try:
                return bcrypt.checkpw(password.encode(), stored.encode())
            except ValueError:
                return False
        try:
            return self._argon2.verify(stored, password)
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False

    async def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = await self.hash(secrets.token_urlsafe(16))
        return self._dummy


def checked_bcrypt_hash(password_hash: str) -> str:
    """An imported hash, if it is bcrypt with a cost Vault accepts (checked by its form: a
    trial verification would be as slow as a login)."""
    match = _BCRYPT_FORM.fullmatch(password_hash)
    if match is None:
        raise InvalidParameter("password_hash is not a valid bcrypt hash")
    cost = int(match.group(1))
    if cost < BCRYPT_MIN_COST:
        raise InvalidParameter(f"bcrypt cost is too low, want {BCRYPT_MIN_COST} at minimum")
    if cost > BCRYPT_MAX_COST:
        raise InvalidParameter(f"bcrypt cost exceeds maximum cost of {BCRYPT_MAX_COST}")
    return password_hash
