"""Parameter values: how they are compared (`canonical`) and globbed (`glob_match`).

`glob_match` restates go-secure-stdlib's `strutil.GlobbedStringsMatch`.
"""

from __future__ import annotations

import pytest

from strongroom.policy.parameters import canonical, glob_match


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("s", "s"),
        ("", ""),
        (1, "1"),
        (-7, "-7"),
        (2.0, "2"),
        (2.5, "2.5"),
        (1e20, "100000000000000000000"),
        (float("inf"), "inf"),
        (True, "true"),
        (False, "false"),
        (None, None),
        ([1], None),
        ({"a": 1}, None),
    ],
)
def test_canonical(value: object, text: str | None) -> None:
    assert canonical(value) == text


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("", "", True),
        ("", "a", False),
        ("*", "*", True),  # shorter than two characters: compared as is
        ("*", "anything", False),
        ("a", "a", True),
        ("**", "", True),
        ("**", "x", True),
        ("*mid*", "a mid b", True),
        ("*mid*", "mi d", False),
        ("pre*", "prefix", True),
        ("pre*", "apre", False),
        ("*suf", "a suf", True),
        ("*suf", "sufa", False),
        ("a*b", "a*b", True),  # an inner * is literal
        ("a*b", "axb", False),
    ],
)
def test_glob_match(pattern: str, value: str, matches: bool) -> None:
    assert glob_match(pattern, value) is matches
