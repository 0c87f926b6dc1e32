"""The shared token fields: parsing, Vault's deprecated-field upgrade rule, reads, `Auth`."""

from __future__ import annotations

from typing import Any

import pytest

from strongroom.auth.method import parse_cidrs
from strongroom.auth.token_fields import (
    TokenSettings,
    parse_token_fields,
    render_token_fields,
    to_auth,
    token_field_table,
)
from strongroom.errors import InvalidParameter
from strongroom.framework import FieldData
from strongroom.logical.cidrs import address_allowed, is_subset

DEPRECATED = ("policies", "ttl", "max_ttl", "bound_cidrs", "period")
TABLE = token_field_table(DEPRECATED)


def parse(settings: TokenSettings | None = None, **raw: Any) -> TokenSettings:
    return parse_token_fields(settings or TokenSettings(), FieldData(raw, TABLE), DEPRECATED)


def test_every_field_parses_in_vaults_spellings() -> None:
    settings = parse(
        token_policies="a, B,,",
        token_ttl="1h",
        token_max_ttl=7200,
        token_explicit_max_ttl="3h",
        token_period="0",
        token_bound_cidrs="10.0.0.0/8, 127.0.0.1",
        token_no_default_policy="true",
        token_num_uses="3",
        token_type="service",
    )
    assert settings.token_policies == ("a", "B")  # kept as written; the token store sanitizes
    assert (settings.token_ttl, settings.token_max_ttl) == (3600, 7200)
    assert settings.token_explicit_max_ttl == 10800
    assert settings.token_bound_cidrs == ("10.0.0.0/8", "127.0.0.1")
    assert settings.token_no_default_policy is True and settings.token_num_uses == 3
    assert settings.token_type == "service"
    assert settings.policies == () and settings.ttl == 0  # nothing deprecated was sent


def test_unsent_fields_keep_their_values() -> None:
    first = parse(token_ttl=60, token_policies=["a"])
    assert parse(first, token_num_uses=2) == TokenSettings(
        token_ttl=60, token_policies=("a",), token_num_uses=2
    )
    assert parse(first, token_policies="").token_policies == ()  # an empty value clears


def test_deprecated_fields_follow_vaults_upgrade_rule() -> None:
    old = parse(policies="B,a,a", ttl=60)
    assert (old.policies, old.token_policies) == (("a", "b"), ("a", "b"))
    assert (old.ttl, old.token_ttl) == (60, 60)
    new = parse(old, token_policies="c")
    assert (new.policies, new.token_policies) == ((), ("c",))
    assert new.ttl == 60  # untouched: only the sent field was upgraded
    both = parse(old, token_policies="d", policies="e")
    assert (both.policies, both.token_policies) == (("d",), ("d",))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"token_type": "bogus"}, "invalid 'token_type' value"),
        ({"token_type": "batch", "token_period": 60}, "periodic"),
        ({"token_type": "batch", "token_num_uses": 2}, "limited use count"),
        ({"token_ttl": "2h", "token_max_ttl": "1h"}, "cannot be greater"),
        ({"token_num_uses": -1}, "cannot be negative"),
        ({"token_bound_cidrs": "not-a-cidr"}, "'token_bound_cidrs'"),
        ({"token_ttl": -5}, "'token_ttl'"),
    ],
)
def test_invalid_values_are_refused_without_echoing_them(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse(**raw)
    assert message in caught.value.message
    assert "bogus" not in caught.value.message and "not-a-cidr" not in caught.value.message


def test_default_aliases_only_where_asked() -> None:
    data = FieldData({"token_type": "default-batch"}, TABLE)
    assert parse_token_fields(TokenSettings(), data, type_aliases=True).token_type == "batch"
    with pytest.raises(InvalidParameter):
        parse_token_fields(TokenSettings(), data)


def test_render_shows_deprecated_fields_only_while_set() -> None:
    data = render_token_fields(parse(token_policies="a", token_bound_cidrs="10.0.0.1/32"))
    assert data == {
        "token_bound_cidrs": ["10.0.0.1"],
        "token_explicit_max_ttl": 0,
        "token_max_ttl": 0,
        "token_no_default_policy": False,
        "token_num_uses": 0,
        "token_period": 0,
        "token_policies": ["a"],
        "token_ttl": 0,
        "token_type": "default",
    }
    old = render_token_fields(parse(policies="x", max_ttl=90, bound_cidrs="10.0.0.0/8"))
    assert old["policies"] == ["x"] and old["max_ttl"] == 90
    assert old["bound_cidrs"] == ["10.0.0.0/8"] and "ttl" not in old


def test_to_auth_asks_for_the_token_the_settings_describe() -> None:
    settings = parse(
        token_policies="a",
        token_ttl=60,
        token_period=30,
        token_num_uses=2,
        token_explicit_max_ttl=600,
        token_bound_cidrs="10.0.0.0/8",
        token_no_default_policy=True,
    )
    auth = to_auth(settings, display_name="bob", metadata={"username": "bob"})
    assert auth.client_token == "" and auth.renewable
    assert auth.token_policies == ["a"] and auth.metadata == {"username": "bob"}
    assert (auth.lease_duration, auth.period, auth.num_uses) == (60, 30, 2)
    assert auth.explicit_max_ttl == 600 and auth.bound_cidrs == ["10.0.0.0/8"]
    assert auth.no_default_policy and auth.display_name == "bob"
    override = to_auth(settings, display_name="x", metadata={}, bound_cidrs=["127.0.0.1"])
    assert override.bound_cidrs == ["127.0.0.1"]


def test_to_auth_caps_the_ttl_by_the_max_ttl_and_batch_by_explicit_max() -> None:
    # Without a TTL the mount's default applies, within max_ttl (the core caps it there).
    unset = to_auth(parse(token_max_ttl=300), display_name="", metadata={})
    assert (unset.lease_duration, unset.max_ttl) == (0, 300)
    capped = to_auth(TokenSettings(token_ttl=60, token_max_ttl=30), display_name="", metadata={})
    assert capped.lease_duration == 30
    batch = to_auth(
        parse(token_type="batch", token_explicit_max_ttl=120), display_name="", metadata={}
    )
    assert (batch.lease_duration, batch.explicit_max_ttl, batch.token_type) == (120, 0, "batch")


def test_record_round_trip() -> None:
    settings = parse(token_policies="a", bound_cidrs="10.0.0.0/8")
    assert TokenSettings.from_record(settings.to_record()) == settings
    assert TokenSettings.from_record({"token_ttl": 5, "unknown": 1}) == TokenSettings(token_ttl=5)


def test_cidr_helpers() -> None:
    assert parse_cidrs(["10.1.2.3/8", "::1", "192.168.0.1/32"], "f") == (
        "10.0.0.0/8",
        "::1",
        "192.168.0.1",
    )
    assert address_allowed((), "anything")
    assert address_allowed(("10.0.0.0/8",), "10.9.9.9")
    assert not address_allowed(("10.0.0.0/8",), "127.0.0.1")
    assert not address_allowed(("10.0.0.0/8",), "")  # no address: fails closed
    assert is_subset(["10.1.0.0/16", "10.2.3.4"], ["10.0.0.0/8"])
    assert not is_subset(["10.0.0.0/7"], ["10.0.0.0/8"])
    assert not is_subset(["::1"], ["10.0.0.0/8"])
    assert is_subset(["::1"], [])
