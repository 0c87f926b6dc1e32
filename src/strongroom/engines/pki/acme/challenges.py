"""Validating a challenge, off the request path: the client's POST to the challenge marks it
`processing` and returns at once; a background task fetches the key authorization (a few
attempts, a couple of seconds apart, since a client may still be starting its server) and
then moves the challenge, its authorization and its order on. The client polls meanwhile.

Tasks live on the node that received the POST (the active one). If that node stops first,
the challenge stays `processing` until its authorization expires; the client orders again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from strongroom.engines.pki.acme.http01 import HTTP01Validator
from strongroom.engines.pki.acme.lifecycle import settle
from strongroom.engines.pki.acme.problems import Problem
from strongroom.engines.pki.acme.records import Account, Authorization
from strongroom.engines.pki.acme.store import ACMEStore

log = logging.getLogger(__name__)
ATTEMPTS = 3
PAUSE = 2.0  # seconds between attempts


def key_authorization(token: str, account: Account) -> str:
    return f"{token}.{account.thumbprint}"


class ChallengeRunner:
    def __init__(
        self,
        store: ACMEStore,
        validator: HTTP01Validator,
        attempts: int = ATTEMPTS,
        pause: float = PAUSE,
    ) -> None:
        self._store = store
        self._validator = validator
        self.attempts = attempts
        self.pause = pause
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, authz: Authorization, kind: str, account: Account) -> Authorization:
        """Mark the challenge `processing` and validate it in the background (once: a second
        POST to a challenge already under way or done changes nothing)."""
        async with self._store.lock:
            current = await self._store.authorization(authz.id)
            assert current is not None
            challenge = _challenge(current, kind)
            if current.status != "pending" or challenge["status"] != "pending":
                return current
            current = _with_challenge(current, kind, status="processing")
            await self._store.put_authorization(current)
        task = asyncio.create_task(self._run(current, kind, account))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return current

    async def idle(self) -> None:
        """Wait for every validation under way (tests; shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _run(self, authz: Authorization, kind: str, account: Account) -> None:
        try:
            failure = await self._attempt(authz, kind, account)
            await self._record(authz.id, kind, failure)
        except Exception as exc:  # a background task: nobody else would see it
            log.error("ACME challenge validation failed: %s", type(exc).__name__)

    async def _attempt(self, authz: Authorization, kind: str, account: Account) -> str:
        token = _challenge(authz, kind)["token"]
        expected = key_authorization(token, account)
        identifier = authz.identifier
        failure = ""
        for attempt in range(self.attempts):
            if attempt:
                await asyncio.sleep(self.pause)
            failure = await self._validator.validate(
                identifier["type"], identifier["value"], token, expected
            )
            if not failure:
                break
        return failure

    async def _record(self, authz_id: str, kind: str, failure: str) -> None:
        async with self._store.lock:
            authz = await self._store.authorization(authz_id)
            if authz is None or authz.status != "pending":
                return
            if failure:
                error = Problem("incorrectResponse", failure).document()
                authz = _with_challenge(authz, kind, status="invalid", error=error)
                authz = authz.with_changes(status="invalid")
            else:
                authz = _with_challenge(authz, kind, status="valid", validated=self._store.now())
                authz = authz.with_changes(status="valid")
            await self._store.put_authorization(authz)
            order = await self._store.order(authz.order_id)
            if order is not None:
                await settle(self._store, order)


def _challenge(authz: Authorization, kind: str) -> dict[str, Any]:
    return next(c for c in authz.challenges if c["type"] == kind)


def _with_challenge(authz: Authorization, kind: str, **changes: Any) -> Authorization:
    challenges = [{**c, **changes} if c["type"] == kind else c for c in authz.challenges]
    return authz.with_changes(challenges=challenges)
