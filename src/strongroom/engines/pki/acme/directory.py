"""Which directory a request is under, and what it may issue with.

Four directory forms, each `<prefix>acme/`: the mount's own (`acme/`), a role's
(`roles/:role/acme/`), an issuer's (`issuer/:ref/acme/`) and both
(`issuer/:ref/roles/:role/acme/`). A directory without a role follows the
`default_directory_policy`: `sign-verbatim` (no role: any name the challenges prove),
`role:<name>`, or `forbid`. Roles and issuers must be allowed by `config/acme`, and a role must
store what it issues (`no_store=false`), since ACME serves certificates from storage.

Absolute URLs are `config/cluster`'s `path` + the path inside the mount: that is what the
JWS `url` of each request is compared with, so it must be the address clients use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from strongroom.engines.pki.acme.problems import Problem, malformed, unauthorized
from strongroom.engines.pki.acme.records import FORBID, ROLE_POLICY_PREFIX, ACMEConfig
from strongroom.engines.pki.acme.store import ACMEStore
from strongroom.engines.pki.records import IssuerRecord
from strongroom.engines.pki.roles import Role

NO_CLUSTER_PATH = "ACME requires config/cluster 'path' to be set to this mount's URL"
_PREFIX = re.compile(r"(?:issuer/(?P<issuer_ref>[^/]+)/)?(?:roles/(?P<role>[^/]+)/)?acme/")


@dataclass(frozen=True, slots=True)
class Directory:
    prefix: str  # inside the mount, ending in "acme/"
    base_url: str  # absolute: the cluster path + "/" + prefix
    issuer: IssuerRecord
    role: Role | None  # None: sign-verbatim
    config: ACMEConfig

    def url(self, resource: str) -> str:
        return self.base_url + resource

    def account_url(self, account_id: str) -> str:
        return self.url(f"account/{account_id}")

    def order_url(self, order_id: str) -> str:
        return self.url(f"order/{order_id}")

    def authz_url(self, authz_id: str) -> str:
        return self.url(f"authorization/{authz_id}")

    def challenge_url(self, authz_id: str, kind: str) -> str:
        return self.url(f"challenge/{authz_id}/{kind}")


def path_parameters(path: str) -> tuple[str, str]:
    """(issuer ref, role) of a path under a directory, from the path alone: never from the
    request data, where a client could add its own `role`."""
    found = _PREFIX.match(path)
    assert found is not None, path  # only paths under a directory are routed here
    return found.group("issuer_ref") or "", found.group("role") or ""


def prefix_of(issuer_ref: str, role: str) -> str:
    """The directory prefix inside the mount for a request's path parameters."""
    prefix = f"issuer/{issuer_ref}/" if issuer_ref else ""
    return prefix + (f"roles/{role}/" if role else "") + "acme/"


async def base_url(store: ACMEStore, prefix: str) -> str:
    path = (await store.pki.cluster_config()).path
    if not path:
        raise Problem("serverInternal", NO_CLUSTER_PATH)
    return path.rstrip("/") + "/" + prefix


async def resolve(store: ACMEStore, issuer_ref: str, role_name: str) -> Directory:
    """The directory of a request, or the problem that closes it."""
    config = await store.config()
    if not config.enabled:
        raise unauthorized("ACME is disabled in configuration")
    prefix = prefix_of(issuer_ref, role_name)
    url = await base_url(store, prefix)
    role = await _role(store, config, role_name)
    ref = issuer_ref or (role.issuer_ref if role is not None and role.issuer_ref else "default")
    issuer = await store.pki.issuer(ref)
    if issuer is None:
        raise malformed(f"issuer {ref!r} not found")
    if not _allowed(config.allowed_issuers, issuer.id, issuer.name, ref == "default"):
        raise unauthorized("this issuer is not allowed by the ACME configuration")
    return Directory(prefix, url, issuer, role, config)


async def _role(store: ACMEStore, config: ACMEConfig, role_name: str) -> Role | None:
    if not role_name:
        policy = config.default_directory_policy
        if policy == FORBID:
            raise unauthorized("the default directory is forbidden: use a role's directory")
        if not policy.startswith(ROLE_POLICY_PREFIX):
            return None  # sign-verbatim
        role_name = policy.removeprefix(ROLE_POLICY_PREFIX)
    if not _allowed(config.allowed_roles, role_name, role_name, False):
        raise unauthorized(f"role {role_name!r} is not allowed by the ACME configuration")
    role = await store.pki.role(role_name)
    if role is None:
        raise malformed(f"role {role_name!r} not found")
    if role.no_store:
        raise Problem("serverInternal", f"role {role_name!r} has no_store set: ACME needs it off")
    return role


def _allowed(allowed: list[str], identifier: str, name: str, is_default: bool) -> bool:
    if "*" in allowed or identifier in allowed or (name and name in allowed):
        return True
    return is_default and "default" in allowed
