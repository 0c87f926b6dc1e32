"""The compiled ACL of a set of policies, and the check made on every request.

Compiling (`compile_acl`) merges the rules of all policies that share a pattern, as Vault's
`NewACL` does: capabilities are unioned; a `deny` in any of them makes the pattern deny and
nothing else; parameter lists are merged (an empty list, "any value", wins); required
parameters are unioned; for wrapping TTLs the smallest non-zero min and max are kept.

Looking a path up (`ACL._lookup`) picks ONE merged rule, and only its capabilities count:

1. an exact pattern equal to the path;
2. for LIST, an exact pattern equal to the path without its trailing `/` (`foo` covers
   `LIST foo/`);
3. the highest-priority glob rule matching the path (`index.py`: longest `*` prefix, and `+`
   patterns, ranked by Vault's priority rules);
4. for LIST, the highest-priority glob rule matching the path without its trailing `/`.

Steps 3 and 4 are in OpenBao's order since its fix for GHSA-xp3c-3jw3-4vcr. Vault tries 4
before 3, so `path "kv/*" {list}` plus `path "kv/private/*" {deny}` let `LIST kv/private/`
through (the slash-less `kv/private` matches only `kv/*`). Here the deny holds.

Paths are matched as the literal strings they are: no case folding, no unescaping, no
normalisation. The caller normalises a request path once, for the ACL and routing alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from strongroom.errors import InternalError
from strongroom.logical import Operation
from strongroom.policy.index import (
    PrefixIndex,
    Priority,
    SegmentIndex,
    prefix_priority,
    segment_priority,
)
from strongroom.policy.model import (
    DENY,
    ROOT_POLICY,
    SUDO,
    ParameterValue,
    PathRule,
    PatternKind,
    Policy,
    classify,
    merge_values,
)
from strongroom.policy.parameters import NO_CONSTRAINTS, ParameterRules

# The capability each operation needs (HEAD needs read). Vault checks revoke and renew (sent
# by the lease manager, not by clients) against `update`.
_REQUIRED_CAPABILITY: Mapping[Operation, str] = {
    Operation.CREATE: "create",
    Operation.READ: "read",
    Operation.UPDATE: "update",
    Operation.PATCH: "patch",
    Operation.DELETE: "delete",
    Operation.LIST: "list",
    Operation.HEADER: "read",
    Operation.REVOKE: "update",
    Operation.RENEW: "update",
}
# Vault checks parameter constraints on these (read too: GET query parameters are request data).
_PARAMETER_OPERATIONS = frozenset(
    {Operation.READ, Operation.CREATE, Operation.UPDATE, Operation.PATCH}
)
# The order `sys/internal/ui/resultant-acl` lists capabilities in.
_RESULTANT_ORDER = ("create", "delete", "list", "read", "sudo", "update", "patch", "scan")
_DENIED = frozenset({DENY})


class ACLResult(NamedTuple):
    """The outcome of one check. `root_privileges`: the matched rule grants `sudo`.

    `capabilities` are those of the matched rule (`{"deny"}` when it grants nothing or
    nothing matched); `granting_policies` name the policies that granted the operation. A
    named tuple rather than a frozen dataclass: it is built on every request, and costs less
    than half as much to build.
    """

    allowed: bool
    root_privileges: bool
    capabilities: frozenset[str]
    granting_policies: list[str]
    is_root: bool = False


class _Permissions:
    """The merged rule of one pattern, immutable once compiled."""

    __slots__ = (
        "capabilities",
        "granting",
        "max_wrapping_ttl",
        "min_wrapping_ttl",
        "parameters",
        "pattern",
        "priority",
        "raw_parameters",
    )

    def __init__(self, merged: _Merge, priority: Priority) -> None:
        self.pattern = merged.pattern
        self.priority = priority
        denied = DENY in merged.capabilities
        self.capabilities = _DENIED if denied else frozenset(merged.capabilities)
        self.granting = {cap: tuple(sorted(names)) for cap, names in merged.granting.items()}
        self.min_wrapping_ttl = merged.min_wrapping_ttl
        self.max_wrapping_ttl = merged.max_wrapping_ttl
        self.raw_parameters = (merged.allowed, merged.denied, tuple(merged.required))
        rules = ParameterRules.build(*self.raw_parameters)
        self.parameters = NO_CONSTRAINTS if rules.empty else rules

    @property
    def shown_capabilities(self) -> frozenset[str]:
        return self.capabilities or _DENIED

    def wrapping_permits(self, wrap_ttl: int) -> bool:
        """Vault's wrapping bounds: a min or a max makes wrapping mandatory."""
        low, high = self.min_wrapping_ttl, self.max_wrapping_ttl
        if high and (wrap_ttl <= 0 or wrap_ttl > high):
            return False
        if low and (wrap_ttl <= 0 or wrap_ttl < low):
            return False
        return not (low and high and high < low)

    def describe(self) -> dict[str, Any]:
        """This rule as `sys/internal/ui/resultant-acl` shows it."""
        shown = [cap for cap in _RESULTANT_ORDER if cap in self.capabilities]
        described: dict[str, Any] = {"capabilities": shown if shown else [DENY]}
        if self.min_wrapping_ttl:
            described["min_wrapping_ttl"] = self.min_wrapping_ttl
        if self.max_wrapping_ttl:
            described["max_wrapping_ttl"] = self.max_wrapping_ttl
        allowed, denied, required = self.raw_parameters
        for key, values in (("allowed_parameters", allowed), ("denied_parameters", denied)):
            if values:
                described[key] = {name: list(v) for name, v in values.items()}
        if required:
            described["required_parameters"] = list(required)
        return described


