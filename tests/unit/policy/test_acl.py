"""The compiled ACL: matching, priority, merging, parameters, wrapping, LIST, root.

Known-answer tables, with their provenance:
- VAULT_SINGLE and PRIORITY_PAIRS restate OpenBao's `internal/vault/policy/acl_test.go`
  (`TestACL_Single`, `TestACL_SegmentWildcardPriority`), which Vault's acl_test.go shares;
- DOCUMENTED are the examples of the policy docs (openbao.org/docs/concepts/policies);
- LIST_DENY is the regression test of GHSA-xp3c-3jw3-4vcr (OpenBao #3389).
"""

from __future__ import annotations

import functools
from typing import Any

import pytest

from strongroom.errors import InternalError
from strongroom.logical import Operation
from strongroom.policy import ACL, ROOT, compile_acl, parse_policy, sorted_capabilities
from strongroom.policy.model import Policy

C, R, U, P, D, L = (
    Operation.CREATE,
    Operation.READ,
    Operation.UPDATE,
    Operation.PATCH,
    Operation.DELETE,
    Operation.LIST,
)


@functools.cache
def acl_of(*texts: str) -> ACL:
    """The ACL of policies p0, p1, ... with the given texts (ACLs are immutable: cached)."""
    return compile_acl([parse_policy(f"p{i}", text) for i, text in enumerate(texts)])


def rule(path: str, *capabilities: str, extra: str = "") -> str:
    quoted = ", ".join(f'"{c}"' for c in capabilities)
    return f'path "{path}" {{\n  capabilities = [{quoted}]\n  {extra}\n}}\n'


VAULT_SINGLE_POLICY = """
path "dev/*"              { policy = "sudo" }
path "stage/*"            { policy = "write" }
path "stage/aws/*"        { policy = "read"
                            capabilities = ["update", "sudo"] }
path "stage/aws/policy/*" { policy = "sudo" }
path "prod/*"             { policy = "read" }
path "prod/aws/*"         { policy = "deny" }
path "sys/*"              { policy = "deny" }
path "foo/bar"            { capabilities = ["read", "create", "sudo"] }
path "baz/quux"           { capabilities = ["read", "create", "patch"] }
path "test/+/segment"               { capabilities = ["read"] }
path "+/segment/at/front"           { capabilities = ["read"] }
path "test/segment/at/end/+"        { capabilities = ["read"] }
path "test/segment/at/end/v2/+/"    { capabilities = ["read"] }
path "test/+/wildcard/+/*"          { capabilities = ["read"] }
path "test/+/wildcardglob/+/end*"   { capabilities = ["read"] }
path "1/2/*"   { capabilities = ["create"] }
path "1/2/+"   { capabilities = ["read"] }
path "1/2/+/+" { capabilities = ["update"] }
"""

# (operation, path, allowed, sudo on the matched rule)
VAULT_SINGLE = [
    (R, "root", False, False),
    (R, "dev/foo", True, True),
    (U, "dev/foo", True, True),
    (D, "stage/foo", True, False),
    (L, "stage/aws/foo", True, True),
    (U, "stage/aws/foo", True, True),
    (U, "stage/aws/policy/foo", True, True),
    (D, "prod/foo", False, False),
    (U, "prod/foo", False, False),
    (R, "prod/foo", True, False),
    (L, "prod/foo", True, False),
    (R, "prod/aws/foo", False, False),
    (R, "foo/bar", True, True),
    (L, "foo/bar", False, True),
    (U, "foo/bar", False, True),
    (C, "foo/bar", True, True),
    (R, "baz/quux", True, False),
    (C, "baz/quux", True, False),
    (P, "baz/quux", True, False),
    (L, "baz/quux", False, False),
    (U, "baz/quux", False, False),
    (R, "test/foo/bar/segment", False, False),
    (R, "test/foo/segment", True, False),
    (R, "test/bar/segment", True, False),
    (R, "test/segment/at/frond", False, False),
    (R, "test/segment/at/front", True, False),
    (R, "test/segment/at/end/foo", True, False),
    (R, "test/segment/at/end/foo/", False, False),
    (R, "test/segment/at/end/v2/foo/", True, False),
    (R, "test/segment/wildcard/at/foo/", True, False),
    (R, "test/segment/wildcard/at/end", True, False),
    (R, "test/segment/wildcard/at/end/", True, False),
    (R, "1/2/3/4", False, False),
    (R, "1/2/3", True, False),
    (U, "1/2/3", False, False),
    (U, "1/2/3/4", True, False),
    (C, "1/2/3/4/5", True, False),
]


