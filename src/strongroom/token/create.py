"""Vault's rules for a new token: who may create what, with which policies, for how long.

`plan_token` is pure: it checks a request against its parent, the caller's sudo and an optional
role, and returns the entry to store. The store then gives it an ID and an accessor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from strongroom.errors import BadRequest
from strongroom.token.entry import BATCH, SERVICE, TokenEntry, TokenRef
from strongroom.token.policies import ROOT_POLICY, token_policies
from strongroom.token.roles import DEFAULT_BATCH, Role
from strongroom.token.ttl import (
    Lifetime,
    TokenStoreConfig,
    calculate_ttl,
    cap_to_parent,
    stricter,
)

# Where the token store is mounted; the prefix of its tokens' creation paths.
MOUNT_PATH = "auth/token/"


@dataclass(frozen=True, slots=True)
class TokenParams:
    """A creation request, already parsed. The defaults are Vault's."""

    policies: tuple[str, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)
    display_name: str = "token"
    path: str = "auth/token/create"
    ttl: int = 0
    explicit_max_ttl: int = 0
    period: int = 0
    num_uses: int = 0
    renewable: bool = True
    no_default_policy: bool = False
    # `no_parent=true`: an orphan, for root/sudo callers only.
    no_parent: bool = False
    # Created through create-orphan: an orphan, guarded by the ACL on that path alone.
    orphan: bool = False
    # "", "service" or "batch".
    token_type: str = ""
    # A caller-chosen token ID (root/sudo only).
    token_id: str = ""
    # For tokens minted by auth methods on login (no parent): the entity and bound CIDRs.
    entity_id: str = ""
    bound_cidrs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    entry: TokenEntry  # without an accessor yet
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Limits:
    period: int
    explicit_max_ttl: int
    num_uses: int


def plan_token(
    params: TokenParams,
    parent: TokenRef | None,
    *,
    sudo: bool,
    role: Role | None,
    config: TokenStoreConfig,
    now: float,
) -> Plan:
    creator = parent.entry if parent else None
    if creator is not None:
        _check_creator(creator)
    token_type = _token_type(params, role)
    _check_privileges(params, sudo)
    policies = token_policies(
        params.policies,
        creator,
        sudo=sudo,
        role=role,
        no_default_policy=params.no_default_policy,
    )
    if token_type == BATCH and ROOT_POLICY in policies:
        raise BadRequest("batch tokens cannot be root tokens")
    parent_hash = _parent_hash(params, parent, sudo=sudo, role=role)
    lineage = creator if parent_hash else None
    warnings: list[str] = []
    limits = _limits(params, role, token_type, warnings)
    life = Lifetime(
        start=now,
        base_ttl=params.ttl,
        period=limits.period,
        explicit_max_ttl=limits.explicit_max_ttl,
    )
    ttl = _ttl(life, policies, creator, lineage, config, now, warnings)
    renewable = params.renewable and token_type == SERVICE and ttl > 0
    entry = TokenEntry(
        accessor="",
        policies=policies,
        display_name=params.display_name,
        creation_time=now,
        ttl=ttl,
        meta=dict(params.meta),
        explicit_max_ttl=limits.explicit_max_ttl,
        period=limits.period,
        num_uses=limits.num_uses,
        path=_path(params, role),
        parent_hash=parent_hash,
        role=role.name if role else "",
        bound_cidrs=_bound_cidrs(params, role, lineage) if ttl else (),
        type=token_type,
        renewable=renewable and (role is None or role.renewable),
        entity_id=lineage.entity_id if lineage else params.entity_id,
        no_default_policy=params.no_default_policy,
        expire_time=now + ttl if ttl else 0.0,
    )
    return Plan(entry, tuple(warnings))


def _check_creator(creator: TokenEntry) -> None:
    if creator.is_batch:
        raise BadRequest("batch tokens cannot create more tokens")
    if creator.num_uses > 0:
        # Otherwise a child could escape the use count.
        raise BadRequest("restricted use token cannot generate child tokens")


def _check_privileges(params: TokenParams, sudo: bool) -> None:
    if params.num_uses < 0:
        raise BadRequest("number of uses cannot be negative")
    if params.token_id and not sudo:
        raise BadRequest("root or sudo privileges required to specify token id")
    if params.period and not sudo:
        raise BadRequest("root or sudo privileges required to create periodic token")


def _token_type(params: TokenParams, role: Role | None) -> str:
    requested = params.token_type
    if role is not None:
        if role.token_type == DEFAULT_BATCH and not requested:
            requested = BATCH
        elif role.token_type in (SERVICE, BATCH):
            requested = role.token_type
    if requested in ("", SERVICE):
        return SERVICE
    if requested != BATCH:
        raise BadRequest("invalid 'token_type' value")
    for name, value in (
        ("explicit_max_ttl", params.explicit_max_ttl),
        ("num_uses", params.num_uses),
        ("period", params.period),
    ):
        if value:
            raise BadRequest(f'batch tokens cannot have "{name}" set')
    return BATCH


def _parent_hash(
    params: TokenParams, parent: TokenRef | None, *, sudo: bool, role: Role | None
) -> str:
    if parent is None:
        return ""
    if role is not None:
        return "" if role.orphan else parent.token_hash
    if params.no_parent:
        if not sudo:
            raise BadRequest("root or sudo privileges required to create orphan token")
        return ""
    return "" if params.orphan else parent.token_hash


def _limits(
    params: TokenParams, role: Role | None, token_type: str, warnings: list[str]
) -> _Limits:
    if role is None or token_type == BATCH:
        return _Limits(params.period, params.explicit_max_ttl, params.num_uses)
    for what, requested, from_role in (
        ("Period", params.period, role.token_period),
        ("Explicit max TTL", params.explicit_max_ttl, role.token_explicit_max_ttl),
    ):
        if requested and from_role:
            warnings.append(
                f"{what} specified both during creation call and in role; "
                f"using the lesser value of {min(requested, from_role)} seconds"
            )
    return _Limits(
        period=stricter(params.period, role.token_period),
        explicit_max_ttl=stricter(params.explicit_max_ttl, role.token_explicit_max_ttl),
        num_uses=stricter(params.num_uses, role.token_num_uses),
    )


def _ttl(
    life: Lifetime,
    policies: tuple[str, ...],
    creator: TokenEntry | None,
    lineage: TokenEntry | None,
    config: TokenStoreConfig,
    now: float,
    warnings: list[str],
) -> int:
    ttl = life.base_ttl
    # Only a root token asked for without a TTL or period is left never to expire.
    if life.period or ttl or ROOT_POLICY not in policies:
        ttl, capped = calculate_ttl(config, life, now)
        warnings.extend(capped)
    if not ttl and life.explicit_max_ttl:
        ttl = life.explicit_max_ttl
    if not ttl:
        if creator is not None and creator.expire_time:
            raise BadRequest("expiring root tokens cannot create non-expiring root tokens")
        return 0
    return cap_to_parent(ttl, lineage, now, warnings) if lineage else ttl


def _path(params: TokenParams, role: Role | None) -> str:
    if role is not None and role.path_suffix:
        return f"{params.path}/{role.path_suffix}"
    return params.path


def _bound_cidrs(
    params: TokenParams, role: Role | None, lineage: TokenEntry | None
) -> tuple[str, ...]:
    if role is not None:
        return role.token_bound_cidrs or params.bound_cidrs
    if lineage is not None:
        # A child is bound wherever its parent is; only a role may widen that.
        return lineage.bound_cidrs
    return params.bound_cidrs
