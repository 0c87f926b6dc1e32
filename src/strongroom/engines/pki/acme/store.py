"""The ACME records in the mount's storage (layout in `records.py`). Not cached: each ACME
exchange touches each record a handful of times and then never again.

State changes (an order moving on, a challenge being validated in the background while the
client polls) are read-modify-write: they run under `lock`, one per mount and node. Only the
active node writes, so that is enough. New orders are counted and written under their own
`new_order_lock`, so that the count (a read of each of the account's open orders) holds up no
other change. Tidy holds both (`new_order_lock` first, as everything that takes both does)
while it deletes an account's orders or the account.
"""

from __future__ import annotations

import asyncio
from typing import TypeVar

from strongroom.engines.pki.acme.records import (
    OPEN_ORDER_STATUSES,
    Account,
    ACMEConfig,
    Authorization,
    EABKey,
    Order,
)
from strongroom.engines.pki.records import Record
from strongroom.engines.pki.store import PKIStore

ACME_CONFIG = "config/acme"
ACCOUNTS = "acme/accounts/"
ACCOUNT_KEYS = "acme/account-keys/"
ACCOUNT_ORDERS = "acme/account-orders/"
OPEN_ORDERS = "acme/account-open-orders/"
ORDERS = "acme/orders/"
AUTHORIZATIONS = "acme/authorizations/"
EAB = "acme/eab/"

R = TypeVar("R", bound=Record)


class ACMEStore:
    def __init__(self, pki: PKIStore) -> None:
        self.pki = pki
        self.lock = asyncio.Lock()
        self.new_order_lock = asyncio.Lock()

    def now(self) -> int:
        return int(self.pki.now())

    async def _get(self, key: str, kind: type[R]) -> R | None:
        raw = await self.pki.storage.get(key)
        return kind.deserialize(raw) if raw is not None else None

    async def _put(self, key: str, record: Record) -> None:
        await self.pki.storage.put(key, record.serialize())

    # --- settings ------------------------------------------------------------------------------

    async def config(self) -> ACMEConfig:
        return await self._get(ACME_CONFIG, ACMEConfig) or ACMEConfig()

    async def put_config(self, config: ACMEConfig) -> None:
        await self._put(ACME_CONFIG, config)

    # --- accounts ------------------------------------------------------------------------------

    async def account(self, account_id: str) -> Account | None:
        return await self._get(ACCOUNTS + account_id, Account) if _safe(account_id) else None

    async def account_for_key(self, thumbprint: str) -> Account | None:
        raw = await self.pki.storage.get(ACCOUNT_KEYS + thumbprint)
        return await self.account(raw.decode()) if raw is not None else None

    async def put_account(self, account: Account, old_thumbprint: str = "") -> None:
        await self._put(ACCOUNTS + account.id, account)
        await self.pki.storage.put(ACCOUNT_KEYS + account.thumbprint, account.id.encode())
        if old_thumbprint and old_thumbprint != account.thumbprint:
            await self.pki.storage.delete(ACCOUNT_KEYS + old_thumbprint)

    async def account_ids(self) -> list[str]:
        return await self.pki.storage.list(ACCOUNTS)

    async def delete_account(self, account: Account) -> None:
        """Forget the account and its key (caller holds both locks; its orders are gone)."""
        if await self.pki.storage.get(ACCOUNT_KEYS + account.thumbprint) == account.id.encode():
            await self.pki.storage.delete(ACCOUNT_KEYS + account.thumbprint)
        await self.pki.storage.delete(ACCOUNTS + account.id)

    async def order_ids(self, account_id: str) -> list[str]:
        return await self.pki.storage.list(f"{ACCOUNT_ORDERS}{account_id}/")

    async def open_order_ids(self, account: Account) -> list[str]:
        """The account's orders that were open when last written: a superset of its open
        orders. Caller holds `new_order_lock`."""
        if not account.open_orders_indexed:
            await self._index_open_orders(account.id)
        return await self.pki.storage.list(f"{OPEN_ORDERS}{account.id}/")

    async def forget_open_order(self, account_id: str, order_id: str) -> None:
        """The order is closed for good (or gone): drop it from the open index."""
        await self.pki.storage.delete(f"{OPEN_ORDERS}{account_id}/{order_id}")

    async def _index_open_orders(self, account_id: str) -> None:
        """Index the open orders of an account made before the index existed, once."""
        async with self.lock:
            account = await self.account(account_id)
            if account is None or account.open_orders_indexed:
                return
            for order_id in await self.order_ids(account_id):
                order = await self.order(order_id)
                if order is not None and order.status in OPEN_ORDER_STATUSES:
                    await self.pki.storage.put(f"{OPEN_ORDERS}{account_id}/{order_id}", b"{}")
            await self._put(ACCOUNTS + account_id, account.with_changes(open_orders_indexed=True))

    # --- orders and authorizations -------------------------------------------------------------

    async def order(self, order_id: str) -> Order | None:
        return await self._get(ORDERS + order_id, Order) if _safe(order_id) else None

    async def put_order(self, order: Order) -> None:
        await self._put(ORDERS + order.id, order)
        await self.pki.storage.put(f"{ACCOUNT_ORDERS}{order.account_id}/{order.id}", b"{}")
        if order.status in OPEN_ORDER_STATUSES:
            await self.pki.storage.put(f"{OPEN_ORDERS}{order.account_id}/{order.id}", b"{}")
        else:
            await self.forget_open_order(order.account_id, order.id)

    async def delete_order(self, order: Order) -> None:
        """Delete the order, its authorizations (with their challenges) and its index entries.
        Caller holds both locks."""
        for authz_id in order.authorization_ids:
            await self.pki.storage.delete(AUTHORIZATIONS + authz_id)
        await self.forget_order(order.account_id, order.id)
        await self.pki.storage.delete(ORDERS + order.id)

    async def forget_order(self, account_id: str, order_id: str) -> None:
        """Drop the order from its account's indexes."""
        await self.forget_open_order(account_id, order_id)
        await self.pki.storage.delete(f"{ACCOUNT_ORDERS}{account_id}/{order_id}")

    async def authorization(self, authz_id: str) -> Authorization | None:
        if not _safe(authz_id):
            return None
        return await self._get(AUTHORIZATIONS + authz_id, Authorization)

    async def put_authorization(self, authz: Authorization) -> None:
        await self._put(AUTHORIZATIONS + authz.id, authz)

    # --- external account bindings -------------------------------------------------------------

    async def eab(self, eab_id: str) -> EABKey | None:
        return await self._get(EAB + eab_id, EABKey) if _safe(eab_id) else None

    async def put_eab(self, eab: EABKey) -> None:
        await self._put(EAB + eab.id, eab)

    async def delete_eab(self, eab_id: str) -> None:
        await self.pki.storage.delete(EAB + eab_id)

    async def eabs(self) -> list[EABKey]:
        found = [await self.eab(name) for name in await self.pki.storage.list(EAB)]
        return [eab for eab in found if eab is not None]


def _safe(identifier: str) -> bool:
    """Ids come from URLs: one path segment, never empty."""
    return bool(identifier) and "/" not in identifier and identifier not in (".", "..")