@pytest.mark.parametrize(("operation", "path", "allowed", "sudo"), VAULT_SINGLE)
def test_vault_single_policy_table(
    operation: Operation, path: str, allowed: bool, sudo: bool
) -> None:
    result = acl_of(VAULT_SINGLE_POLICY).check(operation, path)
    assert (result.allowed, result.root_privileges) == (allowed, sudo)


# Two rules match the path; the second is more specific and grants update, the first read.
PRIORITY_PAIRS = [
    ("+/*", "*", "foo/bar/bar/baz"),  # same first glob (0); more + segments loses
    ("+/*", "foo/+/*", "foo/bar/bar/baz"),  # first wildcard earlier loses
    ("foo/+/+/*", "foo/+/bar/baz", "foo/bar/bar/baz"),  # a trailing * loses
    ("foo/+/+/baz", "foo/+/bar/baz", "foo/bar/bar/baz"),  # more + segments loses
    ("foo/+/(ar/baz", "foo/(ar/+/baz", "foo/(ar/(ar/baz"),  # "(" sorts before "+"
    ("foo/bar/+/baz*", "foo/bar/+/baz", "foo/bar/bar/baz"),  # a glob loses to no glob
    ("foo/bar/+/b*", "foo/bar/+/ba*", "foo/bar/bar/baz"),  # shorter loses
    # The docs' example: same first glob, both end in *, "+" segments lose.
    ("secret/+/+/foo/*", "secret/*", "secret/a/b/foo/c"),
    # The same rules, prefix rule against segment rule.
    ("secret/+/*", "secret/*", "secret/a/b"),
    ("secret/*", "secret/a/+", "secret/a/b"),
    ("secret/+/bar*", "secret/*", "secret/x/barn"),  # equal first glob, more + loses
    ("secret/*", "secret/+/bar", "secret/x/bar"),  # no trailing * wins
    ("secret/a*", "secret/ab*", "secret/abc"),  # longest prefix
    ("secret/*", "secret/a/b", "secret/a/b"),  # exact beats every glob
    ("secret/+/b", "secret/a/b", "secret/a/b"),
]


@pytest.mark.parametrize(("weaker", "stronger", "path"), PRIORITY_PAIRS)
def test_priority_of_overlapping_rules(weaker: str, stronger: str, path: str) -> None:
    for texts in [(rule(weaker, "read"), rule(stronger, "update"))] * 2:
        for ordered in (texts, texts[::-1]):
            acl = acl_of(*ordered)
            assert acl.capabilities(path) == {"update"}, (weaker, stronger)
            assert not acl.check(R, path).allowed


DOCUMENTED = [
    ('path "secret/foo" { capabilities = ["read"] }', "secret/foo", True),
    ('path "secret/foo" { capabilities = ["read"] }', "secret/food", False),
    ('path "secret/foo" { capabilities = ["read"] }', "secret/foo/bar", False),
    ('path "secret/bar/*" { capabilities = ["read"] }', "secret/bar/zip", True),
    ('path "secret/bar/*" { capabilities = ["read"] }', "secret/bar/zip/zap", True),
    ('path "secret/bar/*" { capabilities = ["read"] }', "secret/bars/zip", False),
    ('path "secret/zip-*" { capabilities = ["read"] }', "secret/zip-zap", True),
    ('path "secret/zip-*" { capabilities = ["read"] }', "secret/zip-zap/zong", True),
    ('path "secret/zip-*" { capabilities = ["read"] }', "secret/zip/zap", False),
    ('path "secret/+/teamb" { capabilities = ["read"] }', "secret/foo/teamb", True),
    ('path "secret/+/teamb" { capabilities = ["read"] }', "secret/foo/bar/teamb", False),
    ('path "secret/+/+/teamb" { capabilities = ["read"] }', "secret/foo/bar/teamb", True),
    ('path "secret/+/+/teamb" { capabilities = ["read"] }', "secret/bar/foo/teamb", True),
    ('path "secret/+/+/teamb" { capabilities = ["read"] }', "secret/foo/teamb", False),
]


