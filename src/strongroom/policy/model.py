"""Parsed ACL policies: a named list of path rules, each a pattern and what it grants.

A rule's pattern is one of three kinds, decided exactly as Vault decides it (`policy.go`):

- *segment* when it contains a `+` segment wildcard: the pattern is `+`, starts with `+/`, or
  contains `/+`. Such a pattern may also end in `*`, a prefix glob on its last segment;
- otherwise *prefix* when it ends in `*` (the `*` is stripped: `secret/*` is the prefix
  `secret/`);
- otherwise *exact*.

A `*` anywhere but at the end, and a `+` that is not a whole segment, are literal characters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

# Capabilities a rule can grant. `scan` is OpenBao's recursive list; no operation needs it yet,
# but a Bao policy that names it keeps it (and `sys/capabilities` reports it, as Bao does).
DENY = "deny"
SUDO = "sudo"
ROOT_POLICY = "root"  # the built-in policy, and the one capability `sys/capabilities` gives root
GRANTS = frozenset({"create", "read", "update", "patch", "delete", "list", "sudo", "scan"})
# Vault Enterprise capabilities: accepted so its policies load, and granting nothing here.
IGNORED_CAPABILITIES = frozenset({"subscribe", "recover"})

# The order `sys/capabilities` (Vault's ACL.Capabilities) lists capabilities in.
CAPABILITY_ORDER = ("sudo", "read", "list", "update", "delete", "create", "patch", "scan")

ParameterValue = str | int | float | bool
ParameterMap = Mapping[str, tuple[ParameterValue, ...]]


def sorted_capabilities(capabilities: frozenset[str]) -> list[str]:
    """Capabilities in the order Vault's `sys/capabilities` answers with them."""
    if ROOT_POLICY in capabilities or DENY in capabilities:
        return [ROOT_POLICY] if ROOT_POLICY in capabilities else [DENY]
    ordered = [name for name in CAPABILITY_ORDER if name in capabilities]
    return ordered or [DENY]


class PatternKind(Enum):
    EXACT = "exact"
    PREFIX = "prefix"
    SEGMENT = "segment"


def classify(pattern: str) -> tuple[PatternKind, str]:
    """The kind of a rule pattern and the key it is merged and indexed under.

    Exact and segment patterns are keyed by themselves; a prefix pattern by the prefix without
    its trailing `*`. Rules of different policies with the same kind and key are merged.
    """
    if pattern == "+" or pattern.startswith("+/") or "/+" in pattern:
        return PatternKind.SEGMENT, pattern
    if pattern.endswith("*"):
        return PatternKind.PREFIX, pattern[:-1]
    return PatternKind.EXACT, pattern


@dataclass(frozen=True, slots=True)
class PathRule:
    """One `path "<pattern>" { ... }` stanza, validated.

    `capabilities` holds only `deny` when the stanza denies. Parameter keys are lower-cased, as
    Vault compares them; an empty parameter map means "no constraint". A templated rule (its
    pattern holds `{{identity...}}`) is kept as written and grants nothing until identity
    templating exists: Vault drops a rule whose template cannot be resolved, and with no entity
    none can.
    """

    path: str
    capabilities: frozenset[str]
    allowed_parameters: ParameterMap = field(default_factory=dict)
    denied_parameters: ParameterMap = field(default_factory=dict)
    required_parameters: tuple[str, ...] = ()
    min_wrapping_ttl: int = 0
    max_wrapping_ttl: int = 0
    templated: bool = False


@dataclass(frozen=True, slots=True)
class Policy:
    """A named ACL policy. `raw` is the text it was parsed from (base64 already decoded)."""

    name: str
    raw: str
    rules: tuple[PathRule, ...]

    @property
    def templated(self) -> bool:
        return any(rule.templated for rule in self.rules)


def merge_values(
    existing: tuple[ParameterValue, ...] | None, new: tuple[ParameterValue, ...]
) -> tuple[ParameterValue, ...]:
    """Vault's merge of two value lists for one parameter: an empty list (any value) wins."""
    if existing is None:
        return new
    if not existing or not new:
        return ()
    return new + existing
