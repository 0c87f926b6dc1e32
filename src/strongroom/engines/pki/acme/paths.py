"""The ACME server's path table: every RFC 8555 resource under each of the four directory
prefixes (see `directory.py`). All unauthenticated in Vault's sense: the JWS is the
credential. Every answer, problems included, carries a fresh Replay-Nonce and the directory's
Link; handlers raise `Problem` and `_serve` renders it.

    <prefix>acme/directory, new-nonce (HEAD, GET)              here
    new-account, account/:kid[/orders], key-change             accounts.py
    new-order, order/:id[/finalize|/cert], authorization/:id,  orders.py
    challenge/:authz/:type
    revoke-cert                                                revoke.py
    config/acme, config/cluster, EAB (authenticated)           paths_settings.py

Underneath: `directory.py` (which directory, issuer and role a path means), `requests.py`
(admitting a JWS: url, nonce, key) over `jws.py` (joserfc) and `nonces.py`, `lifecycle.py`
(the order state machine), `challenges.py` and `http01.py` (validation in the background),
`identifiers.py`, `lifetime.py` and `issuing.py` (names, notAfter and finalize), `records.py`
and `store.py`, `problems.py` and `responses.py` (the wire form). `tidy.py` deletes expired
orders and unused accounts when the engine's `tidy` has `tidy_acme`.
"""

from __future__ import annotations

from strongroom.engines.pki.acme.accounts import account, key_change, new_account, orders
from strongroom.engines.pki.acme.challenges import ChallengeRunner
from strongroom.engines.pki.acme.context import ACMEHandler, Context
from strongroom.engines.pki.acme.directory import path_parameters, resolve
from strongroom.engines.pki.acme.nonces import NonceStore
from strongroom.engines.pki.acme.orders import (
    authorization,
    certificate,
    challenge,
    create_order,
    finalize,
    order,
)
from strongroom.engines.pki.acme.problems import Problem
from strongroom.engines.pki.acme.requests import Gate
from strongroom.engines.pki.acme.responses import acme_headers, empty_response, problem_response
from strongroom.engines.pki.acme.revoke import revoke_cert
from strongroom.engines.pki.acme.store import ACMEStore
from strongroom.engines.pki.params import named, ref
from strongroom.errors import StrongroomError
from strongroom.framework import FieldData, Handler, PathSpec
from strongroom.logical import Operation, Request, Response

SEGMENT = "[^/]+"
PREFIXES = (
    "",
    f"roles/{named('role')}/",
    f"issuer/{ref()}/",
    f"issuer/{ref()}/roles/{named('role')}/",
)
HELP = """ACME (RFC 8555): certificates for names a client proves it controls (http-01).
Enable with config/acme, and set config/cluster path first."""


def _id(group: str) -> str:
    return f"(?P<{group}>{SEGMENT})"


POSTED: tuple[tuple[str, ACMEHandler], ...] = (
    ("new-account", new_account),
    (f"account/{_id('kid')}", account),
    (f"account/{_id('kid')}/orders", orders),
    ("key-change", key_change),
    ("new-order", create_order),
    (f"order/{_id('order_id')}", order),
    (f"order/{_id('order_id')}/finalize", finalize),
    (f"order/{_id('order_id')}/cert", certificate),
    (f"authorization/{_id('authz_id')}", authorization),
    (f"challenge/{_id('authz_id')}/{_id('challenge_type')}", challenge),
    ("revoke-cert", revoke_cert),
)


class ACMEPaths:
    def __init__(self, store: ACMEStore, nonces: NonceStore, challenges: ChallengeRunner) -> None:
        self._store = store
        self._nonces = nonces
        self._gate = Gate(store, nonces)
        self._challenges = challenges

    def specs(self) -> list[PathSpec]:
        found: list[PathSpec] = []
        for prefix in PREFIXES:
            base = prefix + "acme/"
            found.append(self._public(base + "directory", {Operation.READ: self._serve(directory)}))
            nonce = self._serve(new_nonce)
            found.append(
                self._public(base + "new-nonce", {Operation.READ: nonce, Operation.HEADER: nonce})
            )
            for resource, handler in POSTED:
                found.append(
                    self._public(base + resource, {Operation.UPDATE: self._serve(handler)})
                )
        return found

    @staticmethod
    def _public(pattern: str, operations: dict[Operation, Handler]) -> PathSpec:
        return PathSpec(pattern, operations, unauthenticated=True, help=HELP)

    def _serve(self, handler: ACMEHandler) -> Handler:
        async def serve(request: Request, data: FieldData) -> Response:
            headers = acme_headers(self._nonces.issue(), "")
            try:
                found = await resolve(self._store, *path_parameters(request.path))
                headers = acme_headers(headers["Replay-Nonce"], found.url("directory"))
                context = Context(
                    found, self._store, self._gate, self._challenges, request, data, headers
                )
                return await handler(context)
            except Problem as problem:
                return problem_response(problem, headers)
            except StrongroomError as error:
                if error.status >= 500:
                    raise
                return problem_response(Problem("malformed", error.message), headers)

        return serve


async def directory(context: Context) -> Response:
    found = context.directory
    meta = {"externalAccountRequired": found.config.eab_policy != "not-required"}
    return context.json(
        {
            "newNonce": found.url("new-nonce"),
            "newAccount": found.url("new-account"),
            "newOrder": found.url("new-order"),
            "revokeCert": found.url("revoke-cert"),
            "keyChange": found.url("key-change"),
            "meta": meta,
        }
    )


async def new_nonce(context: Context) -> Response:
    """HEAD answers 200, GET 204 (RFC 8555 7.2); both carry the nonce and nothing else."""
    status = 200 if context.request.operation is Operation.HEADER else 204
    return empty_response(context.headers, status)
