"""ACME orders end to end against a real (local) http-01 server: the state machine, finalize
and the CSR rules, role and directory policies, certificate download, revocation."""

from __future__ import annotations

import ipaddress

from acme_helpers import (
    ACMEBench,
    ACMEClient,
    csr_der,
    enable,
    finalize,
    idle,
    revocable,
    validated_order,
)
from cryptography import x509

from strongroom.clock import rfc3339
from strongroom.engines.pki.acme.problems import Problem
from strongroom.engines.pki.encoding import serial_text
from strongroom.logical import Operation


async def test_the_whole_order(acme: ACMEBench) -> None:
    await enable(acme.pki)
    client = ACMEClient(acme.pki)
    order = await validated_order(acme, client, ("dns", "localhost"), ("ip", "127.0.0.1"))
    location = order.headers["Location"]
    assert order.body["status"] == "pending"
    ready = await client.post(client.relative(location))
    assert ready.body["status"] == "ready"
    authz = await client.post(client.relative(order.body["authorizations"][0]))
    assert authz.body["status"] == "valid"
    assert authz.body["challenges"][0]["validated"]

    csr = csr_der(x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    done = await finalize(client, order, csr)
    assert done.status == 200 and done.body["status"] == "valid"
    chain = await client.post(client.relative(done.body["certificate"]))
    assert chain.status == 200
    certs = x509.load_pem_x509_certificates(chain.body)
    leaf, root = certs
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert leaf.issuer == root.subject
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]
    listed = await acme.pki.list("certs")
    assert serial_text(leaf.serial_number) in listed  # stored: ACME serves it from storage

    orders = await client.post(client.relative(client.kid) + "/orders")
    assert orders.body["orders"] == [location]
    again = await finalize(client, order, csr)
    assert again.status == 403 and again.problem == "orderNotReady"


async def test_finalize_before_ready(acme: ACMEBench) -> None:
    await enable(acme.pki)
    client = ACMEClient(acme.pki)
    await client.register()
    order = await client.order(("dns", "localhost"))
    early = await finalize(client, order, csr_der(x509.DNSName("localhost")))
    assert early.status == 403 and early.problem == "orderNotReady"


async def test_a_failed_challenge_invalidates_the_order(acme: ACMEBench) -> None:
    await enable(acme.pki)
    acme.pki.backend.acme_challenges.pause = 0.0  # type: ignore[attr-defined]
    client = ACMEClient(acme.pki)
    await client.register()
    order = await client.order(("dns", "localhost"))
    authz = await client.post(client.relative(order.body["authorizations"][0]))
    (challenge,) = authz.body["challenges"]
    acme.answers[challenge["token"]] = "someone-else's-answer"
    await client.post(client.relative(challenge["url"]), {})
    await idle(acme.pki)
    failed = await client.post(client.relative(challenge["url"]))
    assert failed.body["status"] == "invalid"
    assert failed.body["error"]["type"].endswith(":incorrectResponse")
    current = await client.post(client.relative(order.headers["Location"]))
    assert current.body["status"] == "invalid"


async def test_the_csr_must_match_the_identifiers(acme: ACMEBench) -> None:
    await enable(acme.pki)
    client = ACMEClient(acme.pki)
    order = await validated_order(acme, client, ("dns", "localhost"))
    for csr in (
        csr_der(x509.DNSName("localhost"), x509.DNSName("other.example.com")),
        csr_der(x509.DNSName("localhost"), common_name="evil.example.com"),
        csr_der(x509.DNSName("localhost"), x509.RFC822Name("me@example.com")),
        csr_der(),
    ):
        refused = await finalize(client, order, csr)
        assert refused.status == 400 and refused.problem == "badCSR", refused.body
    garbage = await finalize(client, order, "bm90LWEtY3Ny")
    assert garbage.problem == "badCSR"
    accepted = await finalize(client, order, csr_der(common_name="localhost"))
    assert accepted.body["status"] == "valid"


async def test_identifiers_the_role_refuses(acme: ACMEBench) -> None:
    await enable(acme.pki)
    await acme.pki.role(
        "web",
        allowed_domains=["example.com"],
        allow_subdomains=True,
        allow_localhost=False,
        allow_ip_sans=False,
    )
    client = ACMEClient(acme.pki, "roles/web/acme/")
    await client.register()
    for identifier in (("dns", "localhost"), ("ip", "127.0.0.1"), ("dns", "*.example.com")):
        refused = await client.order(identifier)
        assert refused.status == 400 and refused.problem == "rejectedIdentifier", identifier
    bad = await client.order(("dns", "not a name"))
    assert bad.problem == "rejectedIdentifier"
    unknown = await client.order(("email", "me@example.com"))
    assert unknown.problem == "unsupportedIdentifier"
    allowed = await client.order(("dns", "www.example.com"))
    assert allowed.status == 201