@pytest.mark.parametrize(("text", "path", "allowed"), DOCUMENTED)
def test_documented_examples(text: str, path: str, allowed: bool) -> None:
    assert acl_of(text).check(R, path).allowed is allowed


EDGES = [
    # `+` matches one whole segment, the empty one too (as in Vault); never two.
    ("a/+/c", "a/b/c", True),
    ("a/+/c", "a//c", True),
    ("a/+/c", "a/b/x/c", False),
    ("a/+", "a/", True),
    ("a/+", "a", False),
    ("+", "anything", True),
    ("+", "a/b", False),
    ("+/b/+", "a/b/c", True),
    # `+` inside a segment, `*` inside a path: literal characters.
    ("a/b+c", "a/b+c", True),
    ("a/b+c", "a/bxc", False),
    ("a/+b/c", "a/+b/c", True),
    ("a/+b/c", "a/xb/c", False),
    ("a/*/c", "a/*/c", True),
    ("a/*/c", "a/b/c", False),
    ("a/**", "a/*b", True),
    ("a/**", "a/b", False),
    # `+` and a trailing `*` together.
    ("a/+/b*", "a/x/b", True),
    ("a/+/b*", "a/x/bc/d/e", True),
    ("a/+/b*", "a/x", False),
    ("a/+/*", "a/x/", True),
    ("a/+/*", "a/x", False),
    ("*", "", True),
    ("*", "any/thing", True),
    ("", "", True),
    ("", "a", False),
]


@pytest.mark.parametrize(("pattern", "path", "allowed"), EDGES)
def test_wildcard_edges(pattern: str, path: str, allowed: bool) -> None:
    assert acl_of(rule(pattern, "read")).check(R, path).allowed is allowed


ADVERSARIAL = [
    ("secret/foo", "secret/Foo"),
    ("secret/foo", "SECRET/foo"),
    ("secret/foo", "/secret/foo"),
    ("secret/foo", "secret//foo"),
    ("secret/foo", "secret/./foo"),
    ("secret/foo", "secret/foo "),
    ("secret/foo/*", "secret/foo%2Fbar"),
    ("secret/foo/bar", "secret/foo%2Fbar"),
    ("secret/foo/*", "secret/bar/../foo/x"),
    ("secret/foo/*", "secret/fo"),
    ("secret/foo/*", "secret/foo"),
    ("secret/+/bar", "secret/x%2Fy/bar/z"),
    ("secret/+/bar", "secret/x/y/bar"),
    ("secret/+", "secret/a/b"),
    ("secret/data/*", "secret/Data/x"),
    ("secret/data/*", "secret/datax"),
]


@pytest.mark.parametrize(("pattern", "path"), ADVERSARIAL)
def test_paths_are_matched_as_literal_strings(pattern: str, path: str) -> None:
    acl = acl_of(rule(pattern, "create", "read", "update", "delete", "list", "sudo"))
    assert acl.capabilities(path) == {"deny"}
    for operation in Operation:
        result = acl.check(operation, path)
        assert not result.allowed
        assert not result.root_privileges


def test_a_trailing_slash_only_matters_to_list() -> None:
    acl = acl_of(rule("secret/foo", "create", "read", "update", "delete", "list"))
    for operation in set(Operation) - {L}:
        assert not acl.check(operation, "secret/foo/").allowed
    assert acl.check(L, "secret/foo/").allowed  # Vault's LIST special case


def test_a_glob_on_one_mount_grants_nothing_on_a_neighbour() -> None:
    acl = acl_of(rule("secret/*", "read"))
    assert acl.check(R, "secret/x").allowed
    assert not acl.check(R, "secret2/x").allowed
    assert not acl.check(R, "secre").allowed


