"""Tidying the certificate store: deleting certificates expired for longer than the safety
buffer, on `tidy` and, with `config/auto-tidy` enabled, from `periodic()` every
`interval_duration` (the first time on the first tick after it is enabled)."""

from __future__ import annotations

from strongroom.engines.pki.crl import rebuild_all
from strongroom.engines.pki.encoding import parse_serial, rfc3339_ns
from strongroom.engines.pki.records import TidyStatus
from strongroom.engines.pki.store import PKIStore

_NS = 1_000_000_000


async def run_tidy(
    store: PKIStore, cert_store: bool, revoked_certs: bool, safety_buffer: int
) -> TidyStatus:
    """Tidy synchronously (the store of one mount is small enough, and the status is final when
    this returns), store the status and return it."""
    now = store.now()
    started = rfc3339_ns(int(now * _NS))
    deleted = revoked_deleted = 0
    for serial in await store.cert_serials():
        record = await store.cert(parse_serial(serial))
        if record is None or record.not_after + safety_buffer > now:
            continue
        if record.revoked and revoked_certs:
            revoked_deleted += 1
        elif record.revoked or not cert_store:
            continue
        else:
            deleted += 1
        await store.delete_cert(record)
    if revoked_deleted:
        await rebuild_all(store)
    previous = await store.tidy_status()
    status = TidyStatus(
        state="Finished",
        time_started=started,
        time_finished=rfc3339_ns(int(store.now() * _NS)),
        tidy_cert_store=cert_store,
        tidy_revoked_certs=revoked_certs,
        safety_buffer=safety_buffer,
        cert_store_deleted_count=deleted,
        revoked_cert_deleted_count=revoked_deleted,
        last_auto_tidy_finished=previous.last_auto_tidy_finished,
    )
    await store.put_tidy_status(status)
    return status


async def auto_tidy(store: PKIStore) -> bool:
    """Run the configured tidy when it is enabled and due. Returns whether it ran."""
    config = await store.auto_tidy_config()
    if not config.enabled:
        return False
    last = (await store.tidy_status()).last_auto_tidy_finished
    if last and store.now() < last + config.interval_duration:
        return False
    status = await run_tidy(
        store, config.tidy_cert_store, config.tidy_revoked_certs, config.safety_buffer
    )
    await store.put_tidy_status(status.with_changes(last_auto_tidy_finished=int(store.now())))
    return True
