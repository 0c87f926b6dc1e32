"""Policy text → Policy: HCL, JSON, base64, field validation and error messages.

Expected values follow Vault's `ParseACLPolicy` (OpenBao `internal/vault/policy/policy.go`).
"""

from __future__ import annotations

import base64
import json

import pytest

from strongroom.errors import InvalidParameter
from strongroom.policy import DEFAULT_POLICY, normalize_policy_name, parse_policy

TEAM_HCL = """
# Comments are ignored, as is the policy's own `name`.
name = "ignored"
path "secret/data/team/*" {
  capabilities = ["create", "read", "update", "patch", "delete"]
}
path "/secret/metadata/team/*" { capabilities = ["list", "read"] }
path "transit/keys/*" {
  capabilities        = ["create", "update"]
  allowed_parameters  = { "Auto_Rotate_Period" = ["8h", "24h"], "*" = [] }
  denied_parameters   = { "exportable" = [] }
  required_parameters = ["Type", "type"]
  comment             = "free text"
}
path "auth/approle/role/app/secret-id" {
  capabilities     = ["update"]
  min_wrapping_ttl = "1s"
  max_wrapping_ttl = 90
}
"""

TEAM_JSON = {
    "path": {
        "secret/data/team/*": {"capabilities": ["create", "read", "update", "patch", "delete"]},
        "/secret/metadata/team/*": {"capabilities": ["list", "read"]},
        "transit/keys/*": {
            "capabilities": ["create", "update"],
            "allowed_parameters": {"Auto_Rotate_Period": ["8h", "24h"], "*": []},
            "denied_parameters": {"exportable": []},
            "required_parameters": ["Type", "type"],
            "comment": "free text",
        },
        "auth/approle/role/app/secret-id": {
            "capabilities": ["update"],
            "min_wrapping_ttl": "1s",
            "max_wrapping_ttl": 90,
        },
    }
}


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _b64_wrapped(text: str) -> str:
    """Base64 broken into 60-character lines, as `base64` prints it (Go skips CR and LF)."""
    encoded = _b64(text)
    return "\r\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60))


@pytest.mark.parametrize(
    "text",
    [TEAM_HCL, json.dumps(TEAM_JSON), _b64(TEAM_HCL), _b64_wrapped(json.dumps(TEAM_JSON))],
    ids=["hcl", "json", "base64-hcl", "base64-json-wrapped"],
)
def test_every_encoding_parses_to_the_same_rules(text: str) -> None:
    policy = parse_policy("Team", text)
    assert policy.name == "team"
    paths = [rule.path for rule in policy.rules]
    assert paths == [
        "secret/data/team/*",
        "secret/metadata/team/*",  # one leading "/" is dropped, as Vault does
        "transit/keys/*",
        "auth/approle/role/app/secret-id",
    ]
    transit = policy.rules[2]
    assert transit.capabilities == {"create", "update"}
    assert transit.allowed_parameters == {"auto_rotate_period": ("8h", "24h"), "*": ()}
    assert transit.denied_parameters == {"exportable": ()}
    assert transit.required_parameters == ("type",)
    approle = policy.rules[3]
    assert (approle.min_wrapping_ttl, approle.max_wrapping_ttl) == (1, 90)
    assert not policy.templated


def test_raw_is_the_text_as_written_or_as_decoded_from_base64() -> None:
    assert parse_policy("a", TEAM_HCL).raw == TEAM_HCL
    assert parse_policy("a", _b64(TEAM_HCL)).raw == TEAM_HCL


def test_text_that_is_base64_of_binary_is_parsed_as_it_is() -> None:
    # "QUJD/w==" decodes to bytes that are not UTF-8, so it is not a base64 policy; as HCL it
    # is a syntax error.
    with pytest.raises(InvalidParameter, match="invalid HCL"):
        parse_policy("a", "QUJD/w==")


def test_json_repeated_path_keys_are_all_kept() -> None:
    text = '{"path": {"a": {"capabilities": ["read"]}, "a": {"capabilities": ["list"]}}}'
    rules = parse_policy("p", text).rules
    assert [(r.path, set(r.capabilities)) for r in rules] == [("a", {"read"}), ("a", {"list"})]


