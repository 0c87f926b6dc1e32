"""Which policies a new token gets: Vault's subset, default-policy and role rules."""

from __future__ import annotations

from collections.abc import Iterable

from strongroom.errors import BadRequest
from strongroom.token.entry import TokenEntry
from strongroom.token.roles import Role

DEFAULT_POLICY = "default"
ROOT_POLICY = "root"
WRAPPING_POLICY = "response-wrapping"
# Internal policies a token may never be given directly.
NON_ASSIGNABLE = frozenset({WRAPPING_POLICY, "control-group"})


def sanitize(policies: Iterable[str], add_default: bool = False) -> tuple[str, ...]:
    """Trimmed, lower-cased, sorted and unique; `root` swallows every other policy."""
    names = {p.strip().lower() for p in policies} - {""}
    if ROOT_POLICY in names:
        return (ROOT_POLICY,)
    if add_default:
        names.add(DEFAULT_POLICY)
    return tuple(sorted(names))


def glob_match(pattern: str, value: str) -> bool:
    """Like go-glob: `*` matches any run of characters anywhere; nothing else is special."""
    parts = pattern.split("*")
    if len(parts) == 1:
        return value == pattern
    if not value.startswith(parts[0]):
        return False
    position = len(parts[0])
    for middle in parts[1:-1]:
        found = value.find(middle, position)
        if found < 0:
            return False
        position = found + len(middle)
    return len(value) - position >= len(parts[-1]) and value.endswith(parts[-1])


def matches_any(names: Iterable[str], globs: Iterable[str], policy: str) -> bool:
    return policy in names or any(glob_match(g, policy) for g in globs)


def token_policies(
    requested: Iterable[str],
    parent: TokenEntry | None,
    *,
    sudo: bool,
    role: Role | None,
    no_default_policy: bool,
) -> tuple[str, ...]:
    """The final, checked policy set of a new token (raises BadRequest when not allowed)."""
    requested = tuple(requested)
    if role is not None and role.restricts_policies:
        policies = _role_policies(requested, parent, role, no_default_policy)
    elif parent is not None and not sanitize(requested):
        # No policies asked for: inherit the parent's (default only if the parent has it).
        policies = sanitize(parent.policies)
    elif parent is None or sudo:
        policies = sanitize(requested, not no_default_policy)
    else:
        if not set(sanitize(requested)) <= set(sanitize(parent.policies)):
            raise BadRequest("child policies must be subset of parent")
        add_default = not no_default_policy and DEFAULT_POLICY in parent.policies
        policies = sanitize(requested, add_default)
    if no_default_policy:
        policies = tuple(p for p in policies if p != DEFAULT_POLICY)
    _check_assignable(policies, parent)
    return policies


def _role_policies(
    requested: tuple[str, ...], parent: TokenEntry | None, role: Role, no_default_policy: bool
) -> tuple[str, ...]:
    add_default = (
        not no_default_policy
        and not role.token_no_default_policy
        and not matches_any(role.disallowed_policies, role.disallowed_policies_glob, DEFAULT_POLICY)
    )
    policies = sanitize(requested, add_default) if sanitize(requested) else ()
    if role.allowed_policies or role.allowed_policies_glob:
        allowed = sanitize(role.allowed_policies, add_default)
        if not policies:
            policies = allowed
        elif not all(matches_any(allowed, role.allowed_policies_glob, p) for p in policies):
            raise BadRequest("token policies must be a subset of the role's allowed policies")
    elif not policies:
        policies = sanitize(parent.policies if parent else (), add_default)
    for policy in policies:
        if matches_any(role.disallowed_policies, role.disallowed_policies_glob, policy):
            raise BadRequest("a requested token policy is disallowed by this role")
    return policies


def _check_assignable(policies: tuple[str, ...], parent: TokenEntry | None) -> None:
    if NON_ASSIGNABLE & set(policies):
        raise BadRequest("cannot assign an internal policy to a token")
    if ROOT_POLICY in policies and (parent is None or not parent.is_root):
        # A sudo token must not mint root: only a root parent may.
        raise BadRequest("root tokens may not be created without parent token being root")
