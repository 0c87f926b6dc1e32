"""Tidying the ACME server's records (`tidy_acme` on `tidy` and `config/auto-tidy`), account by
account, as OpenBao does:

- an order is deleted, with its authorizations and their challenges, once its certificate has
  been expired for `safety_buffer` (the certificate store's buffer: until then its account can
  still revoke the certificate as the one that ordered it); an order that produced no
  certificate, once it has expired (one still `processing`, `safety_buffer` later, so that a
  finalize under way cannot write back an order tidy deleted);
- an account with no orders left, older than `acme_account_safety_buffer` and that long past
  the latest expiry of its deleted orders, is revoked if valid, and deleted (with its key
  index) once it has been revoked or deactivated for another `acme_account_safety_buffer`.

Certificates themselves are the certificate store's tidy's (`tidy_cert_store`).
"""

from __future__ import annotations

from dataclasses import dataclass

from strongroom.engines.pki.acme.records import Account, Order
from strongroom.engines.pki.acme.store import ACMEStore
from strongroom.engines.pki.encoding import parse_serial


@dataclass
class ACMETidyCounts:
    """The counters `tidy-status` reports, by OpenBao's names."""

    total_acme_account_count: int = 0
    acme_account_deleted_count: int = 0
    acme_account_revoked_count: int = 0
    acme_orders_deleted_count: int = 0


async def tidy_acme(store: ACMEStore, safety_buffer: int, account_buffer: int) -> ACMETidyCounts:
    counts = ACMETidyCounts()
    for account_id in await store.account_ids():
        counts.total_acme_account_count += 1
        async with store.new_order_lock, store.lock:
            account = await store.account(account_id)
            if account is not None:
                await _tidy_account(store, account, safety_buffer, account_buffer, counts)
    return counts


async def _tidy_account(
    store: ACMEStore,
    account: Account,
    safety_buffer: int,
    account_buffer: int,
    counts: ACMETidyCounts,
) -> None:
    now = store.now()
    latest = account.latest_expiry
    orders_left = False
    for order_id in await store.order_ids(account.id):
        order = await store.order(order_id)
        if order is None:  # an index entry left by an interrupted write
            await store.forget_order(account.id, order_id)
            continue
        expiry = await _expiry(store, order)
        if now <= _tidy_after(order, expiry, safety_buffer):
            orders_left = True
            continue
        await store.delete_order(order)
        counts.acme_orders_deleted_count += 1
        latest = max(latest, expiry)
    unused = not orders_left and now > max(account.created, latest) + account_buffer
    if unused and account.status == "valid":
        revoked = account.with_changes(status="revoked", revoked_at=now, latest_expiry=latest)
        await store.put_account(revoked)
        counts.acme_account_revoked_count += 1
    elif unused and not account.revoked_at:  # deactivated before the time was recorded
        await store.put_account(account.with_changes(revoked_at=now, latest_expiry=latest))
    elif unused and now > account.revoked_at + account_buffer:
        await store.delete_account(account)
        counts.acme_account_deleted_count += 1
    elif latest != account.latest_expiry:
        await store.put_account(account.with_changes(latest_expiry=latest))


async def _expiry(store: ACMEStore, order: Order) -> int:
    """The notAfter of the order's certificate (the order's own expiry without one, or when
    the certificate store's tidy has deleted it)."""
    if order.cert_serial:
        record = await store.pki.cert(parse_serial(order.cert_serial))
        if record is not None:
            return record.not_after
    return order.expires


def _tidy_after(order: Order, expiry: int, safety_buffer: int) -> int:
    if order.cert_serial or order.status == "processing":
        return expiry + safety_buffer
    return expiry