def test_json_repeated_path_sections_are_all_kept() -> None:
    text = '{"path": {"a": {"capabilities": ["read"]}}, "path": {"b": {"policy": "read"}}}'
    assert [r.path for r in parse_policy("p", text).rules] == ["a", "b"]


def test_json_path_may_be_a_list_of_maps() -> None:
    text = '{"path": [{"a": {"capabilities": ["read"]}}, {"b": {"policy": "read"}}]}'
    assert [r.path for r in parse_policy("p", text).rules] == ["a", "b"]


def test_hcl_attribute_form_of_path() -> None:
    rules = parse_policy("p", 'path = { "a" = { capabilities = ["read"] } }').rules
    assert [(r.path, set(r.capabilities)) for r in rules] == [("a", {"read"})]


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n", "{}"])
def test_a_policy_without_rules_is_valid(text: str) -> None:
    assert parse_policy("empty", text).rules == ()


@pytest.mark.parametrize(
    ("legacy", "capabilities"),
    [
        ("read", {"read", "list"}),
        ("write", {"create", "read", "update", "delete", "list"}),  # no patch, as in Vault
        ("sudo", {"create", "read", "update", "delete", "list", "sudo"}),
        ("deny", {"deny"}),
    ],
)
def test_legacy_policy_shorthand(legacy: str, capabilities: set[str]) -> None:
    (rule,) = parse_policy("p", f'path "a" {{ policy = "{legacy}" }}').rules
    assert rule.capabilities == capabilities


def test_legacy_policy_adds_to_capabilities() -> None:
    (rule,) = parse_policy("p", 'path "a" { policy = "read"\n capabilities = ["sudo"] }').rules
    assert rule.capabilities == {"read", "list", "sudo"}


def test_deny_leaves_nothing_else() -> None:
    text = """path "a" {
      capabilities = ["read", "deny", "sudo"]
      allowed_parameters = { "x" = [] }
      min_wrapping_ttl = "5s"
    }"""
    (rule,) = parse_policy("p", text).rules
    assert rule.capabilities == {"deny"}
    assert (rule.allowed_parameters, rule.min_wrapping_ttl) == ({}, 0)


def test_enterprise_capabilities_are_accepted_and_grant_nothing() -> None:
    text = 'path "a" { capabilities = ["subscribe", "recover", "read", "scan"] }'
    (rule,) = parse_policy("p", text).rules
    assert rule.capabilities == {"read", "scan"}


def test_parameter_names_equal_but_for_case_are_merged_like_vault() -> None:
    text = """path "a" {
      allowed_parameters = { "Foo" = ["x"], "foo" = ["y"], "Bar" = [], "bar" = ["z"] }
    }"""
    (rule,) = parse_policy("p", text).rules
    assert rule.allowed_parameters == {"foo": ("y", "x"), "bar": ()}


def test_parameter_values_keep_their_types() -> None:
    text = 'path "a" { allowed_parameters = { "n" = [1, 2.5, true, "s*"] } }'
    (rule,) = parse_policy("p", text).rules
    assert rule.allowed_parameters == {"n": (1, 2.5, True, "s*")}


@pytest.mark.parametrize(
    ("path", "templated"),
    [
        ("secret/data/{{identity.entity.id}}/*", True),
        ("a/{{identity.entity.metadata.team}}/{{identity.entity.name}}", True),
        ("secret/plain/*", False),
    ],
)
def test_templated_rules_are_marked(path: str, templated: bool) -> None:
    policy = parse_policy("p", f'path "{path}" {{ capabilities = ["read"] }}')
    assert policy.rules[0].templated is templated
    assert policy.templated is templated
    assert policy.rules[0].path == path