async def test_directory_policies(acme: ACMEBench) -> None:
    pki = acme.pki
    await enable(pki, default_directory_policy="forbid")
    client = ACMEClient(pki)
    forbidden = await client.post("new-account", {})
    assert forbidden.status == 403 and forbidden.problem == "unauthorized"
    await pki.role("web", allow_any_name=True, no_store=True)
    stored_nowhere = await ACMEClient(pki, "roles/web/acme/").post("new-account", {})
    assert stored_nowhere.problem == "serverInternal"
    await pki.role("web", allow_any_name=True, key_type="any")
    await pki.ok("config/acme", allowed_roles=["web"], default_directory_policy="role:web")
    assert (await ACMEClient(pki).register()).status == 201
    await pki.role("other", allow_any_name=True)
    refused = await ACMEClient(pki, "roles/other/acme/").post("new-account", {})
    assert refused.problem == "unauthorized"
    await pki.ok("config/acme", enabled=False)
    off = await ACMEClient(pki).post("new-account", {})
    assert off.status == 403 and off.problem == "unauthorized"


async def test_issuer_directories(acme: ACMEBench) -> None:
    await enable(acme.pki)
    root = await acme.pki.root(issuer_name="second")
    client = ACMEClient(acme.pki, "issuer/second/acme/")
    order = await validated_order(acme, client, ("dns", "localhost"))
    done = await finalize(client, order, csr_der(x509.DNSName("localhost")))
    chain = await client.post(client.relative(done.body["certificate"]))
    leaf = x509.load_pem_x509_certificates(chain.body)[0]
    assert leaf.issuer.rfc4514_string() == "CN=Root CA"
    assert format(leaf.serial_number, "x")  # issued
    assert root["issuer_name"] == "second"
    await acme.pki.ok("config/acme", allowed_issuers=[root["issuer_id"]])
    assert (await ACMEClient(acme.pki).post("new-account", {})).problem == "unauthorized"


async def test_revoke_by_the_account(acme: ACMEBench) -> None:
    client, der, _ = await revocable(acme)
    stranger = ACMEClient(acme.pki)
    await stranger.register()
    refused = await stranger.post("revoke-cert", {"certificate": der})
    assert refused.problem == "unauthorized"
    bad_reason = await client.post("revoke-cert", {"certificate": der, "reason": 7})
    assert bad_reason.problem == "badRevocationReason"
    revoked = await client.post("revoke-cert", {"certificate": der, "reason": 4})
    assert revoked.status == 200
    assert len(await acme.pki.list("certs/revoked")) == 1
    twice = await client.post("revoke-cert", {"certificate": der})
    assert twice.problem == "alreadyRevoked"


async def test_revoke_with_the_certificate_key(acme: ACMEBench) -> None:
    _, der, key = await revocable(acme)
    holder = ACMEClient(acme.pki, key=key)
    revoked = await holder.post("revoke-cert", {"certificate": der}, use_jwk=True)
    assert revoked.status == 200
    other = ACMEClient(acme.pki)
    refused = await other.post("revoke-cert", {"certificate": der}, use_jwk=True)
    assert refused.problem == "unauthorized"


async def test_revoke_by_an_account_holding_authorizations_for_every_name(
    acme: ACMEBench,
) -> None:
    _, der, _ = await revocable(acme)
    prover = ACMEClient(acme.pki)
    await prover.register()
    partial = await validated_order(acme, prover, ("ip", "127.0.0.1"))
    assert (await prover.post(prover.relative(partial.headers["Location"]))).body["status"] == (
        "ready"
    )
    refused = await prover.post("revoke-cert", {"certificate": der})
    assert refused.problem == "unauthorized"  # 127.0.0.1 is not the certificate's name
    await validated_order(acme, prover, ("dns", "localhost"))
    revoked = await prover.post("revoke-cert", {"certificate": der})
    assert revoked.status == 200, revoked.body


async def test_expired_authorizations_start_no_validation(acme: ACMEBench) -> None:
    await enable(acme.pki)
    client = ACMEClient(acme.pki)
    await client.register()
    order = await client.order(("dns", "localhost"))
    authz = await client.post(client.relative(order.body["authorizations"][0]))
    (challenge,) = authz.body["challenges"]
    acme.pki.clock.advance(25 * 3600)
    late = await client.post(client.relative(challenge["url"]), {})
    assert late.body["status"] != "processing", late.body
    await idle(acme.pki)
    expired = await client.post(client.relative(order.body["authorizations"][0]))
    assert expired.body["status"] == "expired"


