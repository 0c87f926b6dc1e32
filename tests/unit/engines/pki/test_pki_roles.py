"""Roles: the API of `roles/:name`, and properties of the name matcher (Hypothesis)."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pki_helpers import PKI

from strongroom.engines.pki.names import NameRefused, NameRules, check_name, glob_match
from strongroom.errors import InvalidParameter, NotFound
from strongroom.logical import Operation, Request

LABEL = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12)
DOMAIN = st.lists(LABEL, min_size=2, max_size=4).map(".".join)
SUBDOMAINS = NameRules(allowed_domains=("example.com",), allow_subdomains=True)


async def test_role_write_read_patch_list_delete(pki: PKI) -> None:
    written = await pki.ok("roles/web", allowed_domains="example.com,example.org", key_type="ec")
    assert written["allowed_domains"] == ["example.com", "example.org"]
    assert written["key_bits"] == 256 and written["ttl"] == 0
    assert written["key_usage"] == ["DigitalSignature", "KeyAgreement", "KeyEncipherment"]
    assert written["allow_localhost"] is True and written["enforce_hostnames"] is True
    patched = await pki.ok("roles/web", Operation.PATCH, max_ttl="2h", ttl="1h")
    assert patched["max_ttl"] == 7200 and patched["allowed_domains"] == [
        "example.com",
        "example.org",
    ]
    replaced = await pki.ok("roles/web", allow_any_name=True)
    assert replaced["allowed_domains"] == [] and replaced["key_type"] == "rsa"
    assert replaced["key_bits"] == 2048
    assert await pki.list("roles") == ["web"]
    await pki.no_content(Operation.DELETE, "roles/web", {})
    assert isinstance(await pki.fails("roles/web", Operation.READ), NotFound)
    assert "unknown role" in (await pki.fails("issue/web", common_name="a.test")).message


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"key_type": "dsa"}, "key_type"),
        ({"key_type": "rsa", "key_bits": 1024}, "key_bits"),
        ({"key_type": "ec", "key_bits": 224}, "key_bits"),
        ({"ttl": "2h", "max_ttl": "1h"}, "max_ttl"),
        ({"key_usage": "s3cr3t"}, "key_usage"),
        ({"ext_key_usage": "s3cr3t"}, "ext_key_usage"),
        ({"policy_identifiers": "not-an-oid"}, "policy_identifiers"),
    ],
)
async def test_role_refuses_invalid_settings(
    pki: PKI, settings: dict[str, str], problem: str
) -> None:
    error = await pki.fails("roles/bad", **settings)
    assert isinstance(error, InvalidParameter) and problem in error.message
    assert "s3cr3t" not in error.message


async def test_allowed_domains_template(pki: PKI) -> None:
    await pki.root()
    await pki.role(
        "mine",
        allowed_domains="{{identity.entity.id}}.users.test",
        allowed_domains_template=True,
        allow_bare_domains=True,
    )
    request = Request(Operation.UPDATE, "issue/mine", {"common_name": "abc.users.test"})
    request.entity_id = "abc"
    response = await pki.backend.handle(request)
    assert response is not None and response.data is not None
    error = await pki.fails("issue/mine", common_name="abc.users.test")  # no entity
    assert "not allowed" in error.message


@given(DOMAIN)
def test_subdomains_of_allowed_are_allowed(prefix: str) -> None:
    check_name(SUBDOMAINS, f"{prefix}.example.com")


@given(DOMAIN)
def test_names_outside_the_allowed_domain_are_refused(name: str) -> None:
    if name == "example.com" or name.endswith(".example.com"):
        return
    with pytest.raises(NameRefused):
        check_name(SUBDOMAINS, name)


@given(LABEL, st.sampled_from(["*", "*x", "x*", "x*y"]))
def test_wildcards_never_cover_partial_or_inner_labels(label: str, wildcard: str) -> None:
    rules = NameRules(
        allowed_domains=("example.com",), allow_subdomains=True, allow_glob_domains=True
    )
    check_name(rules, "*.example.com")
    if wildcard != "*":
        with pytest.raises(NameRefused):
            check_name(rules, f"{wildcard}.example.com")
    with pytest.raises(NameRefused):
        check_name(rules, f"{label}.{wildcard}.example.com")


@given(DOMAIN, st.sampled_from([".", "X", "\u00fc", "\u0000", "..", "_"]))
def test_tricks_are_refused_even_with_any_name(name: str, trick: str) -> None:
    rules = NameRules(allow_any_name=True)
    check_name(rules, name)
    inner = name.replace(".", trick, 1) if trick != "." else name.replace(".", "..", 1)
    for tricked in (name + trick, trick + name, inner):
        with pytest.raises(NameRefused):
            check_name(rules, tricked)


@given(st.text(min_size=0, max_size=20), st.text(min_size=0, max_size=20))
def test_glob_without_star_is_equality_and_star_matches_everything(a: str, b: str) -> None:
    plain = a.replace("*", "")
    assert glob_match(plain, b) == (plain == b)
    assert glob_match("*", b)
    assert glob_match(f"{plain}*", plain + b)
    assert glob_match(f"*{plain}", b + plain)


def test_bare_and_local_names() -> None:
    bare = NameRules(
        allowed_domains=("example.com",), allow_bare_domains=True, allow_localhost=False
    )
    check_name(bare, "example.com")
    check_name(bare, "ops@example.com")
    for refused in ("a.example.com", "localhost", "*.example.com", "xexample.com"):
        with pytest.raises(NameRefused):
            check_name(bare, refused)
    check_name(NameRules(), "localhost")
    with pytest.raises(NameRefused):
        check_name(NameRules(), "a.localhost")
    check_name(NameRules(allow_subdomains=True), "a.localhost")
