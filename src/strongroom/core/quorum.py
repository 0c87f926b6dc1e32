"""Operations that need a quorum of unseal-key holders: rekey and root-token generation.

Their endpoints are unauthenticated (a quorum must work when no root token exists), so an
attempt in progress can be cancelled or replaced only with its nonce or by a privileged token.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from strongroom.errors import (
    InvalidKey,
    InvalidParameter,
    NoOperationInProgress,
    NotInitialized,
    OperationInProgress,
)
from strongroom.seal.config import SealConfig
from strongroom.seal.rekey import RekeyAttempt
from strongroom.seal.root_generation import (
    RootGenerationAttempt,
    encode_token,
    idle_status,
    new_otp,
)
from strongroom.token.store import ROOT_TOKEN_LENGTH

if TYPE_CHECKING:
    from strongroom.core.core import Core


def _share_lists(shares: list[bytes]) -> dict[str, list[str]]:
    return {
        "keys": [s.hex() for s in shares],
        "keys_base64": [base64.b64encode(s).decode() for s in shares],
    }


class QuorumOperations:
    def __init__(self, core: Core) -> None:
        self._core = core
        self.rekey: RekeyAttempt | None = None
        self.root_generation: RootGenerationAttempt | None = None

    def cancel_all(self) -> None:
        self.rekey = None
        self.root_generation = None

    async def _seal_config(self) -> SealConfig:
        config = await self._core.seal_config()
        if config is None:
            raise NotInitialized()
        return config

    # --- rekey ------------------------------------------------------------------------------

    async def rekey_status(self) -> dict[str, Any]:
        config = await self._seal_config()
        if self.rekey is None:
            return {
                "started": False,
                "nonce": "",
                "t": 0,
                "n": 0,
                "progress": 0,
                "required": config.secret_threshold,
                "pgp_fingerprints": None,
                "backup": False,
                "verification_required": False,
            }
        return self.rekey.status()

    async def rekey_start(
        self, shares: int, threshold: int, *, require_verification: bool
    ) -> dict[str, Any]:
        current = await self._seal_config()
        if self.rekey is not None:
            raise OperationInProgress("rekey already in progress")
        new_config = SealConfig.validated(shares, threshold)
        self.rekey = RekeyAttempt(new_config, current.secret_threshold, require_verification)
        return self.rekey.status()

    def rekey_cancel(self, nonce: str, *, privileged: bool) -> None:
        if self.rekey is None:
            return
        if not privileged:
            self.rekey.check_nonce(nonce)
        self.rekey = None

    def _require_rekey(self) -> RekeyAttempt:
        if self.rekey is None:
            raise NoOperationInProgress("no rekey in progress")
        return self.rekey

    async def rekey_update(self, share: bytes, nonce: str) -> dict[str, Any]:
        attempt = self._require_rekey()
        attempt.check_nonce(nonce)
        kek = attempt.submit_current_share(share)
        if kek is None:
            return attempt.status()
        root_key = await self._core.seal_storage.root_key(kek)
        new_shares, new_kek = attempt.new_shares()
        result: dict[str, Any] = {
            "complete": True,
            "nonce": attempt.nonce,
            **_share_lists(new_shares),
            "pgp_fingerprints": None,
            "backup": False,
            "verification_required": attempt.verification_required,
        }
        if attempt.verification_required:
            result["verification_nonce"] = attempt.await_verification(new_kek).verification_nonce
        else:
            await self._core.seal_storage.store(attempt.new_config, new_kek, root_key)
            self.rekey = None
        return result

    def rekey_verify_status(self) -> dict[str, Any]:
        return self._require_rekey().verification_status()

    def rekey_verify_restart(self, *, nonce: str, privileged: bool) -> dict[str, Any]:
        attempt = self._require_rekey()
        if not privileged:
            attempt.check_verification_nonce(nonce)
        attempt.restart_verification()
        return attempt.verification_status()

    async def rekey_verify_update(self, share: bytes, nonce: str) -> dict[str, Any]:
        attempt = self._require_rekey()
        try:
            verified = attempt.submit_new_share(nonce, share)
        except InvalidKey:
            attempt.restart_verification()
            raise
        if not verified:
            return attempt.verification_status()
        pending = attempt.require_pending()
        root_key = self._core.barrier.keyring.root_key
        await self._core.seal_storage.store(attempt.new_config, pending.kek, root_key)
        self.rekey = None
        return {"nonce": pending.verification_nonce, "complete": True}

    # --- root token generation --------------------------------------------------------------

    async def root_generation_status(self) -> dict[str, Any]:
        config = await self._seal_config()
        if self.root_generation is None:
            return idle_status(config.secret_threshold, ROOT_TOKEN_LENGTH)
        return self.root_generation.status()

    async def root_generation_start(self, otp: str, pgp_key: str) -> dict[str, Any]:
        config = await self._seal_config()
        if pgp_key:
            raise InvalidParameter("PGP-encrypted root tokens are not supported; use an OTP")
        if self.root_generation is not None:
            raise OperationInProgress("root generation already in progress")
        generated = not otp
        self.root_generation = RootGenerationAttempt(
            threshold=config.secret_threshold,
            otp_length=ROOT_TOKEN_LENGTH,
            otp=otp or new_otp(ROOT_TOKEN_LENGTH),
        )
        return self.root_generation.status(reveal_otp=generated)

    def root_generation_cancel(self, nonce: str, *, privileged: bool) -> None:
        if self.root_generation is None:
            return
        if not privileged:
            self.root_generation.check_nonce(nonce)
        self.root_generation = None

    async def root_generation_update(self, share: bytes, nonce: str) -> dict[str, Any]:
        attempt = self.root_generation
        if attempt is None:
            raise NoOperationInProgress("no root generation in progress")
        attempt.check_nonce(nonce)
        if attempt.encoded_token:
            return attempt.status()
        kek = attempt.collector.add(share)
        if kek is None:
            return attempt.status()
        try:
            await self._core.seal_storage.root_key(kek)
        except InvalidKey:
            attempt.collector.reset()
            raise
        token = await self._core.tokens.create_root()
        attempt.encoded_token = encode_token(token, attempt.otp)
        status = attempt.status()
        self.root_generation = None
        return status
