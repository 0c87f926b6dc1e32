"""A role's `cn_validations`: the API of the field, what each value lets a common name be, and
(Hypothesis) that only `disabled` ever lets through a common name the default refuses, and
only as OpenBao does: a common name that is not copied into the SANs."""

from __future__ import annotations

import orjson
import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from hypothesis import given
from hypothesis import strategies as st
from pki_helpers import PKI, cert, csr, san

from strongroom.engines.pki import build_pki_backend
from strongroom.engines.pki.issuance import add_common_name, check_names
from strongroom.engines.pki.names import dns_shaped
from strongroom.engines.pki.roles import Role
from strongroom.engines.pki.sans import Requested
from strongroom.errors import InvalidParameter
from strongroom.logical import Operation
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock

EMAIL = ["email"]
HOSTNAME = ["hostname"]
DISABLED = ["disabled"]


def common_name_of(pem: str) -> str:
    (attribute,) = cert(pem).subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attribute.value)


async def issuing(pki: PKI, cn_validations: list[str], **settings: object) -> PKI:
    await pki.root()
    await pki.role(
        "r",
        allowed_domains="example.com",
        allow_bare_domains=True,
        allow_subdomains=True,
        cn_validations=cn_validations,
        **settings,
    )
    return pki


async def test_default_written_read_and_canonical(pki: PKI) -> None:
    assert (await pki.role("r"))["cn_validations"] == ["email", "hostname"]
    assert (await pki.role("r", cn_validations="Hostname,EMAIL"))["cn_validations"] == [
        "hostname",
        "email",
    ]
    patched = await pki.ok("roles/r", Operation.PATCH, cn_validations=["disabled"])
    assert patched["cn_validations"] == DISABLED
    assert (await pki.read("roles/r"))["cn_validations"] == DISABLED
    assert (await pki.ok("roles/r", Operation.PATCH, ttl="1h"))["cn_validations"] == DISABLED
    assert (await pki.role("r", cn_validations=[]))["cn_validations"] == ["email", "hostname"]


@pytest.mark.parametrize(
    "values",
    [["s3cr3t"], ["email", "email"], ["disabled", "email"], ["hostname", "disabled"]],
)
async def test_invalid_values_are_refused(pki: PKI, values: list[str]) -> None:
    error = await pki.fails("roles/r", cn_validations=values)
    assert isinstance(error, InvalidParameter) and "cn_validations" in error.message
    assert "s3cr3t" not in error.message
    await pki.role("r")
    error = await pki.fails("roles/r", Operation.PATCH, cn_validations=values)
    assert isinstance(error, InvalidParameter)


async def test_role_stored_before_the_field_gets_the_default(
    storage: InmemBackend, clock: FakeClock
) -> None:
    await PKI(build_pki_backend(storage, clock), storage, clock).role("old", cn_validations="email")
    stored = orjson.loads(await storage.get("role/old") or b"")
    del stored["cn_validations"]
    await storage.put("role/old", orjson.dumps(stored))
    fresh = PKI(build_pki_backend(storage, clock), storage, clock)
    assert (await fresh.read("roles/old"))["cn_validations"] == ["email", "hostname"]


@pytest.mark.parametrize(
    ("cn_validations", "common_name", "allowed"),
    [
        (["email", "hostname"], "www.example.com", True),
        (["email", "hostname"], "alice@example.com", True),
        (HOSTNAME, "www.example.com", True),
        (HOSTNAME, "alice@example.com", False),
        (EMAIL, "alice@example.com", True),
        (EMAIL, "alice@mail.example.com", True),  # subdomains of an email's domain
        (EMAIL, "www.example.com", False),
        (EMAIL, "alice@elsewhere.test", False),  # an email's domain is still matched
        (EMAIL, "elsewhere.test", False),
        (HOSTNAME, "elsewhere.test", False),
    ],
)
async def test_what_each_value_allows(
    pki: PKI, cn_validations: list[str], common_name: str, allowed: bool
) -> None:
    await issuing(pki, cn_validations)
    if allowed:
        issued = await pki.ok("issue/r", common_name=common_name)
        assert common_name_of(issued["certificate"]) == common_name
    else:
        error = await pki.fails("issue/r", common_name=common_name)
        assert isinstance(error, InvalidParameter)
        assert f"common name {common_name} not allowed" in error.message


async def test_the_kind_is_checked_even_when_any_name_is_allowed(pki: PKI) -> None:
    await issuing(pki, EMAIL, allow_any_name=True)
    assert await pki.ok("issue/r", common_name="bob@anywhere.test")
    error = await pki.fails("issue/r", common_name="anywhere.test", exclude_cn_from_sans=True)
    assert "cn_validations does not allow a hostname" in error.message


async def test_enforce_hostnames_still_applies_to_the_common_name(pki: PKI) -> None:
    await issuing(pki, HOSTNAME, allow_any_name=True)
    error = await pki.fails("issue/r", common_name="not_a_host.test")
    assert "not a valid hostname" in error.message


