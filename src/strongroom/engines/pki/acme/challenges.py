"""Validating a challenge, off the request path: the client's POST to the challenge marks it
`processing` and returns at once; a background task fetches the key authorization (a few
attempts, a couple of seconds apart, since a client may still be starting its server) and
then moves the challenge, its authorization and its order on. The client polls meanwhile.

Tasks live on the node that received the POST (the active one). If that node stops first,
the challenge stays `processing` until its authorization expires; the client orders again.

How many run at once is bounded, per account and in all: past either bound the POST is answered
`rateLimited` and the challenge stays `pending`, for the client to retry. One account's bound
fits a whole order (`identifiers.MAX_IDENTIFIERS`); the overall one keeps accounts, which
anyone may open without EAB, from making the server run unbounded outbound fetches.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from strongroom.engines.pki.acme.http01 import HTTP01Validator
from strongroom.engines.pki.acme.identifiers import MAX_IDENTIFIERS
from strongroom.engines.pki.acme.lifecycle import current_authz, settle
from strongroom.engines.pki.acme.problems import Problem, not_found, rate_limited
from strongroom.engines.pki.acme.records import Account, Authorization
from strongroom.engines.pki.acme.store import ACMEStore

log = logging.getLogger(__name__)
ATTEMPTS = 3
PAUSE = 2.0  # seconds between attempts
MAX_RUNNING = 500  # validations under way on this node, all accounts together
MAX_PER_ACCOUNT = MAX_IDENTIFIERS


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
        self.max_running = MAX_RUNNING
        self.max_per_account = MAX_PER_ACCOUNT
        self._tasks: set[asyncio.Task[None]] = set()
        self._running: dict[str, int] = {}  # account id -> its validations under way

    async def start(self, authz: Authorization, kind: str, account: Account) -> Authorization:
        """Mark the challenge `processing` and validate it in the background (once: a second
        POST to a challenge already under way or done, or of an expired authorization,
        changes nothing)."""
        async with self._store.lock:
            stored = await self._store.authorization(authz.id)
            if stored is None:  # tidied since it was read
                raise not_found("authorization")
            current = current_authz(stored, self._store.now())
            challenge = _challenge(current, kind)
            if current.status != "pending" or challenge["status"] != "pending":
                return current
            self._check_bounds(account)
            current = _with_challenge(current, kind, status="processing")
            await self._store.put_authorization(current)
            self._track(asyncio.create_task(self._run(current, kind, account)), account.id)
        return current

    def _check_bounds(self, account: Account) -> None:
        if len(self._tasks) >= self.max_running:
            raise rate_limited("too many validations under way: retry later")
        if self._running.get(account.id, 0) >= self.max_per_account:
            raise rate_limited("this account has too many validations under way: retry later")

    def _track(self, task: asyncio.Task[None], account_id: str) -> None:
        self._tasks.add(task)
        self._running[account_id] = self._running.get(account_id, 0) + 1

        def done(finished: asyncio.Task[None]) -> None:
            self._tasks.discard(finished)
            left = self._running.pop(account_id) - 1
            if left:
                self._running[account_id] = left

        task.add_done_callback(done)

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