MERGING = [
    # Capabilities of the same pattern in two policies are unioned...
    ([rule("a/*", "read"), rule("a/*", "list")], "a/x", {"read", "list"}),
    ([rule("a/+", "read"), rule("a/+", "update")], "a/x", {"read", "update"}),
    ([rule("a", "read"), rule("a", "delete")], "a", {"read", "delete"}),
    # ... and a deny in any of them wins, whatever the order.
    ([rule("a/*", "read"), rule("a/*", "deny")], "a/x", {"deny"}),
    ([rule("a/*", "deny"), rule("a/*", "read")], "a/x", {"deny"}),
    ([rule("a/+/b", "read"), rule("a/+/b", "deny")], "a/x/b", {"deny"}),
    # A deny on a glob does not reach a more specific rule of another policy.
    ([rule("secret/foo", "read"), rule("secret/*", "deny")], "secret/foo", {"read"}),
    ([rule("secret/a/*", "read"), rule("secret/*", "deny")], "secret/a/b", {"read"}),
    ([rule("secret/a/*", "read"), rule("secret/*", "deny")], "secret/b", {"deny"}),
    # Different patterns are never merged: only the winner's capabilities count.
    ([rule("secret/*", "read"), rule("secret/a", "update")], "secret/a", {"update"}),
    # `a/*` (prefix `a/`) and the exact `a/` are different patterns.
    ([rule("a/*", "read"), rule("a/", "update")], "a/", {"update"}),
    ([rule("a/*", "read"), rule("a/", "update")], "a/b", {"read"}),
    # An empty capability list still wins its match, and grants nothing.
    ([rule("secret/*", "read"), rule("secret/a")], "secret/a", {"deny"}),
]


@pytest.mark.parametrize(("texts", "path", "capabilities"), MERGING)
def test_merging(texts: list[str], path: str, capabilities: set[str]) -> None:
    assert acl_of(*texts).capabilities(path) == capabilities
    assert acl_of(*reversed(texts)).capabilities(path) == capabilities


def test_rules_repeated_in_one_policy_are_merged() -> None:
    assert acl_of(rule("a", "read") + rule("a", "list")).capabilities("a") == {"read", "list"}


def test_granting_policies_name_who_granted_the_operation() -> None:
    acl = acl_of(rule("a/*", "read"), rule("a/*", "read", "list"), rule("a/*", "update"))
    assert acl.check(R, "a/x").granting_policies == ["p0", "p1"]
    assert acl.check(L, "a/").granting_policies == ["p1"]
    assert acl.check(D, "a/x").granting_policies == []


PARAMETER_POLICY = """
path "dev/*"        { capabilities = ["create", "read", "update", "patch"]
                      allowed_parameters = { "zip" = [] } }
path "broken/phone" { capabilities = ["create", "read", "update", "patch"]
                      allowed_parameters = { "steve" = [] }
                      denied_parameters  = { "steve" = [] } }
path "hello/world"  { capabilities = ["create", "read", "update", "patch"]
                      allowed_parameters = { "*" = [] }
                      denied_parameters  = { "*" = [] } }
path "tree/fort"    { capabilities = ["create", "read", "update", "patch"]
                      allowed_parameters = { "*" = [] }
                      denied_parameters  = { "foo" = [] } }
path "fruit/apple"  { capabilities = ["create", "read", "update", "patch"]
                      allowed_parameters = { "pear" = [] }
                      denied_parameters  = { "*" = [] } }
path "cold/weather" { capabilities = ["create", "read", "update", "patch"]
                      allowed_parameters = {}
                      denied_parameters  = {} }
path "var/aws"      { capabilities = ["create", "read", "update", "patch"]
                      allowed_parameters = { "*" = [] }
                      denied_parameters  = { "soft" = [], "warm" = [], "kitty" = [] } }
path "var/req"      { capabilities = ["create", "read", "update", "patch"]
                      required_parameters = ["foo"] }
path "foo/bar"      { capabilities = ["create", "read", "update", "patch"]
                      denied_parameters  = { "deny" = ["bad*"] } }
path "foo/baz"      { capabilities = ["create", "read", "update", "patch"]
                      allowed_parameters = { "ALLOW" = ["good"] }
                      denied_parameters  = { "dEny" = ["bad"] } }
path "fizz/buzz"    { capabilities = ["create", "read", "update", "patch"]
                      allowed_parameters = { "allow_multi" = ["good", "good1", "good2", "*good3"],
                                             "allow" = ["good"] }
                      denied_parameters  = { "deny_multi" = ["bad", "bad1", "bad2"] } }
path "test/types"   { capabilities = ["create", "read", "update", "patch"]
                      allowed_parameters = { "int" = [1, 2], "bool" = [false], "s" = ["1*"] } }
path "test/star"    { capabilities = ["create", "read", "update", "patch"]
                      allowed_parameters = { "*" = [], "foo" = [], "bar" = [false] } }
path "test/globs"   { capabilities = ["create", "read", "update", "patch"]
                      allowed_parameters = { "g" = ["*mid*", "pre*", "*suf", "*"] } }
"""