async def test_addresses_in_dns_identifiers_are_refused(acme: ACMEBench) -> None:
    # getaddrinfo reads all of these as addresses: as `dns` identifiers they would send the
    # validator to private hosts that the `ip` checks (sign-verbatim's, a role's
    # allow_ip_sans) refuse, and put an address in a DNS SAN.
    await enable(acme.pki, default_directory_policy="sign-verbatim")
    await acme.pki.role("web", allow_any_name=True, allow_ip_sans=False, key_type="any")
    for directory in ("acme/", "roles/web/acme/"):
        client = ACMEClient(acme.pki, directory)
        await client.register()
        for value in ("10.0.0.1", "127.1", "2130706433", "0x7f000001", "169.254.169.254"):
            refused = await client.order(("dns", value))
            assert refused.problem == "rejectedIdentifier", (directory, value, refused.body)


async def test_orders_are_private(acme: ACMEBench) -> None:
    await enable(acme.pki)
    client = ACMEClient(acme.pki)
    await client.register()
    order = await client.order(("dns", "localhost"))
    stranger = ACMEClient(acme.pki)
    await stranger.register()
    peek = await stranger.post(client.relative(order.headers["Location"]))
    assert peek.status == 404
    authz = await stranger.post(client.relative(order.body["authorizations"][0]))
    assert authz.status == 404


async def test_another_account_can_touch_nothing(acme: ACMEBench) -> None:
    await enable(acme.pki)
    client = ACMEClient(acme.pki)
    order = await validated_order(acme, client, ("dns", "localhost"))
    authz_url = order.body["authorizations"][0]
    challenge_url = authz_url.replace("/authorization/", "/challenge/") + "/http-01"
    stranger = ACMEClient(acme.pki)
    await stranger.register()
    finalized = await finalize(stranger, order, csr_der(x509.DNSName("localhost")))
    assert finalized.status == 404
    for path, payload in (
        (client.relative(authz_url), {"status": "deactivated"}),
        (client.relative(challenge_url), {}),
        (client.relative(order.headers["Location"]) + "/cert", None),
        (client.relative(client.kid) + "/orders", None),
        (client.relative(client.kid), {"status": "deactivated"}),
    ):
        refused = await stranger.post(path, payload)
        assert refused.status in (403, 404), (path, refused.body)
    # Untouched: the owner finalizes, and still sees its authorization valid.
    assert (await client.post(client.relative(authz_url))).body["status"] == "valid"
    done = await finalize(client, order, csr_der(x509.DNSName("localhost")))
    assert done.body["status"] == "valid"
    stolen = await stranger.post(client.relative(done.body["certificate"]))
    assert stolen.status == 404


async def test_orders_expire(acme: ACMEBench) -> None:
    await enable(acme.pki)
    client = ACMEClient(acme.pki)
    await client.register()
    order = await client.order(("dns", "localhost"))
    acme.pki.clock.advance(25 * 3600)
    expired = await client.post(client.relative(order.headers["Location"]))
    assert expired.body["status"] == "invalid"


def test_problem_documents() -> None:
    problem = Problem("badNonce", "stale")
    assert problem.status == 400
    assert problem.document() == {
        "type": "urn:ietf:params:acme:error:badNonce",
        "detail": "stale",
        "status": 400,
    }
    assert Problem("orderNotReady", "x").status == 403


async def test_sign_verbatim_refuses_local_identifiers(acme: ACMEBench) -> None:
    await enable(acme.pki, default_directory_policy="sign-verbatim")
    client = ACMEClient(acme.pki)
    await client.register()
    for identifier in (
        ("dns", "localhost"),
        ("dns", "db.localdomain"),
        ("ip", "127.0.0.1"),
        ("ip", "10.1.2.3"),
        ("ip", "169.254.169.254"),
        ("ip", "::1"),
    ):
        refused = await client.order(identifier)
        assert refused.problem == "rejectedIdentifier", identifier
    accepted = await client.order(("dns", "www.example.com"), ("ip", "8.8.8.8"))
    assert accepted.status == 201
    assert accepted.body["identifiers"][0] == {"type": "dns", "value": "www.example.com"}