class _Merge:
    """The rules of several policies for one pattern, merged as Vault's `NewACL` merges them."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._clear()

    def _clear(self) -> None:
        self.capabilities: set[str] = set()
        self.granting: dict[str, set[str]] = {}
        self.allowed: dict[str, tuple[ParameterValue, ...]] = {}
        self.denied: dict[str, tuple[ParameterValue, ...]] = {}
        self.required: list[str] = []
        self.min_wrapping_ttl = 0
        self.max_wrapping_ttl = 0

    def add(self, policy: str, rule: PathRule) -> None:
        if DENY in self.capabilities:
            return
        if DENY in rule.capabilities:
            # Deny is all that is left of the pattern, whatever was merged before.
            self._clear()
            self.capabilities.add(DENY)
            return
        self.capabilities |= rule.capabilities
        for capability in rule.capabilities:
            self.granting.setdefault(capability, set()).add(policy)
        self.min_wrapping_ttl = _smallest_set(self.min_wrapping_ttl, rule.min_wrapping_ttl)
        self.max_wrapping_ttl = _smallest_set(self.max_wrapping_ttl, rule.max_wrapping_ttl)
        _merge_parameters(self.allowed, rule.allowed_parameters)
        _merge_parameters(self.denied, rule.denied_parameters)
        self.required.extend(p for p in rule.required_parameters if p not in self.required)


def _smallest_set(current: int, new: int) -> int:
    return new if new and (not current or new < current) else current


def _merge_parameters(
    into: dict[str, tuple[ParameterValue, ...]], new: Mapping[str, tuple[ParameterValue, ...]]
) -> None:
    for name, values in new.items():
        into[name] = merge_values(into.get(name), values)


class ACL:
    """The compiled rules of a token's policies. Immutable, so one instance serves every
    request of a policy set. Build one with `compile_acl`, or use `ROOT`."""

    __slots__ = ("_exact", "_prefixes", "_root", "_segments")

    def __init__(
        self,
        *,
        exact: Mapping[str, _Permissions],
        prefixes: PrefixIndex[_Permissions],
        segments: SegmentIndex[_Permissions],
        root: bool = False,
    ) -> None:
        self._exact = dict(exact)
        self._prefixes = prefixes
        self._segments = segments
        self._root = root

    @property
    def is_root(self) -> bool:
        return self._root

    def capabilities(self, path: str) -> frozenset[str]:
        """What `sys/capabilities` answers for `path`: `{"root"}` for root, else the matched
        rule's capabilities, `{"deny"}` when it grants nothing or nothing matches.

        Like Vault, the lookup is made as for a LIST, so `foo` also answers for `foo/`.
        """
        if self._root:
            return frozenset({ROOT_POLICY})
        permissions = self._lookup(path, listing=True)
        return _DENIED if permissions is None else permissions.shown_capabilities

    def has_access_under(self, prefix: str) -> bool:
        """Whether any rule grants something at or under `prefix` (Vault's mount access: what
        `sys/internal/ui/mounts/<path>` requires of a token)."""
        if self._root or self.capabilities(prefix) != _DENIED:
            return True
        rules = [*self._exact.items(), *self._prefixes.items()]
        return any(
            pattern.startswith(prefix) and DENY not in perms.capabilities and perms.capabilities
            for pattern, perms in rules
        )

    def check(
        self,
        operation: Operation,
        path: str,
        data: Mapping[str, Any] | None = None,
        wrap_ttl: int = 0,
    ) -> ACLResult:
        """Whether `operation` on `path`, with request `data` and a response-wrapping TTL
        (0 = not wrapped), is allowed; and whether the matched rule grants sudo there."""
        if self._root:
            return ACLResult(True, True, frozenset({ROOT_POLICY}), [ROOT_POLICY], is_root=True)
        permissions = self._lookup(path, listing=operation is Operation.LIST)
        if permissions is None:
            return ACLResult(False, False, _DENIED, [])
        sudo = SUDO in permissions.capabilities
        shown = permissions.shown_capabilities
        capability = _REQUIRED_CAPABILITY.get(operation)
        if capability is None or capability not in permissions.capabilities:
            return ACLResult(False, sudo, shown, [])
        allowed = permissions.wrapping_permits(wrap_ttl) and (
            operation not in _PARAMETER_OPERATIONS or permissions.parameters.permit(data)
        )
        granting = list(permissions.granting[capability]) if allowed else []
        return ACLResult(allowed, sudo, shown, granting)

    def allows(self, operation: Operation, path: str, *, sudo: bool = False) -> bool:
        """A shortcut: allowed without request data or wrapping, and with sudo if asked."""
        result = self.check(operation, path)
        return result.allowed and (result.root_privileges or not sudo)

    def resultant(self) -> dict[str, Any]:
        """The merged ACL as `sys/internal/ui/resultant-acl` returns it.

        As in Vault, glob rules are listed by their prefix without the `*`, and rules with `+`
        segments are not listed at all (the UI matches `glob_paths` as plain prefixes).
        """
        if self._root:
            return {"root": True}
        return {
            "exact_paths": {p: rule.describe() for p, rule in sorted(self._exact.items())},
            "glob_paths": {prefix: rule.describe() for prefix, rule in self._prefixes.items()},
            "root": False,
        }

    def _lookup(self, path: str, *, listing: bool) -> _Permissions | None:
        permissions = self._exact.get(path)
        if permissions is not None:
            return permissions
        trimmed = path[:-1] if listing and path.endswith("/") else None
        if trimmed is not None:
            permissions = self._exact.get(trimmed)
            if permissions is not None:
                return permissions
        permissions = self._glob(path)
        if permissions is None and trimmed is not None:
            permissions = self._glob(trimmed)
        return permissions

    def _glob(self, path: str) -> _Permissions | None:
        best = self._prefixes.longest(path)
        if len(self._segments):
            candidate = self._segments.best(path)
            if candidate is not None and (best is None or candidate.priority > best.priority):
                best = candidate
        return best


def compile_acl(policies: Sequence[Policy]) -> ACL:
    """Compile policies into one ACL. Templated rules are skipped (see `PathRule`).

    The built-in root policy is not a `Policy`: use `ROOT`. Policy order does not matter.
    """
    exact: dict[str, _Permissions] = {}
    prefixes: dict[str, _Permissions] = {}
    segments: SegmentIndex[_Permissions] = SegmentIndex()
    for (kind, key), merge in _merge_rules(policies).items():
        if kind is PatternKind.EXACT:
            # An exact rule never competes on priority: it wins whenever it matches.
            exact[key] = _Permissions(merge, prefix_priority(key))
        elif kind is PatternKind.PREFIX:
            prefixes[key] = _Permissions(merge, prefix_priority(key))
        else:
            segments.add(key, _Permissions(merge, segment_priority(key)))
    return ACL(exact=exact, prefixes=PrefixIndex(prefixes), segments=segments)


def _merge_rules(policies: Sequence[Policy]) -> dict[tuple[PatternKind, str], _Merge]:
    merged: dict[tuple[PatternKind, str], _Merge] = {}
    for policy in policies:
        if policy.name == ROOT_POLICY:
            raise InternalError("the root policy is built in and cannot be compiled")
        for rule in policy.rules:
            if not rule.templated:
                merge_key = classify(rule.path)
                merged.setdefault(merge_key, _Merge(rule.path)).add(policy.name, rule)
    return merged


ROOT = ACL(exact={}, prefixes=PrefixIndex({}), segments=SegmentIndex(), root=True)
