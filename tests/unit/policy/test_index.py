"""The glob indexes against brute force, and the priority tuple against Vault's rules."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from strongroom.policy.index import (
    PrefixIndex,
    Priority,
    SegmentIndex,
    prefix_priority,
    segment_priority,
)


@dataclass(frozen=True)
class Rule:
    pattern: str
    priority: Priority


text = st.text(alphabet="ab/", max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.sets(text, max_size=12), text)
def test_longest_prefix_is_the_longest_of_all_matching_prefixes(
    prefixes: set[str], path: str
) -> None:
    index = PrefixIndex({p: Rule(p, prefix_priority(p)) for p in prefixes})
    matching = [p for p in prefixes if path.startswith(p)]
    found = index.longest(path)
    if not matching:
        assert found is None
    else:
        assert found is not None and found.pattern == max(matching, key=len)


def test_prefix_index_lists_its_items_in_order() -> None:
    index = PrefixIndex({p: Rule(p, prefix_priority(p)) for p in ("b", "a", "ab")})
    assert [key for key, _ in index.items()] == ["a", "ab", "b"]
    assert len(index) == 3
    assert PrefixIndex[Rule]({}).longest("x") is None


def test_segment_priorities_follow_vaults_documented_order() -> None:
    # first wildcard later > earlier; no trailing * > trailing *; fewer + > more +;
    # longer > shorter; larger string > smaller.
    assert segment_priority("a/b/+") > segment_priority("a/+/b")
    assert segment_priority("a/+/b") > segment_priority("a/+/b*")
    assert segment_priority("a/+/b") > segment_priority("a/+/+")
    assert segment_priority("a/+/bc*") > segment_priority("a/+/b*")
    assert segment_priority("a/+/c") > segment_priority("a/+/b")
    # A prefix rule's first glob is where its prefix ends.
    assert prefix_priority("a/b/") > segment_priority("a/+/b")
    assert prefix_priority("a/") > segment_priority("a/+/*")


def test_segment_index_size_and_miss() -> None:
    index: SegmentIndex[Rule] = SegmentIndex()
    assert len(index) == 0
    index.add("a/+", Rule("a/+", segment_priority("a/+")))
    index.add("+/b*", Rule("+/b*", segment_priority("+/b*")))
    assert len(index) == 2
    assert index.best("c/d/e") is None
    found = index.best("a/bc")
    assert found is not None and found.pattern == "a/+"