# (path, request data, allowed) — after OpenBao's permissionsPolicy / valuePermissionsPolicy.
PARAMETERS: list[tuple[str, dict[str, Any], bool]] = [
    ("dev/ops", {"zip": ""}, True),
    ("dev/ops", {"zap": ""}, False),
    ("dev/ops", {}, True),
    ("broken/phone", {"steve": ""}, False),
    ("hello/world", {"one": ""}, False),
    ("hello/world", {}, True),
    ("tree/fort", {"one": ""}, True),
    ("tree/fort", {"foo": ""}, False),
    ("tree/fort", {"FOO": ""}, False),
    ("fruit/apple", {"pear": ""}, False),
    ("cold/weather", {"four": ""}, True),
    ("var/aws", {"cold": "", "warm": "", "kitty": ""}, False),
    ("var/req", {"cold": "", "warm": ""}, False),
    ("var/req", {"cold": "", "foo": ""}, True),
    ("var/req", {"FOO": ""}, False),  # required names are matched against keys as sent
    ("var/req", {}, False),
    ("foo/bar", {"deny": "bad"}, False),
    ("foo/bar", {"deny": "bad glob"}, False),
    ("foo/bar", {"deny": "good"}, True),
    ("foo/bar", {"allow": "good"}, True),
    ("foo/bar", {"deny": None}, True),
    ("foo/baz", {"aLLow": "good"}, True),
    ("foo/baz", {"deny": "bad"}, False),
    ("foo/baz", {"deny": "good"}, False),
    ("foo/baz", {"allow": "good", "deny": "bad"}, False),
    ("foo/baz", {"aLLow": "bad"}, False),
    ("foo/baz", {"Neither": "bad"}, False),
    ("foo/baz", {"allow": None}, False),
    ("foo/baz", {"allow": ["good"]}, False),
    ("fizz/buzz", {"allow_multi": "good1"}, True),
    ("fizz/buzz", {"allow_multi": "glob good2"}, False),
    ("fizz/buzz", {"allow_multi": "glob good3"}, True),
    ("fizz/buzz", {"allow_multi": "bad"}, False),
    ("fizz/buzz", {"allow_multi": "good1", "allow": "good"}, True),
    ("fizz/buzz", {"deny_multi": "bad2"}, False),
    ("fizz/buzz", {"deny_multi": "good", "allow_multi": "good2"}, False),
    ("test/types", {"int": 1}, True),
    ("test/types", {"int": "2"}, True),  # compared as strings
    ("test/types", {"int": 2.0}, True),
    ("test/types", {"int": 3}, False),
    ("test/types", {"bool": False}, True),
    ("test/types", {"bool": "false"}, True),
    ("test/types", {"bool": True}, False),
    ("test/types", {"s": 15}, True),  # "15" matches "1*"
    ("test/types", {"s": 25}, False),
    ("test/types", {"int": {"a": 1}}, False),
    ("test/star", {"anything": True}, True),
    ("test/star", {"foo": True}, True),
    ("test/star", {"bar": False}, True),
    ("test/star", {"bar": True}, False),
    ("test/globs", {"g": "xxmidxx"}, True),
    ("test/globs", {"g": "prefix"}, True),
    ("test/globs", {"g": "the suf"}, True),
    ("test/globs", {"g": "*"}, True),  # a lone "*" matches only itself
    ("test/globs", {"g": "other"}, False),
]


