"""The store's cache of issuers, keys, roles and settings: every change made through the API (or
announced with `invalidate()` when another node made it) shows in the very next issue."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import orjson
import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from pki_helpers import PKI, cert, csr

from strongroom.engines.pki import build_pki_backend
from strongroom.engines.pki.encoding import serial_text
from strongroom.engines.pki.records import CertRecord, IssuerRecord, URLsConfig
from strongroom.engines.pki.roles import Role
from strongroom.engines.pki.store import PKIStore
from strongroom.logical import Operation
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock


def issuer_of(issued: dict[str, Any]) -> x509.Name:
    return cert(issued["certificate"]).issuer


def signed_by(issued: dict[str, Any], issuer_pem: str) -> bool:
    try:
        cert(issued["certificate"]).verify_directly_issued_by(cert(issuer_pem))
    except Exception:
        return False
    return True


def common_name(name: x509.Name) -> str:
    return str(name.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


@pytest.fixture
async def two_roots(pki: PKI) -> tuple[dict[str, Any], dict[str, Any]]:
    first = await pki.root(issuer_name="first", common_name="First")
    second = await pki.root(issuer_name="second", common_name="Second")
    await pki.role("r", allow_any_name=True, ttl="1h")
    return first, second


async def test_default_issuer_change_shows_in_the_next_issue(
    pki: PKI, two_roots: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    first, second = two_roots
    issued = await pki.ok("issue/r", common_name="a.test")
    assert signed_by(issued, first["certificate"])
    await pki.ok("config/issuers", default="second")
    issued = await pki.ok("issue/r", common_name="a.test")
    assert signed_by(issued, second["certificate"])
    assert issued["issuing_ca"] == second["certificate"]
    signed = await pki.ok("sign/r", csr=csr("b.test"), common_name="b.test")
    assert signed_by(signed, second["certificate"])
    await pki.ok("config/issuers", default=first["issuer_id"])
    assert signed_by(await pki.ok("issue/r", common_name="a.test"), first["certificate"])


async def test_deleted_issuer_never_signs_again(
    pki: PKI, two_roots: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    _, second = two_roots
    await pki.ok("issue/r", common_name="a.test")
    await pki.ok("issuer/second/issue/r", common_name="a.test")
    await pki(Operation.DELETE, "issuer/first")  # the default
    assert "no default issuer" in (await pki.fails("issue/r", common_name="a.test")).message
    await pki(Operation.DELETE, f"issuer/{second['issuer_id']}")
    error = await pki.fails(f"issuer/{second['issuer_id']}/issue/r", common_name="a.test")
    assert "unable to find PKI issuer" in error.message
    assert "unable to find" in (await pki.fails("issuer/second/issue/r", common_name="a")).message


async def test_role_write_patch_delete_show_in_the_next_issue(pki: PKI) -> None:
    await pki.root()
    await pki.role("r", allowed_domains=["example.com"], allow_subdomains=True, ttl="1h")
    issued = await pki.ok("issue/r", common_name="www.example.com")
    assert cert(issued["certificate"]).public_key().key_size == 256  # type: ignore[union-attr]
    assert "not allowed" in (await pki.fails("issue/r", common_name="www.example.org")).message
    await pki.role("r", allowed_domains=["example.org"], allow_subdomains=True, key_bits=384)
    issued = await pki.ok("issue/r", common_name="www.example.org")
    assert cert(issued["certificate"]).public_key().key_size == 384  # type: ignore[union-attr]
    assert "not allowed" in (await pki.fails("issue/r", common_name="www.example.com")).message
    await pki.ok("roles/r", Operation.PATCH, organization=["Patched Org"], ttl="2h")
    issued = await pki.ok("issue/r", common_name="www.example.org")
    subject = cert(issued["certificate"]).subject
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Patched Org"
    assert issued["expiration"] - issued["not_before"] == 2 * 3600 + 30
    await pki(Operation.DELETE, "roles/r")
    assert "unknown role" in (await pki.fails("issue/r", common_name="www.example.org")).message
    assert "unknown role" in (await pki.fails("sign/r", csr=csr("www.example.org"))).message


async def test_role_issuer_ref_change_shows_in_the_next_issue(
    pki: PKI, two_roots: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    first, second = two_roots
    assert signed_by(await pki.ok("issue/r", common_name="a.test"), first["certificate"])
    await pki.ok("roles/r", Operation.PATCH, issuer_ref="second")
    assert signed_by(await pki.ok("issue/r", common_name="a.test"), second["certificate"])


async def test_issuer_update_and_revoke_show_in_the_next_issue(pki: PKI) -> None:
    root = await pki.root(issuer_name="root", ttl="10h")
    await pki.role("r", allow_any_name=True, ttl="1h")
    issued = await pki.ok("issue/r", common_name="a.test")
    extensions = cert(issued["certificate"]).extensions
    with pytest.raises(x509.ExtensionNotFound):
        extensions.get_extension_for_class(x509.AuthorityInformationAccess)
    await pki.ok("issuer/root", issuing_certificates=["http://ca.test/ca"])
    issued = await pki.ok("issue/r", common_name="a.test")
    access = cert(issued["certificate"]).extensions.get_extension_for_class(
        x509.AuthorityInformationAccess
    )
    assert [d.access_location.value for d in access.value] == ["http://ca.test/ca"]
    # leaf_not_after_behavior: err, then truncate.
    assert "beyond the expiration" in (
        await pki.fails("issue/r", common_name="a.test", ttl="20h")
    ).message.replace("\n", " ")
    await pki.ok("issuer/root", leaf_not_after_behavior="truncate")
    issued = await pki.ok("issue/r", common_name="a.test", ttl="20h")
    assert issued["expiration"] == int(cert(root["certificate"]).not_valid_after_utc.timestamp())
    # usage without issuing-certificates, then back.
    await pki.ok("issuer/root", usage=["crl-signing"])
    assert "usage" in (await pki.fails("issue/r", common_name="a.test")).message
    await pki.ok("issuer/root", usage=["issuing-certificates"])
    await pki.ok("issue/r", common_name="a.test")
    await pki.ok("issuer/root/revoke")
    assert "revoked" in (await pki.fails("issue/r", common_name="a.test")).message
    assert "revoked" in (await pki.fails("sign/r", csr=csr("a.test"))).message


async def test_mount_urls_change_shows_in_the_next_issue(pki: PKI) -> None:
    await pki.root()
    await pki.role("r", allow_any_name=True)
    await pki.ok("issue/r", common_name="a.test")  # config/urls absent: its default is cached
    await pki.ok("config/urls", ocsp_servers=["http://ocsp.test"])
    issued = await pki.ok("issue/r", common_name="a.test")
    access = cert(issued["certificate"]).extensions.get_extension_for_class(
        x509.AuthorityInformationAccess
    )
    assert [d.access_location.value for d in access.value] == ["http://ocsp.test"]


async def test_replaced_root_signs_with_its_own_key(pki: PKI) -> None:
    old = await pki.root(issuer_name="root", common_name="Same Name")
    await pki.role("r", allow_any_name=True)
    assert signed_by(await pki.ok("issue/r", common_name="a.test"), old["certificate"])
    await pki(Operation.DELETE, "root")
    assert "no default issuer" in (await pki.fails("issue/r", common_name="a.test")).message
    new = await pki.root(issuer_name="root", common_name="Same Name")
    assert new["key_id"] != old["key_id"]
    issued = await pki.ok("issue/r", common_name="a.test")
    assert signed_by(issued, new["certificate"]) and not signed_by(issued, old["certificate"])
    assert issued["ca_chain"] == [new["certificate"]]


async def test_key_attached_by_import_lets_the_issuer_issue(pki: PKI) -> None:
    exported = await pki.ok("root/generate/exported", common_name="Bundle CA", key_type="ec")
    await pki(Operation.DELETE, "root")
    await pki.ok("issuers/import/cert", pem_bundle=exported["certificate"])
    await pki.role("r", allow_any_name=True)
    assert "no key" in (await pki.fails("issue/r", common_name="a.test")).message
    bundle = exported["private_key"] + "\n" + exported["certificate"]
    imported = await pki.ok("issuers/import/bundle", pem_bundle=bundle)
    assert imported["existing_issuers"] and imported["imported_keys"]
    assert signed_by(await pki.ok("issue/r", common_name="a.test"), exported["certificate"])


async def test_another_nodes_changes_show_after_invalidate(
    storage: InmemBackend, clock: FakeClock
) -> None:
    """Two backends over one storage: the second caches until the core invalidates it."""
    node_a = PKI(build_pki_backend(storage, clock), storage, clock)
    backend_b = build_pki_backend(storage, clock)
    node_b = PKI(backend_b, storage, clock)
    first = await node_a.root(issuer_name="first", common_name="First")
    await node_a.role("r", allowed_domains=["example.com"], allow_subdomains=True)
    assert signed_by(await node_b.ok("issue/r", common_name="a.example.com"), first["certificate"])
    second = await node_a.root(issuer_name="second", common_name="Second")
    await node_a.ok("config/issuers", default="second")
    await node_a.role("r", allowed_domains=["example.org"], allow_subdomains=True)
    # Without being told, node B still works from what it cached ...
    stale = await node_b.ok("issue/r", common_name="a.example.com")
    assert signed_by(stale, first["certificate"])
    backend_b.invalidate()
    # ... and from storage once it is.
    issued = await node_b.ok("issue/r", common_name="a.example.org")
    assert signed_by(issued, second["certificate"])
    assert "not allowed" in (await node_b.fails("issue/r", common_name="a.example.com")).message
    await node_a(Operation.DELETE, "root")
    backend_b.invalidate()
    assert (
        "no default issuer" in (await node_b.fails("issue/r", common_name="a.example.org")).message
    )


class SlowGets(InmemBackend):
    """Storage whose reads of one key wait for `release`, returning what was stored at the
    start of the read (a read that raced a write)."""

    def __init__(self) -> None:
        super().__init__()
        self.hold = ""
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def get(self, key: str) -> bytes | None:
        value = await super().get(key)
        if key == self.hold:
            self.started.set()
            await self.release.wait()
        return value


async def test_a_read_that_raced_a_write_is_not_cached(clock: FakeClock) -> None:
    storage = SlowGets()
    store = PKIStore(storage, clock)
    await store.put_role(Role(name="r", ttl=60))
    storage.hold = "role/r"
    reading = asyncio.create_task(store.role("r"))
    await storage.started.wait()
    await store.put_role(Role(name="r", ttl=120))
    storage.release.set()
    old = await reading
    assert old is not None and old.ttl == 60  # what storage held when the read began
    storage.hold = ""
    new = await store.role("r")
    assert new is not None and new.ttl == 120


async def test_cached_records_are_the_stored_ones(clock: FakeClock) -> None:
    store = PKIStore(InmemBackend(), clock)
    assert await store.role("missing") is None
    await store.put_role(Role(name="missing"))
    assert await store.role("missing") == Role(name="missing")  # absent roles are not cached
    assert await store.urls_config() == URLsConfig()
    await store.put_urls_config(URLsConfig(ocsp_servers=["http://o.test"]))
    assert (await store.urls_config()).ocsp_servers == ["http://o.test"]
    await store.delete_role("missing")
    assert await store.role("missing") is None


@pytest.mark.parametrize(
    "record",
    [
        Role(name="r", allowed_domains=["a", "b"], organization=["O"]),
        IssuerRecord(id="i", certificate="c", serial="01", chain=["c", "p"]),
        CertRecord(serial="01:02", certificate="pem", issuer_id="i", not_after=5),
    ],
)
def test_serialize_is_unchanged(record: Any) -> None:
    assert record.serialize() == orjson.dumps(dataclasses.asdict(record))


@pytest.mark.parametrize("serial", [0, 1, 0xFF, 0x100, 0x0102, 2**64 + 5, 2**159 - 1])
def test_serial_text_is_unchanged(serial: int) -> None:
    raw = serial.to_bytes(max(1, (serial.bit_length() + 7) // 8), "big")
    assert serial_text(serial) == ":".join(f"{byte:02x}" for byte in raw)


async def test_issuer_view_is_a_copy(pki: PKI) -> None:
    """Responses do not hand out the cached record's lists."""
    await pki.root(issuer_name="root")
    await pki.role("r", allow_any_name=True, organization=["O"])
    view = await pki.read("issuer/root")
    view["ca_chain"].append("tampered")
    assert "tampered" not in (await pki.read("issuer/root"))["ca_chain"]
    role = await pki.read("roles/r")
    role["organization"].append("tampered")
    assert (await pki.read("roles/r"))["organization"] == ["O"]
    assert common_name(issuer_of(await pki.ok("issue/r", common_name="a.test"))) == "Root CA"
