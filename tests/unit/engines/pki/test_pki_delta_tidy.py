"""Delta CRLs (numbering, the critical indicator, what they list), `auto_rebuild` (revocations
wait for `periodic()`, which rebuilds in the grace period and every `delta_rebuild_interval`),
and `config/auto-tidy` run from `periodic()`."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from pki_helpers import PKI, openssl

from strongroom.errors import InvalidParameter
from strongroom.logical import Operation


def number(crl: x509.CertificateRevocationList) -> int:
    return crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number


def base_of(crl: x509.CertificateRevocationList) -> int:
    extension = crl.extensions.get_extension_for_class(x509.DeltaCRLIndicator)
    assert extension.critical
    return extension.value.crl_number


async def crl(pki: PKI, path: str) -> x509.CertificateRevocationList:
    return x509.load_der_x509_crl((await pki.raw(path)).raw_body or b"")


async def issue(pki: PKI) -> str:
    serial: str = (await pki.ok("issue/r", common_name="a.test", ttl="1h"))["serial_number"]
    return serial


def as_int(serial: str) -> int:
    return int(serial.replace(":", ""), 16)


@pytest.fixture
async def delta(pki: PKI) -> PKI:
    await pki.root()
    await pki.role("r", allow_any_name=True)
    await pki.ok("config/crl", auto_rebuild=True, enable_delta=True)
    return pki


async def test_delta_needs_auto_rebuild(pki: PKI) -> None:
    failed = await pki.fails("config/crl", enable_delta=True)
    assert isinstance(failed, InvalidParameter) and "auto rebuilding" in failed.message
    config = await pki.ok("config/crl", enable_delta=True, auto_rebuild=True)
    assert config["enable_delta"] is True and config["auto_rebuild"] is True


async def test_revocation_waits_for_the_delta(delta: PKI) -> None:
    serial = await issue(delta)
    complete, first = await crl(delta, "crl"), await crl(delta, "crl/delta")
    assert base_of(first) == number(complete) and number(first) == number(complete) + 1
    await delta.ok("revoke", serial_number=serial)
    assert len(await crl(delta, "crl")) == 0 and len(await crl(delta, "crl/delta")) == 0
    assert await delta.backend.periodic() is None  # not yet due: nothing rebuilt
    assert len(await crl(delta, "crl/delta")) == 0

    delta.clock.advance(15 * 60)  # delta_rebuild_interval
    await delta.backend.periodic()
    rebuilt = await crl(delta, "crl/delta")
    assert rebuilt.get_revoked_certificate_by_serial_number(as_int(serial)) is not None
    assert base_of(rebuilt) == number(complete) and number(rebuilt) > number(first)
    assert len(await crl(delta, "crl")) == 0  # the complete CRL waits for its grace period

    delta.clock.advance(60 * 3600)  # 72h expiry - 12h grace
    await delta.backend.periodic()
    complete = await crl(delta, "crl")
    assert complete.get_revoked_certificate_by_serial_number(as_int(serial)) is not None
    emptied = await crl(delta, "crl/delta")
    assert len(emptied) == 0 and base_of(emptied) == number(complete)


async def test_rotate_delta_and_every_form(delta: PKI) -> None:
    serial = await issue(delta)
    await delta.ok("revoke", serial_number=serial)
    assert await delta.read("crl/rotate-delta") == {"success": True}
    pem = (await delta.raw("crl/delta/pem")).raw_body or b""
    assert x509.load_pem_x509_crl(pem).get_revoked_certificate_by_serial_number(as_int(serial))
    issuer = (await delta.read("config/issuers"))["default"]
    for path in (f"issuer/{issuer}/crl/delta/der", "issuer/default/crl/delta/pem"):
        assert (await delta.raw(path)).content_type.startswith("application/")
    as_json = await delta.read(f"issuer/{issuer}/crl/delta")
    assert as_json["crl"].startswith("-----BEGIN X509 CRL-----")
    cert_form = await delta.read("cert/delta-crl")
    assert cert_form["certificate"] == as_json["crl"]


async def test_rotate_delta_when_disabled_is_a_no_op(pki: PKI) -> None:
    await pki.root()
    response = await pki(Operation.READ, "crl/rotate-delta")
    assert response is not None and response.warnings and "no-op" in response.warnings[0]
    served = await crl(pki, "crl/delta")  # served anyway, as Vault does
    assert base_of(served) == number(await crl(pki, "crl"))


async def test_without_auto_rebuild_revocation_rebuilds_at_once(pki: PKI) -> None:
    await pki.root()
    await pki.role("r", allow_any_name=True)
    serial = await issue(pki)
    await pki.ok("revoke", serial_number=serial)
    assert len(await crl(pki, "crl")) == 1
    pki.clock.advance(100 * 3600)
    before = number(await crl(pki, "crl"))
    await pki.backend.periodic()  # auto_rebuild off: periodic leaves CRLs alone
    assert number(await crl(pki, "crl")) == before


async def test_openssl_reads_the_delta(live: PKI, tmp_path: Path) -> None:
    root = await live.root()
    await live.role("r", allow_any_name=True)
    await live.ok("config/crl", auto_rebuild=True, enable_delta=True)
    serial = await issue(live)
    await live.ok("revoke", serial_number=serial)
    await live.read("crl/rotate-delta")
    (tmp_path / "ca.pem").write_text(root["certificate"])
    (tmp_path / "delta.der").write_bytes((await live.raw("crl/delta")).raw_body or b"")
    read = openssl(
        "crl", "-inform", "DER", "-in", "delta.der", "-CAfile", "ca.pem", "-noout", "-text",
        cwd=tmp_path,
    )  # fmt: skip
    assert read.returncode == 0, read.stderr
    assert "verify OK" in read.stderr + read.stdout
    assert "Delta CRL Indicator: critical" in read.stdout
    assert serial.replace(":", "").upper() in read.stdout


async def test_auto_tidy_config_and_periodic_run(pki: PKI) -> None:
    await pki.root()
    await pki.role("r", allow_any_name=True)
    defaults = await pki.read("config/auto-tidy")
    assert defaults["enabled"] is False and defaults["interval_duration"] == 12 * 3600
    refused = await pki.fails("config/auto-tidy", enabled=True)
    assert "no tidy operations" in refused.message
    assert "positive" in (await pki.fails("config/auto-tidy", interval_duration="0s")).message
    written = await pki.ok(
        "config/auto-tidy",
        enabled=True,
        tidy_cert_store=True,
        interval_duration="1h",
        safety_buffer="1s",
    )
    assert written == {**defaults, **written} and written["interval_duration"] == 3600
    assert (await pki.read("config/auto-tidy"))["safety_buffer"] == 1

    root_only = len(await pki.list("certs"))  # the CA's own certificate is stored too
    await issue(pki)
    await pki.backend.periodic()  # runs at once, but the certificate has not expired
    assert len(await pki.list("certs")) == root_only + 1
    status = await pki.read("tidy-status")
    assert status["state"] == "Finished" and "last_auto_tidy_finished" not in status

    pki.clock.advance(2 * 3600)
    await issue(pki)  # a fresh one stays
    await pki.backend.periodic()
    assert len(await pki.list("certs")) == root_only + 1
    assert (await pki.read("tidy-status"))["cert_store_deleted_count"] == 1

    await pki.ok("issue/r", common_name="b.test", ttl="1s")
    await pki(Operation.UPDATE, "tidy", {})  # a manual tidy keeps the auto-tidy's time
    pki.clock.advance(30 * 60)
    await pki.backend.periodic()  # expired, but the interval has not passed
    assert len(await pki.list("certs")) == root_only + 2
    pki.clock.advance(31 * 60)
    await pki.backend.periodic()  # due: both leaves have expired by now
    assert len(await pki.list("certs")) == root_only