def test_the_default_policy_parses() -> None:
    policy = parse_policy("default", DEFAULT_POLICY)
    paths = {rule.path for rule in policy.rules}
    assert {"auth/token/lookup-self", "cubbyhole/*", "sys/wrapping/unwrap"} <= paths
    assert policy.templated


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('capabilities = ["reed"]', "capabilities[0] is not one of"),
        ("capabilities = [1]", "capabilities[0] must be a string"),
        ('capabilities = "read"', '"capabilities" must be a list'),
        ('policy = "admin"', '"policy" must be one of read, write, sudo or deny'),
        ('min_wrapping_ttl = "soon"', 'invalid duration in "min_wrapping_ttl"'),
        ("max_wrapping_ttl = true", 'invalid duration in "max_wrapping_ttl"'),
        ('min_wrapping_ttl = "1m"\n max_wrapping_ttl = "30s"', "cannot be less than"),
        ('allowed_parameters = ["x"]', '"allowed_parameters" must map parameter names'),
        ('denied_parameters = { "x" = "y" }', '"denied_parameters" values must be lists'),
        ('allowed_parameters = { "x" = [{ a = 1 }] }', "strings, numbers or booleans"),
        ('required_parameters = "x"', '"required_parameters" must be a list'),
        ('control_group = { ttl = "1h" }', 'unsupported key "control_group"'),
        ('expiration = "2030-01-01T00:00:00Z"', 'unsupported key "expiration"'),
        ('mfa_methods = ["m"]', 'unsupported key "mfa_methods"'),
        ('capabilitys = ["read"]', 'unsupported key "capabilitys"'),
    ],
)
def test_invalid_rule_fields(body: str, problem: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse_policy("Ops", f'path "secret/x" {{\n {body}\n}}')
    message = caught.value.message
    assert message.startswith('failed to parse policy "ops": path "secret/x": ')
    assert problem in message


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("secret/+*", "'+*' is forbidden"),
        ("a+*", "'+*' is forbidden"),
        ("secret/{{identity.entity.id}/x", "unbalanced templating characters"),
        ("secret/}}{{identity.entity.id}}", "unbalanced templating characters"),
        ("secret/{{a}}}}", "unbalanced templating characters"),
    ],
)
def test_invalid_patterns(path: str, problem: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse_policy("p", json.dumps({"path": {path: {"capabilities": ["read"]}}}))
    assert problem in caught.value.message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('path "a" { capabilities = ["read"] } garbage', "invalid HCL at line 1"),
        ('path "a" {\n capabilities = [\n', "invalid HCL at line"),
        ('{"path": ', "invalid JSON"),
        ("[1, 2]", "invalid HCL"),
        ('{"path": {"a": {}}, "paths": {}}', 'unsupported top-level key "paths"'),
        ('policy "a" { capabilities = ["read"] }', 'unsupported top-level key "policy"'),
        ('{"path": "a"}', '"path" must map path patterns to rules'),
        ('{"path": {"a": ["read"]}}', "the rule must be a block of settings"),
        ('path { capabilities = ["read"] }', "the rule must be a block of settings"),
        ('path "a" "b" { capabilities = ["read"] }', 'unsupported key "b"'),
    ],
)
def test_invalid_documents(text: str, problem: str) -> None:
    with pytest.raises(InvalidParameter, match=problem):
        parse_policy("p", text)


def test_messages_never_echo_values() -> None:
    secret = "hunter2-very-secret"
    bodies = [
        f'min_wrapping_ttl = "{secret}"',
        f'capabilities = ["{secret}"]',
        f'policy = "{secret}"',
        f'allowed_parameters = {{ "k" = "{secret}" }}',
        f'allowed_parameters = {{ "k" = [{{ v = "{secret}" }}] }}',
    ]
    for body in bodies:
        with pytest.raises(InvalidParameter) as caught:
            parse_policy("p", f'path "a" {{\n {body}\n}}')
        assert secret not in caught.value.message
    with pytest.raises(InvalidParameter) as caught:
        parse_policy("p", f'path "a" {{ capabilities = ["read"] }} "{secret}"')
    assert secret not in caught.value.message


def test_a_long_pattern_is_shortened_in_messages() -> None:
    pattern = "a/" * 200
    with pytest.raises(InvalidParameter) as caught:
        parse_policy("p", json.dumps({"path": {pattern: {"capabilities": ["bogus"]}}}))
    assert len(caught.value.message) < 200
    assert '..."' in caught.value.message


@pytest.mark.parametrize(
    ("name", "normalized"),
    [("Team-A", "team-a"), ("  ops  ", "ops"), ("ROOT", "root"), ("a/b", "a/b")],
)
def test_policy_names_are_trimmed_and_lower_cased(name: str, normalized: str) -> None:
    assert normalize_policy_name(name) == normalized


@pytest.mark.parametrize("name", ["", "   ", "a//b", "/a", "a/", "a/../b", ".", "a\nb"])
def test_invalid_policy_names(name: str) -> None:
    with pytest.raises(InvalidParameter):
        normalize_policy_name(name)
