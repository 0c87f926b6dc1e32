"""Indexes of the glob rules of a compiled ACL, so a lookup never scans every rule.

Vault keeps prefix rules in a radix tree and asks it for the longest prefix of the path; it
keeps `+` rules in a map and tries every one of them on every request. Here:

- `PrefixIndex` is a sorted list of prefixes, each linked to its longest stored prefix. The
  longest prefix of a path is one binary search (in C) and a short walk up those links.
- `SegmentIndex` is a trie of pattern segments with one wildcard edge per node. A lookup walks
  the path's segments, following the literal edge and the `+` edge, so it only visits rules
  whose leading segments can still match.

When several glob rules match, the one with the highest `Priority` wins. The tuple orders them
as Vault's `CheckAllowedFromNonExactPaths` sorts them (later is stronger, compared in order):
the position of the first `+` or `*`; not ending in `*`; fewer `+` segments; longer; larger
string. For a prefix rule the first glob is at the end of the prefix.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from typing import Generic, Protocol, TypeVar

Priority = tuple[int, int, int, int, str]


class Ranked(Protocol):
    """A compiled rule: indexes compare rules by their priority."""

    @property
    def priority(self) -> Priority: ...


T = TypeVar("T", bound=Ranked)


def prefix_priority(prefix: str) -> Priority:
    """The priority of the prefix rule `<prefix>*`."""
    return (len(prefix), 0, 0, len(prefix), prefix)


def segment_priority(pattern: str) -> Priority:
    """The priority of a pattern with `+` segments (and perhaps a trailing `*`).

    Like Vault, the first-wildcard position is the first `+` character of the pattern, even
    when that `+` is part of a longer, literal segment.
    """
    is_prefix = pattern.endswith("*")
    body = pattern[:-1] if is_prefix else pattern
    wildcards = body.split("/").count("+")
    return (pattern.find("+"), 0 if is_prefix else 1, -wildcards, len(body), body)


class PrefixIndex(Generic[T]):
    """Prefix rules, found by the longest prefix of a path.

    The prefixes are kept sorted, each with a link to its parent: the longest other stored
    prefix that is a prefix of it. Built with one pass and a stack, since in sorted order the
    keys a key prefixes follow it directly.
    """

    def __init__(self, entries: Mapping[str, T]) -> None:
        self._keys = sorted(entries)
        self._values = dict(entries)
        self._parents: dict[str, str | None] = {}
        chain: list[str] = []
        for key in self._keys:
            while chain and not key.startswith(chain[-1]):
                chain.pop()
            self._parents[key] = chain[-1] if chain else None
            chain.append(key)

    def __len__(self) -> int:
        return len(self._keys)

    def items(self) -> list[tuple[str, T]]:
        """(prefix, value) pairs in prefix order."""
        return [(key, self._values[key]) for key in self._keys]

    def longest(self, path: str) -> T | None:
        """The value of the longest stored prefix of `path`.

        Let c be the largest key <= path. Every stored prefix k of the path is <= path, so
        k <= c; and every string between k and the path starts with k, so c does: k is c or
        one of c's ancestors. The answer is therefore the first of c, parent(c), ... that is
        a prefix of the path: one binary search and a short walk up the chain.
        """
        index = bisect_right(self._keys, path)
        key = self._keys[index - 1] if index else None
        while key is not None and not path.startswith(key):
            key = self._parents[key]
        return None if key is None else self._values[key]


class _Node(Generic[T]):
    __slots__ = ("children", "exact", "partials", "plus")

    def __init__(self) -> None:
        self.children: dict[str, _Node[T]] = {}
        self.plus: _Node[T] | None = None
        # A pattern without a trailing `*` that ends at this node.
        self.exact: T | None = None
        # Patterns `.../<partial>*` whose complete segments end at this node.
        self.partials: list[tuple[str, T]] = []


class SegmentIndex(Generic[T]):
    """Patterns with `+` segments, matched segment by segment as Vault matches them.

    A `+` matches any one segment, the empty one included (Vault's behaviour: `foo/+` matches
    `foo/`). A trailing `*` makes the last pattern segment a prefix of the path's segment at
    that position, and lets the path go on with more segments.
    """

    def __init__(self) -> None:
        self._root: _Node[T] = _Node()
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def add(self, pattern: str, value: T) -> None:
        is_prefix = pattern.endswith("*")
        segments = (pattern[:-1] if is_prefix else pattern).split("/")
        complete = segments[:-1] if is_prefix else segments
        node = self._root
        for segment in complete:
            node = self._child(node, segment)
        if is_prefix:
            node.partials.append((segments[-1], value))
        else:
            node.exact = value
        self._size += 1

    @staticmethod
    def _child(node: _Node[T], segment: str) -> _Node[T]:
        if segment == "+":
            if node.plus is None:
                node.plus = _Node()
            return node.plus
        child = node.children.get(segment)
        if child is None:
            child = node.children[segment] = _Node()
        return child

    def best(self, path: str) -> T | None:
        """The highest-priority pattern matching `path`."""
        parts = path.split("/")
        depth_limit = len(parts)
        best: T | None = None
        stack = [(self._root, 0)]
        while stack:
            node, depth = stack.pop()
            if depth == depth_limit:
                if node.exact is not None:
                    best = _stronger(best, node.exact)
                continue
            segment = parts[depth]
            for partial, value in node.partials:
                if segment.startswith(partial):
                    best = _stronger(best, value)
            child = node.children.get(segment)
            if child is not None:
                stack.append((child, depth + 1))
            if node.plus is not None:
                stack.append((node.plus, depth + 1))
        return best


def _stronger(current: T | None, other: T) -> T:
    return other if current is None or other.priority > current.priority else current
