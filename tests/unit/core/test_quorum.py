"""Rekey (with and without verification) and root-token generation through the sys backend."""

from __future__ import annotations

from typing import Any

import pytest

from strongroom.core import Core
from strongroom.errors import (
    InvalidKey,
    InvalidParameter,
    NonceMismatch,
    NoOperationInProgress,
    OperationInProgress,
    PermissionDenied,
)
from strongroom.logical import Operation, Request
from strongroom.seal.root_generation import decode_token
from strongroom.testing.core import UnsealedCore, unsealed_core


async def call(
    setup: UnsealedCore, operation: Operation, path: str, token: str = "", **data: Any
) -> dict[str, Any]:
    response = await setup.core.handle(Request(operation, path, data=data, client_token=token))
    return response.data or {}


@pytest.fixture
async def setup() -> UnsealedCore:
    return await unsealed_core(shares=5, threshold=3)


async def rekey_to(
    setup: UnsealedCore, shares: int, threshold: int, verify: bool
) -> dict[str, Any]:
    status = await call(
        setup,
        Operation.UPDATE,
        "sys/rekey/init",
        secret_shares=shares,
        secret_threshold=threshold,
        require_verification=verify,
    )
    assert status["started"] and status["required"] == 3 and status["n"] == shares
    result: dict[str, Any] = {}
    for share in setup.keys[:3]:
        result = await call(
            setup, Operation.UPDATE, "sys/rekey/update", key=share.hex(), nonce=status["nonce"]
        )
    assert result["complete"]
    return result


async def unseals_with(physical: Any, keys: list[str]) -> bool:
    core = Core(physical)
    for key in keys:
        await core.submit_unseal_share(bytes.fromhex(key))
    return not core.sealed


async def test_rekey_without_verification_replaces_the_shares(setup: UnsealedCore) -> None:
    result = await rekey_to(setup, 3, 2, verify=False)
    assert len(result["keys"]) == 3 and len(result["keys_base64"]) == 3
    physical = setup.core.physical
    assert await unseals_with(physical, result["keys"][:2])
    with pytest.raises(InvalidKey):
        await unseals_with(physical, [k.hex() for k in setup.keys[:3]][:2])


async def test_rekey_with_verification_installs_only_after_verify(setup: UnsealedCore) -> None:
    result = await rekey_to(setup, 4, 2, verify=True)
    nonce = result["verification_nonce"]
    # Not installed yet: the old shares still unseal.
    assert await unseals_with(setup.core.physical, [k.hex() for k in setup.keys[:3]])
    status = await call(setup, Operation.READ, "sys/rekey/verify")
    assert status["nonce"] == nonce and status["progress"] == 0
    with pytest.raises(NonceMismatch):
        await call(setup, Operation.UPDATE, "sys/rekey/verify", key=result["keys"][0], nonce="x")
    await call(setup, Operation.UPDATE, "sys/rekey/verify", key=result["keys"][0], nonce=nonce)
    done = await call(
        setup, Operation.UPDATE, "sys/rekey/verify", key=result["keys"][1], nonce=nonce
    )
    assert done == {"nonce": nonce, "complete": True}
    assert await unseals_with(setup.core.physical, result["keys"][2:4])


async def test_rekey_verify_with_wrong_shares_restarts(setup: UnsealedCore) -> None:
    result = await rekey_to(setup, 3, 2, verify=True)
    nonce = result["verification_nonce"]
    await call(setup, Operation.UPDATE, "sys/rekey/verify", key=result["keys"][0], nonce=nonce)
    with pytest.raises(InvalidKey):
        await call(
            setup, Operation.UPDATE, "sys/rekey/verify", key=setup.keys[0].hex(), nonce=nonce
        )
    # A failed verification starts over with a new nonce.
    status = await call(setup, Operation.READ, "sys/rekey/verify")
    assert status["progress"] == 0 and status["nonce"] != nonce
    with pytest.raises(NonceMismatch):
        await call(setup, Operation.DELETE, "sys/rekey/verify", nonce=nonce)
    restarted = await call(setup, Operation.DELETE, "sys/rekey/verify", nonce=status["nonce"])
    assert restarted["nonce"] != status["nonce"]