@pytest.mark.parametrize(("path", "data", "allowed"), PARAMETERS)
def test_parameter_constraints(path: str, data: dict[str, Any], allowed: bool) -> None:
    acl = acl_of(PARAMETER_POLICY)
    for operation in (C, U, P, R):
        assert acl.check(operation, path, data).allowed is allowed, operation


def test_parameters_are_not_checked_on_delete_or_list() -> None:
    acl = acl_of(rule("a/*", "delete", "list", extra='required_parameters = ["x"]'))
    assert acl.check(D, "a/b", {"y": 1}).allowed
    assert acl.check(L, "a/", {"y": 1}).allowed


MERGED_PARAMETERS = [
    # (two rule bodies for the same pattern, data, allowed)
    ('allowed_parameters = { "a" = [] }', "", {"b": 1}, False),  # a constraint is inherited
    (
        'allowed_parameters = { "a" = ["1"] }',
        'allowed_parameters = { "a" = ["2"] }',
        {"a": 2},
        True,
    ),
    ('allowed_parameters = { "a" = ["1"] }', 'allowed_parameters = { "a" = [] }', {"a": 9}, True),
    ('allowed_parameters = { "a" = [] }', 'allowed_parameters = { "*" = [] }', {"b": 9}, True),
    ('denied_parameters = { "a" = ["1"] }', 'denied_parameters = { "a" = [] }', {"a": 9}, False),
    ('denied_parameters = { "a" = [] }', 'denied_parameters = { "*" = [] }', {"b": 1}, False),
    ('required_parameters = ["a"]', 'required_parameters = ["b"]', {"a": 1}, False),
    ('required_parameters = ["a"]', 'required_parameters = ["b"]', {"a": 1, "b": 2}, True),
]


@pytest.mark.parametrize(("first", "second", "data", "allowed"), MERGED_PARAMETERS)
def test_parameter_constraints_merge(
    first: str, second: str, data: dict[str, Any], allowed: bool
) -> None:
    texts = (rule("a", "update", extra=first), rule("a", "update", extra=second))
    assert acl_of(*texts).check(U, "a", data).allowed is allowed
    assert acl_of(*reversed(texts)).check(U, "a", data).allowed is allowed


WRAPPING = [
    # (rule settings, wrap_ttl, allowed)
    ("", 0, True),
    ("", 30, True),
    ('min_wrapping_ttl = "1s"', 0, False),  # a minimum forces wrapping
    ('min_wrapping_ttl = "1s"', 1, True),
    ('min_wrapping_ttl = "5m"', 299, False),
    ('min_wrapping_ttl = "5m"', 300, True),
    ('max_wrapping_ttl = "90s"', 0, False),  # so does a maximum, in Vault's code
    ('max_wrapping_ttl = "90s"', 90, True),
    ('max_wrapping_ttl = "90s"', 91, False),
    ("min_wrapping_ttl = 300\n max_wrapping_ttl = 400", 50, False),
    ("min_wrapping_ttl = 300\n max_wrapping_ttl = 400", 350, True),
    ("min_wrapping_ttl = 300\n max_wrapping_ttl = 400", 450, False),
]


@pytest.mark.parametrize(("settings", "wrap_ttl", "allowed"), WRAPPING)
def test_wrapping_ttl_bounds(settings: str, wrap_ttl: int, allowed: bool) -> None:
    acl = acl_of(rule("a", "read", "list", extra=settings))
    assert acl.check(R, "a", wrap_ttl=wrap_ttl).allowed is allowed
    assert acl.check(L, "a/", wrap_ttl=wrap_ttl).allowed is allowed


