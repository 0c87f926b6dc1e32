"""Hypothesis properties of the compiled ACL, against a slow reference written differently.

The reference turns each pattern into a regular expression and picks the winning rule by
sorting every match with a comparison function that spells out the documented priority rules
one by one; the ACL under test uses a sorted prefix list, a segment trie and priority tuples.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from strongroom.logical import Operation
from strongroom.policy import ACL, compile_acl
from strongroom.policy.model import PathRule, Policy

FAST = settings(max_examples=200, deadline=None)
HEAVY = settings(max_examples=80, deadline=None)  # several policies per example
GRANTS = ("create", "read", "update", "delete", "list", "sudo")
NON_LIST = (Operation.CREATE, Operation.READ, Operation.UPDATE, Operation.DELETE)

# Small alphabets so that patterns and paths often collide.
pattern_segments = st.sampled_from(["a", "b", "ab", "+", "a+", ""])
path_segments = st.sampled_from(["a", "b", "ab", "abc", "a+", "+", "A", "%2F", ""])


@st.composite
def patterns(draw: st.DrawFn) -> str:
    body = "/".join(draw(st.lists(pattern_segments, min_size=1, max_size=4)))
    star = draw(st.booleans()) and not body.endswith("+")  # "+*" is refused by the parser
    return body + "*" if star else body


paths = st.lists(path_segments, min_size=1, max_size=5).map("/".join)


def is_segment_pattern(pattern: str) -> bool:
    return pattern == "+" or pattern.startswith("+/") or "/+" in pattern


def reference_regex(pattern: str) -> re.Pattern[str]:
    """The set of paths a pattern matches, as a regular expression."""
    if not is_segment_pattern(pattern):
        if pattern.endswith("*"):
            return re.compile(re.escape(pattern[:-1]) + ".*", re.DOTALL)
        return re.compile(re.escape(pattern), re.DOTALL)
    glob = pattern.endswith("*")
    body = pattern[:-1] if glob else pattern
    parts = ["[^/]*" if part == "+" else re.escape(part) for part in body.split("/")]
    return re.compile("/".join(parts) + (".*" if glob else ""), re.DOTALL)


def reference_matches(pattern: str, path: str) -> bool:
    return reference_regex(pattern).fullmatch(path) is not None


def _documented_order(p1: str, p2: str) -> int:
    """-1 when p1 has the lower priority, by the five documented rules, in order."""

    def first_wildcard(p: str) -> int:
        return p.find("+") if is_segment_pattern(p) else len(p) - 1

    def plus_segments(p: str) -> int:
        return p.rstrip("*").split("/").count("+") if is_segment_pattern(p) else 0

    comparisons = [
        (first_wildcard(p1), first_wildcard(p2)),  # 1. earlier first wildcard loses
        (not p1.endswith("*"), not p2.endswith("*")),  # 2. ending in * loses
        (-plus_segments(p1), -plus_segments(p2)),  # 3. more + segments loses
        (len(p1.rstrip("*")), len(p2.rstrip("*"))),  # 4. shorter loses
        (p1.rstrip("*"), p2.rstrip("*")),  # 5. lexicographically smaller loses
    ]
    for left, right in comparisons:
        if left != right:
            return -1 if left < right else 1  # type: ignore[operator]
    return 0


def reference_winner(patterns_: Sequence[str], path: str) -> str | None:
    exact = [p for p in patterns_ if not is_segment_pattern(p) and not p.endswith("*")]
    if path in exact:
        return path
    globs = [p for p in patterns_ if p not in exact and reference_matches(p, path)]
    if not globs:
        return None
    return max(globs, key=functools.cmp_to_key(_documented_order))


def policy(name: str, rules: Sequence[tuple[str, frozenset[str]]]) -> Policy:
    return Policy(name, "", tuple(PathRule(path=p, capabilities=c) for p, c in rules))


capability_sets = st.frozensets(st.sampled_from(GRANTS), min_size=1)
rule_lists = st.lists(st.tuples(patterns(), capability_sets), max_size=6, unique_by=lambda r: r[0])


@FAST
@given(patterns(), capability_sets, paths)
def test_a_rule_grants_nothing_outside_its_pattern(
    pattern: str, capabilities: frozenset[str], path: str
) -> None:
    acl = compile_acl([policy("p", [(pattern, capabilities)])])
    matched = reference_matches(pattern, path)
    for operation in NON_LIST:
        result = acl.check(operation, path)
        assert result.allowed == (matched and operation.value in capabilities)
        assert result.root_privileges == (matched and "sudo" in capabilities)


@FAST
@given(rule_lists, paths)
def test_the_most_specific_rule_alone_decides(
    rules: list[tuple[str, frozenset[str]]], path: str
) -> None:
    acl = compile_acl([policy("p", rules)])
    winner = reference_winner([p for p, _ in rules], path)
    expected = dict(rules)[winner] if winner is not None else frozenset({"deny"})
    for operation in NON_LIST:
        assert acl.check(operation, path).allowed == (operation.value in expected)


@FAST
@given(rule_lists, paths)
def test_list_falls_back_to_the_path_without_its_slash(
    rules: list[tuple[str, frozenset[str]]], path: str
) -> None:
    path = path.rstrip("/") + "/"
    acl = compile_acl([policy("p", rules)])
    patterns_ = [p for p, _ in rules]
    exact = {p for p in patterns_ if not is_segment_pattern(p) and not p.endswith("*")}
    # exact with slash, exact without, glob with slash, glob without: the first that exists.
    if path in exact or path[:-1] in exact:
        winner: str | None = path if path in exact else path[:-1]
    else:
        winner = reference_winner(patterns_, path) or reference_winner(patterns_, path[:-1])
    granted = winner is not None and "list" in dict(rules)[winner]
    assert acl.check(Operation.LIST, path).allowed == granted


policy_sets = st.lists(rule_lists, min_size=1, max_size=4)


def _compile(policies: Sequence[list[tuple[str, frozenset[str]]]]) -> ACL:
    return compile_acl([policy(f"p{i}", rules) for i, rules in enumerate(policies)])


@HEAVY
@given(policy_sets, patterns(), st.lists(paths, min_size=1, max_size=8))
def test_adding_a_deny_rule_never_adds_a_capability(
    policies: list[list[tuple[str, frozenset[str]]]], denied: str, probes: list[str]
) -> None:
    before = _compile(policies)
    after = _compile([*policies, [(denied, frozenset({"deny"}))]])
    for path in probes:
        assert after.capabilities(path) - {"deny"} <= before.capabilities(path)
        for operation in Operation:
            if after.check(operation, path).allowed:
                assert before.check(operation, path).allowed


@HEAVY
@given(policy_sets, st.randoms(use_true_random=False), st.lists(paths, min_size=1, max_size=8))
def test_policy_order_does_not_matter(
    policies: list[list[tuple[str, frozenset[str]]]], rng: random.Random, probes: list[str]
) -> None:
    named = [policy(f"p{i}", rules) for i, rules in enumerate(policies)]
    shuffled = list(named)
    rng.shuffle(shuffled)
    one, other = compile_acl(named), compile_acl(shuffled)
    assert one.resultant() == other.resultant()
    for path in probes:
        assert one.capabilities(path) == other.capabilities(path)
        for operation in Operation:
            assert one.check(operation, path) == other.check(operation, path)