async def test_rekey_needs_its_nonce_to_cancel_unless_privileged(setup: UnsealedCore) -> None:
    status = await call(
        setup, Operation.UPDATE, "sys/rekey/init", secret_shares=3, secret_threshold=2
    )
    with pytest.raises(OperationInProgress):
        await call(setup, Operation.UPDATE, "sys/rekey/init", secret_shares=3, secret_threshold=2)
    with pytest.raises(NonceMismatch):
        await call(setup, Operation.DELETE, "sys/rekey/init", nonce="wrong")
    await call(setup, Operation.DELETE, "sys/rekey/init", nonce=status["nonce"])
    assert not (await call(setup, Operation.READ, "sys/rekey/init"))["started"]
    await call(setup, Operation.UPDATE, "sys/rekey/init", secret_shares=3, secret_threshold=2)
    await call(setup, Operation.DELETE, "sys/rekey/init", token=setup.root_token)
    assert not (await call(setup, Operation.READ, "sys/rekey/init"))["started"]


async def test_rekey_refuses_wrong_shares_and_bad_input(setup: UnsealedCore) -> None:
    with pytest.raises(NoOperationInProgress):
        await call(setup, Operation.UPDATE, "sys/rekey/update", key="00", nonce="n")
    with pytest.raises(InvalidParameter):
        await call(
            setup,
            Operation.UPDATE,
            "sys/rekey/init",
            secret_shares=3,
            secret_threshold=2,
            pgp_keys=["abc"],
        )
    status = await call(
        setup, Operation.UPDATE, "sys/rekey/init", secret_shares=3, secret_threshold=2
    )
    other = await unsealed_core(shares=5, threshold=3)
    for share in other.keys[:2]:
        await call(
            setup, Operation.UPDATE, "sys/rekey/update", key=share.hex(), nonce=status["nonce"]
        )
    with pytest.raises(InvalidKey):
        await call(
            setup,
            Operation.UPDATE,
            "sys/rekey/update",
            key=other.keys[2].hex(),
            nonce=status["nonce"],
        )


async def test_generate_root_with_a_server_otp(setup: UnsealedCore) -> None:
    status = await call(setup, Operation.UPDATE, "sys/generate-root/attempt")
    otp, nonce = status["otp"], status["nonce"]
    assert len(otp) == status["otp_length"] == 28
    assert (await call(setup, Operation.READ, "sys/generate-root/attempt"))["otp"] == ""
    result: dict[str, Any] = {}
    for share in setup.keys[2:5]:
        result = await call(
            setup, Operation.UPDATE, "sys/generate-root/update", key=share.hex(), nonce=nonce
        )
    assert result["complete"]
    token = decode_token(result["encoded_token"], otp)
    assert token != setup.root_token
    status = await call(setup, Operation.READ, "sys/key-status", token=token)
    assert status["term"] == 1


async def test_generate_root_with_a_client_otp_and_wrong_shares(setup: UnsealedCore) -> None:
    with pytest.raises(InvalidParameter):
        await call(setup, Operation.UPDATE, "sys/generate-root/attempt", otp="short")
    with pytest.raises(InvalidParameter):
        await call(setup, Operation.UPDATE, "sys/generate-root/attempt", pgp_key="abc")
    otp = "A" * 28
    status = await call(setup, Operation.UPDATE, "sys/generate-root/attempt", otp=otp)
    assert status["otp"] == ""
    other = await unsealed_core(shares=5, threshold=3)
    for share in other.keys[:2]:
        await call(
            setup,
            Operation.UPDATE,
            "sys/generate-root/update",
            key=share.hex(),
            nonce=status["nonce"],
        )
    with pytest.raises(InvalidKey):
        await call(
            setup,
            Operation.UPDATE,
            "sys/generate-root/update",
            key=other.keys[2].hex(),
            nonce=status["nonce"],
        )
    with pytest.raises(NonceMismatch):
        await call(setup, Operation.DELETE, "sys/generate-root/attempt")
    await call(setup, Operation.DELETE, "sys/generate-root/attempt", nonce=status["nonce"])
    with pytest.raises(NoOperationInProgress):
        await call(setup, Operation.UPDATE, "sys/generate-root/update", key="00", nonce="n")


async def test_unauthenticated_quorum_endpoints_can_be_disabled() -> None:
    from strongroom.core import CoreConfig

    setup = await unsealed_core(
        config=CoreConfig(disable_unauthed_rekey=True, disable_unauthed_generate_root=True)
    )
    for path in ("sys/rekey/init", "sys/generate-root/attempt"):
        with pytest.raises(PermissionDenied):
            await call(setup, Operation.READ, path)
        assert not (await call(setup, Operation.READ, path, token=setup.root_token))["started"]