def test_merged_wrapping_bounds_keep_the_smallest_and_may_contradict() -> None:
    first = rule("a", "read", extra="min_wrapping_ttl = 100\n max_wrapping_ttl = 300")
    second = rule("a", "read", extra="min_wrapping_ttl = 50\n max_wrapping_ttl = 200")
    acl = acl_of(first, second)
    assert [acl.check(R, "a", wrap_ttl=t).allowed for t in (49, 50, 200, 201)] == [
        False,
        True,
        True,
        False,
    ]
    # min 400 from one policy, max 300 from the other: nothing can satisfy both.
    third = rule("a", "read", extra="min_wrapping_ttl = 400")
    fourth = rule("a", "read", extra="max_wrapping_ttl = 300")
    assert not any(acl_of(third, fourth).check(R, "a", wrap_ttl=t).allowed for t in (300, 400))


LIST_CASES = [
    # (rules, LIST path, allowed)
    (rule("secret/*", "list"), "secret/", True),
    (rule("secret/*", "list"), "secret/foo/", True),
    (rule("secret/*", "list"), "secrets/", False),
    (rule("secret/foo", "list"), "secret/foo/", True),  # the trailing / is dropped for LIST
    (rule("secret/foo/", "list"), "secret/foo/", True),
    (rule("secret/foo", "list"), "secret/foo", True),
    (rule("secret/+", "list"), "secret/foo/", True),  # ...for glob rules too
    (rule("secret/+", "list"), "secret/", True),  # + matches the empty last segment
    (rule("secret/+/x", "list"), "secret/a/x/", True),
    (rule("secret/+/x", "list"), "secret/a/", False),
    # An exact rule for the slash-less path wins over a glob.
    (rule("secret/*", "list") + rule("secret/foo", "deny"), "secret/foo/", False),
    (rule("secret/*", "deny") + rule("secret/foo", "list"), "secret/foo/", True),
    # A glob matching the path with its slash outranks one matching only without it.
    (rule("secret/+", "deny") + rule("secret/*", "list"), "secret/foo/", True),
]


@pytest.mark.parametrize(("text", "path", "allowed"), LIST_CASES)
def test_list_special_cases(text: str, path: str, allowed: bool) -> None:
    assert acl_of(text).check(L, path).allowed is allowed


def test_the_slashless_fallback_is_for_list_only() -> None:
    acl = acl_of(rule("secret/foo", "read", "list") + rule("secret/+", "read"))
    assert not acl.check(R, "secret/foo/").allowed
    assert not acl.check(R, "secret/bar/").allowed
    assert acl.check(L, "secret/bar/").allowed is False  # secret/+ grants no list


LIST_DENY_POLICY = (
    rule("foo/metadata/*", "list")
    + rule("foo/metadata/private/*", "deny")
    + rule("foo/metadata/private/granted/*", "list")
)
LIST_DENY = [
    ("foo/", False),
    ("foo/metadata/", True),
    ("foo/metadata/test/", True),
    ("foo/metadata/private/", False),  # Vault's order let this one through
    ("foo/metadata/private/internal/", False),
    ("foo/metadata/private/granted/", True),
    ("foo/metadata/private/granted/test/", True),
]


@pytest.mark.parametrize(("path", "allowed"), LIST_DENY)
def test_list_respects_a_deny_on_a_more_specific_glob(path: str, allowed: bool) -> None:
    assert acl_of(LIST_DENY_POLICY).check(L, path).allowed is allowed


def test_capabilities_answer_like_a_list_lookup() -> None:
    acl = acl_of(rule("secret/foo", "read", "sudo") + rule("secret/*", "list"))
    assert acl.capabilities("secret/foo") == {"read", "sudo"}
    assert acl.capabilities("secret/foo/") == {"read", "sudo"}
    assert acl.capabilities("secret/bar") == {"list"}
    assert acl.capabilities("elsewhere") == {"deny"}


