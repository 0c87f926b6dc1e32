"""Completing a login: an auth method answered with the token it wants; the core creates it.

The method decides who the caller is and what the token may do (policies, TTLs, uses, CIDRs,
metadata); the token is always an orphan minted under the auth mount's TTL limits, and its
display name is the mount path joined to what the method named (`userpass-bob`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from strongroom.errors import BadRequest
from strongroom.logical import Auth, Operation, Request
from strongroom.routing import AUTH_TABLE, MountEntry
from strongroom.token import RenewalTerms, TokenStoreConfig
from strongroom.token.create import TokenParams
from strongroom.token.entry import TokenEntry

if TYPE_CHECKING:
    from strongroom.core.core import Core


async def complete_login(core: Core, request: Request, mount: MountEntry, auth: Auth) -> None:
    """Create the token `auth` asks for and fill in its ID, accessor and final settings."""
    params = TokenParams(
        policies=tuple(auth.token_policies),
        meta=dict(auth.metadata),
        display_name=login_display_name(mount, auth.display_name),
        path=request.full_path,
        ttl=auth.lease_duration,
        explicit_max_ttl=auth.explicit_max_ttl,
        period=auth.period,
        num_uses=auth.num_uses,
        renewable=auth.renewable,
        no_default_policy=auth.no_default_policy,
        token_type=login_token_type(mount.config.token_type, auth.token_type),
        entity_id=auth.entity_id,
        bound_cidrs=tuple(auth.bound_cidrs),
    )
    default_ttl, max_ttl = core.mount_ttls(mount)
    limits = TokenStoreConfig(default_ttl, min(auth.max_ttl or max_ttl, max_ttl))
    created = await core.tokens.create(params, limits=limits)
    entry = created.entry
    auth.client_token = created.token_id
    auth.accessor = entry.accessor
    auth.token_policies = list(entry.policies)
    auth.lease_duration = entry.ttl
    auth.renewable = entry.renewable
    auth.token_type = entry.type
    auth.orphan = True
    auth.num_uses = entry.num_uses


def login_token_type(mount_setting: str, requested: str) -> str:
    """The mount's `token_type` rules over the method's ("service"/"batch" force it; the
    "default-*" forms apply when the method has no preference)."""
    if mount_setting in ("service", "batch"):
        return mount_setting
    if requested in ("service", "batch"):
        return requested
    return "batch" if mount_setting == "default-batch" else "service"


def login_display_name(mount: MountEntry, name: str) -> str:
    prefix = mount.path.strip("/").replace("/", "-")
    return f"{prefix}-{name}" if name else prefix


async def renewal_terms(core: Core, entry: TokenEntry) -> RenewalTerms | None:
    """Ask the auth method that created a login's token whether, and how, it may be renewed.

    The method gets a RENEW request for the login path carrying the token's `auth` (policies,
    metadata); it raises to refuse (the user is gone, the policies changed) or answers with
    the role's current TTL, max TTL and period, within the auth mount's limits.
    """
    if not entry.path.startswith("auth/") or entry.path.startswith("auth/token/"):
        return None
    routed = core.router.route(entry.path)
    if routed is None or routed.mount.table != AUTH_TABLE:
        raise BadRequest("the auth method that issued this token is gone, not renewing")
    request = Request(
        Operation.RENEW,
        routed.relative_path,
        mount_point=routed.mount.route,
        mount_type=routed.mount.type,
        mount_accessor=routed.mount.accessor,
        auth=Auth(
            token_policies=list(entry.policies),
            metadata=dict(entry.meta),
            lease_duration=entry.ttl,
            period=entry.period,
            explicit_max_ttl=entry.explicit_max_ttl,
            num_uses=entry.num_uses,
            entity_id=entry.entity_id,
        ),
    )
    response = await routed.backend.handle(request)
    renewed = response.auth if response is not None else None
    if renewed is None:
        raise BadRequest("the auth method refused to renew this token")
    default_ttl, max_ttl = core.mount_ttls(routed.mount)
    return RenewalTerms(
        ttl=min(renewed.lease_duration or default_ttl, max_ttl),
        max_ttl=min(renewed.max_ttl or max_ttl, max_ttl),
        period=renewed.period,
    )
