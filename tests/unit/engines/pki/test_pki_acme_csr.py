"""Finalize's CSR rules for names that only look like an identifier. The validator here
passes every challenge: what is under test is what may be issued once names are proven."""

from __future__ import annotations

import pytest
from acme_helpers import ACMEClient, Answer, csr_der, enable
from cryptography import x509
from cryptography.x509.oid import NameOID
from pki_helpers import PKI

from strongroom.engines.pki import build_pki_backend
from strongroom.engines.pki.acme.http01 import HTTP01Validator
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock


class PassingValidator(HTTP01Validator):
    async def validate(self, kind: str, value: str, token: str, key_authorization: str) -> str:
        return ""


@pytest.fixture
async def client(storage: InmemBackend, clock: FakeClock) -> ACMEClient:
    backend = build_pki_backend(storage, clock, PassingValidator())
    pki = PKI(backend, storage, clock)
    await enable(pki)
    await pki.role("any", allow_any_name=True, key_type="any")
    client = ACMEClient(pki, "roles/any/acme/")
    await client.register()
    return client


async def ready_order(client: ACMEClient, name: str) -> Answer:
    order = await client.order(("dns", name))
    authz = await client.post(client.relative(order.body["authorizations"][0]))
    await client.post(client.relative(authz.body["challenges"][0]["url"]), {})
    await client.pki.backend.acme_challenges.idle()  # type: ignore[attr-defined]
    return order


async def issued_common_name(client: ACMEClient, order: Answer, csr: str) -> Answer | str:
    done = await client.post(client.relative(order.body["finalize"]), {"csr": csr})
    if done.status != 200:
        return done
    chain = await client.post(client.relative(done.body["certificate"]))
    leaf = x509.load_pem_x509_certificates(chain.body)[0]
    return str(leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


async def test_the_common_name_is_issued_as_the_identifier(client: ACMEClient) -> None:
    order = await ready_order(client, "www.example.com")
    csr = csr_der(x509.DNSName("www.example.com"), common_name="WWW.Example.COM")
    assert await issued_common_name(client, order, csr) == "www.example.com"


async def test_a_common_name_that_lowercases_into_an_identifier_is_refused(
    client: ACMEClient,
) -> None:
    # U+212A KELVIN SIGN lower-cases to an ASCII "k": the CN is another name.
    order = await ready_order(client, "keep.example.com")
    csr = csr_der(x509.DNSName("keep.example.com"), common_name="\u212aeep.example.com")
    refused = await issued_common_name(client, order, csr)
    assert isinstance(refused, Answer) and refused.problem == "badCSR", refused