@pytest.mark.parametrize(
    ("capabilities", "ordered"),
    [
        (
            {"create", "read", "sudo", "list", "patch", "delete", "update", "scan"},
            ["sudo", "read", "list", "update", "delete", "create", "patch", "scan"],
        ),
        ({"deny"}, ["deny"]),
        (set(), ["deny"]),
        ({"root"}, ["root"]),
    ],
)
def test_sorted_capabilities_in_vaults_order(capabilities: set[str], ordered: list[str]) -> None:
    assert sorted_capabilities(frozenset(capabilities)) == ordered


def test_sudo_and_the_allows_shortcut() -> None:
    acl = acl_of(rule("sys/audit/*", "update", "sudo") + rule("sys/mounts/*", "update"))
    assert acl.check(U, "sys/audit/file").root_privileges
    assert acl.allows(U, "sys/audit/file", sudo=True)
    assert acl.allows(U, "sys/mounts/kv")
    assert not acl.allows(U, "sys/mounts/kv", sudo=True)
    assert not acl.allows(R, "sys/audit/file", sudo=True)
    # sudo is reported for the matched rule even when the operation is denied
    assert acl.check(R, "sys/audit/file").root_privileges


def test_revoke_and_renew_need_update() -> None:
    acl = acl_of(rule("a/*", "update") + rule("b/*", "read"))
    for operation in (Operation.REVOKE, Operation.RENEW):
        assert acl.check(operation, "a/x").allowed
        assert not acl.check(operation, "b/x").allowed


def test_the_root_acl_allows_everything() -> None:
    for operation in Operation:
        result = ROOT.check(operation, "sys/raw/anything", {"x": 1}, wrap_ttl=0)
        assert result.allowed and result.root_privileges and result.is_root
        assert result.granting_policies == ["root"]
    assert ROOT.capabilities("any/path") == {"root"}
    assert ROOT.allows(D, "sys/seal", sudo=True)
    assert ROOT.resultant() == {"root": True}
    assert ROOT.is_root and not acl_of(rule("a", "sudo")).is_root


def test_an_empty_acl_denies_everything() -> None:
    acl = compile_acl([])
    result = acl.check(R, "a")
    assert (result.allowed, set(result.capabilities)) == (False, {"deny"})
    assert acl.resultant() == {"exact_paths": {}, "glob_paths": {}, "root": False}


def test_the_root_policy_cannot_be_compiled() -> None:
    with pytest.raises(InternalError):
        compile_acl([Policy(name="root", raw="", rules=())])


def test_templated_rules_match_nothing_yet() -> None:
    acl = acl_of(rule("secret/{{identity.entity.id}}/*", "read") + rule("other", "read"))
    assert acl.capabilities("secret/{{identity.entity.id}}/x") == {"deny"}
    assert acl.check(R, "other").allowed


def test_resultant_acl_shape() -> None:
    text = (
        rule("secret/data/*", "read", "list", extra='allowed_parameters = { "v" = [1] }')
        + rule("secret/data/x", "deny")
        + rule("secret/+/y", "read")
        + rule("auth/a", "update", extra='min_wrapping_ttl = "1s"\n max_wrapping_ttl = "1m"')
        + rule("auth/b", "update", extra='denied_parameters = { "k" = [] }')
        + rule("auth/c", "update", extra='required_parameters = ["r"]')
    )
    assert acl_of(text).resultant() == {
        "exact_paths": {
            "auth/a": {"capabilities": ["update"], "min_wrapping_ttl": 1, "max_wrapping_ttl": 60},
            "auth/b": {"capabilities": ["update"], "denied_parameters": {"k": []}},
            "auth/c": {"capabilities": ["update"], "required_parameters": ["r"]},
            "secret/data/x": {"capabilities": ["deny"]},
        },
        "glob_paths": {
            "secret/data/": {"capabilities": ["list", "read"], "allowed_parameters": {"v": [1]}},
        },
        "root": False,
    }


def test_mount_access_counts_any_rule_under_the_mount() -> None:
    acl = compile_acl(
        [
            parse_policy("a", 'path "kv/data/*" { capabilities = ["read"] }'),
            parse_policy("b", 'path "other/x" { capabilities = ["deny"] }'),
        ]
    )
    assert acl.has_access_under("kv/")
    assert not acl.has_access_under("other/")
    assert not acl.has_access_under("elsewhere/")
