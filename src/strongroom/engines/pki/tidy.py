"""Tidying the certificate store (deleting certificates expired for longer than the safety
buffer) and, with `tidy_acme`, the ACME server's records (`acme/tidy.py`), on `tidy` and,
with `config/auto-tidy` enabled, from `periodic()` every `interval_duration` (the first time
on the first tick after it is enabled)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from strongroom.engines.pki.acme.store import ACMEStore
from strongroom.engines.pki.acme.tidy import ACMETidyCounts, tidy_acme
from strongroom.engines.pki.crl import rebuild_all
from strongroom.engines.pki.encoding import parse_serial, rfc3339_ns
from strongroom.engines.pki.records import ACME_ACCOUNT_SAFETY_BUFFER, AutoTidyConfig, TidyStatus
from strongroom.engines.pki.store import PKIStore

_NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class TidyOptions:
    """What to tidy: the fields of `tidy` and `config/auto-tidy`, by the same names."""

    tidy_cert_store: bool = False
    tidy_revoked_certs: bool = False
    safety_buffer: int = 72 * 3600
    tidy_acme: bool = False
    acme_account_safety_buffer: int = ACME_ACCOUNT_SAFETY_BUFFER

    @classmethod
    def configured(cls, config: AutoTidyConfig) -> TidyOptions:
        return cls(**{option.name: getattr(config, option.name) for option in fields(cls)})


async def run_tidy(store: PKIStore, acme: ACMEStore, options: TidyOptions) -> TidyStatus:
    """Tidy synchronously (the store of one mount is small enough, and the status is final when
    this returns), store the status and return it. ACME first: an order's certificate tells
    how long the order is kept."""
    started = rfc3339_ns(int(store.now() * _NS))
    acme_counts = ACMETidyCounts()
    if options.tidy_acme:
        acme_counts = await tidy_acme(
            acme, options.safety_buffer, options.acme_account_safety_buffer
        )
    deleted, revoked_deleted = await _tidy_certs(store, options)
    previous = await store.tidy_status()
    status = TidyStatus(
        state="Finished",
        time_started=started,
        time_finished=rfc3339_ns(int(store.now() * _NS)),
        cert_store_deleted_count=deleted,
        revoked_cert_deleted_count=revoked_deleted,
        last_auto_tidy_finished=previous.last_auto_tidy_finished,
        **asdict(options),
        **asdict(acme_counts),
    )
    await store.put_tidy_status(status)
    return status


async def _tidy_certs(store: PKIStore, options: TidyOptions) -> tuple[int, int]:
    """Delete the certificates the options ask for; return (valid, revoked) ones deleted."""
    if not (options.tidy_cert_store or options.tidy_revoked_certs):
        return 0, 0
    now = store.now()
    deleted = revoked_deleted = 0
    for serial in await store.cert_serials():
        record = await store.cert(parse_serial(serial))
        if record is None or record.not_after + options.safety_buffer > now:
            continue
        if record.revoked and options.tidy_revoked_certs:
            revoked_deleted += 1
        elif record.revoked or not options.tidy_cert_store:
            continue
        else:
            deleted += 1
        await store.delete_cert(record)
    if revoked_deleted:
        await rebuild_all(store)
    return deleted, revoked_deleted


async def auto_tidy(store: PKIStore, acme: ACMEStore) -> bool:
    """Run the configured tidy when it is enabled and due. Returns whether it ran."""
    config = await store.auto_tidy_config()
    if not config.enabled:
        return False
    last = (await store.tidy_status()).last_auto_tidy_finished
    if last and store.now() < last + config.interval_duration:
        return False
    status = await run_tidy(store, acme, TidyOptions.configured(config))
    await store.put_tidy_status(status.with_changes(last_auto_tidy_finished=int(store.now())))
    return True