async def test_the_directory_comes_from_the_path_only(acme: ACMEBench) -> None:
    await enable(acme.pki)
    await acme.pki.role("web", allow_any_name=True)
    response = await acme.pki(Operation.READ, "acme/directory", {"role": "web"})
    assert response is not None and response.raw_body is not None
    assert b"/acme/new-order" in response.raw_body
    assert b"roles/web" not in response.raw_body


async def test_deactivating_an_authorization_invalidates_its_order(acme: ACMEBench) -> None:
    await enable(acme.pki)
    client = ACMEClient(acme.pki)
    await client.register()
    order = await client.order(("dns", "localhost"))
    authz_path = client.relative(order.body["authorizations"][0])
    refused = await client.post(authz_path, {"status": "valid"})
    assert refused.problem == "malformed"
    gone = await client.post(authz_path, {"status": "deactivated"})
    assert gone.body["status"] == "deactivated"
    current = await client.post(client.relative(order.headers["Location"]))
    assert current.body["status"] == "invalid"
    missing = await client.post(authz_path.replace("authorization/", "challenge/") + "/dns-01", {})
    assert missing.status == 404


async def test_not_after_within_the_role_max_ttl(acme: ACMEBench) -> None:
    await enable(acme.pki)
    await acme.pki.role(
        "local", allow_localhost=True, allow_ip_sans=True, key_type="any", max_ttl="72h"
    )
    client = ACMEClient(acme.pki)
    await client.register()
    now = acme.pki.clock.now()
    wanted = [{"type": "dns", "value": "localhost"}]
    for refused in (
        {"notBefore": rfc3339(now + 3600)},  # a certificate starts when it is issued
        {"notAfter": rfc3339(now + 100 * 3600)},  # past the role's max_ttl
        {"notAfter": rfc3339(now - 60)},
        {"notAfter": "tomorrow"},
    ):
        answer = await client.post("new-order", {"identifiers": wanted, **refused})
        assert answer.status == 400 and answer.problem == "malformed", refused
    not_after = rfc3339(now + 48 * 3600)
    order = await client.post("new-order", {"identifiers": wanted, "notAfter": not_after})
    assert order.status == 201 and order.body["notAfter"] == not_after
    authz = await client.post(client.relative(order.body["authorizations"][0]))
    (challenge,) = authz.body["challenges"]
    acme.answers[challenge["token"]] = client.key_authorization(challenge["token"])
    await client.post(client.relative(challenge["url"]), {})
    await idle(acme.pki)
    done = await finalize(client, order, csr_der(x509.DNSName("localhost")))
    chain = await client.post(client.relative(done.body["certificate"]))
    leaf = x509.load_pem_x509_certificates(chain.body)[0]
    assert leaf.not_valid_after_utc.timestamp() == int(now) + 48 * 3600


async def test_scoped_addresses_are_refused(acme: ACMEBench) -> None:
    # A zone index names an interface of the validating host, not an address on the network.
    await enable(acme.pki)
    client = ACMEClient(acme.pki)
    await client.register()
    refused = await client.order(("ip", "fe80::1%eth0"))
    assert refused.status == 400 and refused.problem == "rejectedIdentifier", refused.body


async def test_deactivation_only_of_pending_or_valid_authorizations(acme: ACMEBench) -> None:
    await enable(acme.pki)
    client = ACMEClient(acme.pki)
    await client.register()
    order = await client.order(("dns", "localhost"))
    authz_path = client.relative(order.body["authorizations"][0])
    acme.pki.clock.advance(25 * 3600)
    refused = await client.post(authz_path, {"status": "deactivated"})
    assert refused.status == 400 and refused.problem == "malformed", refused.body
    assert (await client.post(authz_path)).body["status"] == "expired"


async def test_identifiers_are_normalised_and_bounded(acme: ACMEBench) -> None:
    await enable(acme.pki)
    client = ACMEClient(acme.pki)
    await client.register()
    merged = await client.order(("dns", "LocalHost"), ("dns", "localhost"), ("ip", "::0001"))
    assert merged.body["identifiers"] == [
        {"type": "dns", "value": "localhost"},
        {"type": "ip", "value": "::1"},
    ]
    assert len(merged.body["authorizations"]) == 2
    for identifiers in (
        [("dns", "localhost.")],  # a trailing dot is refused, not stripped
        [("ip", "localhost")],
        [("dns", "*.localhost")],
        [("ip", "127.0.0.1/8")],
        [("dns", f"n{n}.localhost") for n in range(101)],
    ):
        refused = await client.order(*identifiers)
        assert refused.problem == "rejectedIdentifier", (identifiers[0], refused.body)
    assert (await client.order()).problem == "malformed"