async def test_a_csr_common_name_is_checked_the_same_way(pki: PKI) -> None:
    await issuing(pki, EMAIL, use_csr_common_name=True)
    error = await pki.fails("sign/r", csr=csr("www.example.com"))
    assert "cn_validations does not allow a hostname" in error.message
    signed = await pki.ok("sign/r", csr=csr("alice@example.com"))
    assert common_name_of(signed["certificate"]) == "alice@example.com"


async def test_disabled_allows_a_common_name_that_is_neither(pki: PKI) -> None:
    await issuing(pki, DISABLED)
    issued = await pki.ok("issue/r", common_name="Build Agent 7 (Zürich)")
    certificate = cert(issued["certificate"])
    assert common_name_of(issued["certificate"]) == "Build Agent 7 (Zürich)"
    with pytest.raises(x509.ExtensionNotFound):
        san(certificate)


@pytest.mark.parametrize(
    "common_name",
    [
        "elsewhere.test",
        "*.elsewhere.test",
        "mallory@elsewhere.test",
        "www.elsewhere.test.",  # a trailing dot: still a DNS name to OpenBao
        "WWW.Example.COM",  # not canonical: a SAN must be lower case
        "münchen.example.com",  # an IDN: Vault copies its punycode into the SANs
        "🦊.elsewhere.test",
    ],
)
async def test_disabled_still_checks_what_is_copied_into_the_sans(
    pki: PKI, common_name: str
) -> None:
    await issuing(pki, DISABLED)
    error = await pki.fails("issue/r", common_name=common_name)
    assert isinstance(error, InvalidParameter)


async def test_disabled_does_not_apply_allowed_domains_to_an_excluded_common_name(
    pki: PKI,
) -> None:
    # OpenBao's rule, kept on purpose: with `disabled` the common name itself is never
    # checked, so a name left out of the SANs may be anything.
    await issuing(pki, DISABLED)
    issued = await pki.ok("issue/r", common_name="elsewhere.test", exclude_cn_from_sans=True)
    assert common_name_of(issued["certificate"]) == "elsewhere.test"
    with pytest.raises(x509.ExtensionNotFound):
        san(cert(issued["certificate"]))
    inside = await pki.ok("issue/r", common_name="www.example.com")
    assert san(cert(inside["certificate"])).get_values_for_type(x509.DNSName) == ["www.example.com"]


async def test_a_common_name_too_long_for_a_certificate_is_refused(pki: PKI) -> None:
    await issuing(pki, DISABLED)
    error = await pki.fails("issue/r", common_name="Agent " * 11)
    assert isinstance(error, InvalidParameter) and "common_name" in error.message
    await pki.role("any", allow_any_name=True)
    error = await pki.fails("issue/any", common_name="a" * 60 + ".example.com")
    assert isinstance(error, InvalidParameter) and "common_name" in error.message


@pytest.mark.parametrize(
    ("common_name", "shaped"),
    [
        ("www.example.com", True),
        ("*.example.com", True),
        ("WWW.Example.COM", True),
        ("www.example.com.", True),
        ("münchen.example.com", True),
        ("\ud800.example.com", True),  # punycode encodes any code point
        ("Build Agent 7", False),
        ("a..b", False),
        ("alice@example.com", False),
        ("under_score.test", False),
    ],
)
def test_what_vault_copies_into_the_dns_sans(common_name: str, shaped: bool) -> None:
    assert dns_shaped(common_name) is shaped


def accepted(role: Role, common_name: str, exclude: bool) -> bool:
    requested = Requested()
    add_common_name(requested, common_name, exclude)
    try:
        check_names(role, common_name, requested, "", "API")
    except InvalidParameter:
        return False
    return True


NAME = st.text(st.sampled_from("abcxyzEXAMPLEcom.-@*_ é🦊"), min_size=1, max_size=24)
RULES = st.fixed_dictionaries(
    {
        "allowed_domains": st.sampled_from([["example.com"], ["*.com"], []]),
        "allow_bare_domains": st.booleans(),
        "allow_subdomains": st.booleans(),
        "allow_glob_domains": st.booleans(),
        "allow_any_name": st.booleans(),
        "enforce_hostnames": st.booleans(),
        "allow_localhost": st.booleans(),
    }
)
NAMES_TO_TRY = st.one_of(
    NAME,
    st.sampled_from(["example.com", "a.example.com", "b@example.com", "localhost", "*.x.com"]),
)


@given(NAMES_TO_TRY, RULES, st.booleans())
def test_only_disabled_widens_and_only_for_names_kept_out_of_the_sans(
    common_name: str, rules: dict[str, object], exclude: bool
) -> None:
    default = Role(name="r", **rules)  # type: ignore[arg-type]
    by_default = accepted(default, common_name, exclude)
    for narrower in (EMAIL, HOSTNAME):
        if accepted(default.with_changes(cn_validations=narrower), common_name, exclude):
            assert by_default
    if accepted(default.with_changes(cn_validations=DISABLED), common_name, exclude):
        copied = not exclude and ("@" in common_name or dns_shaped(common_name))
        assert by_default or not copied
