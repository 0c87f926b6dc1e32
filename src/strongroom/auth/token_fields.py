"""The `token_*` fields of every auth method's roles (userpass users, AppRoles, …).

Parsed once here, as Vault's `sdk/helper/tokenutil` does: the field table a path declares, the
parsing and checks of a write, their rendering in a read, and the `Auth` a login answers with.

Each method also accepts some of the deprecated spellings Vault still takes (`policies`, `ttl`,
`max_ttl`, `period`, `bound_cidrs`), with Vault's upgrade rule: a write that sends the current
field clears the deprecated one (unless it sends both, then both get the value); a write that
sends only the deprecated one sets both. Reads show a deprecated field only while it is set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from strongroom.auth.method import parse_cidrs
from strongroom.errors import InvalidParameter
from strongroom.framework import Field, FieldData, FieldType
from strongroom.logical import Auth

DEFAULT = "default"
SERVICE = "service"
BATCH = "batch"
TOKEN_TYPES = frozenset({DEFAULT, SERVICE, BATCH})
# Token-role spellings that AppRole accepts and adjusts (with a warning), as Vault does.
TYPE_ALIASES = {"default-service": SERVICE, "default-batch": BATCH}


@dataclass(frozen=True, slots=True)
class TokenSettings:
    """What a login token gets. Durations in seconds; 0 means the mount's value."""

    token_policies: tuple[str, ...] = ()
    token_ttl: int = 0
    token_max_ttl: int = 0
    token_explicit_max_ttl: int = 0
    token_period: int = 0
    token_bound_cidrs: tuple[str, ...] = ()
    token_no_default_policy: bool = False
    token_num_uses: int = 0
    token_type: str = DEFAULT
    # The deprecated spellings, kept as written so that a read shows what was set.
    policies: tuple[str, ...] = ()
    ttl: int = 0
    max_ttl: int = 0
    period: int = 0
    bound_cidrs: tuple[str, ...] = ()

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, document: Mapping[str, Any]) -> TokenSettings:
        values = {name: document[name] for name in _ALL_NAMES if name in document}
        for name in _TUPLES:
            if name in values:
                values[name] = tuple(values[name])
        return cls(**values)


_LIST = FieldType.STRING_LIST
_DURATION = FieldType.DURATION
TOKEN_FIELDS: dict[str, Field] = {
    "token_policies": Field(_LIST, "policies of the tokens", default=[]),
    "token_ttl": Field(_DURATION, "initial TTL of the tokens", default=0),
    "token_max_ttl": Field(_DURATION, "maximum lifetime of the tokens", default=0),
    "token_explicit_max_ttl": Field(_DURATION, "hard limit on the tokens' life", default=0),
    "token_period": Field(_DURATION, "the tokens are periodic with this period", default=0),
    "token_bound_cidrs": Field(_LIST, "CIDR blocks the tokens may be used from", default=[]),
    "token_no_default_policy": Field(FieldType.BOOL, "do not add `default`", default=False),
    "token_num_uses": Field(FieldType.INT, "uses per token (0 = unlimited)", default=0),
    "token_type": Field(FieldType.STRING, "service, batch or default", default=DEFAULT),
}
# Deprecated spelling → the current field it stands for.
DEPRECATED = {
    "policies": "token_policies",
    "ttl": "token_ttl",
    "max_ttl": "token_max_ttl",
    "period": "token_period",
    "bound_cidrs": "token_bound_cidrs",
}
_ALL_NAMES = (*TOKEN_FIELDS, *DEPRECATED)
_TUPLES = ("token_policies", "token_bound_cidrs", "policies", "bound_cidrs")


def token_field_table(deprecated: Iterable[str] = ()) -> dict[str, Field]:
    """The fields a path declares: every `token_*` field and the chosen deprecated ones."""
    table = dict(TOKEN_FIELDS)
    for name in deprecated:
        current = TOKEN_FIELDS[DEPRECATED[name]]
        table[name] = Field(current.type, f"deprecated: use {DEPRECATED[name]}", current.default)
    return table


def _names(values: list[str]) -> tuple[str, ...]:
    return tuple(value.strip() for value in values if value.strip())


def _sanitized(values: list[str]) -> tuple[str, ...]:
    """Vault's policyutil.ParsePolicies: trimmed, lower-cased, unique and sorted."""
    return tuple(sorted({value.strip().lower() for value in values} - {""}))


def _token_type(value: str) -> str:
    kind = value or DEFAULT
    if kind not in TOKEN_TYPES:
        raise InvalidParameter("invalid 'token_type' value")
    return kind


_PARSERS: dict[str, Callable[[Any, str], Any]] = {
    "token_policies": lambda value, _: _names(value),
    "policies": lambda value, _: _sanitized(value),
    "token_bound_cidrs": parse_cidrs,
    "bound_cidrs": parse_cidrs,
    "token_type": lambda value, _: _token_type(value),
}


def _parse(data: FieldData, name: str, type_aliases: bool = False) -> Any:
    value = data.get(name)
    if type_aliases and name == "token_type":
        value = TYPE_ALIASES.get(value, value)
    parser = _PARSERS.get(name)
    return parser(value, name) if parser else value


def parse_token_fields(
    settings: TokenSettings,
    data: FieldData,
    deprecated: Iterable[str] = (),
    *,
    type_aliases: bool = False,
) -> TokenSettings:
    """`settings` with every token field the request sends, checked as Vault checks them.

    `type_aliases`: accept `default-service`/`default-batch` as `service`/`batch` (AppRole).
    """
    changes: dict[str, Any] = {}
    for name in TOKEN_FIELDS:
        if data.has(name):
            changes[name] = _parse(data, name, type_aliases)
    for old in deprecated:
        new = DEPRECATED[old]
        if data.has(new):
            changes[old] = changes[new] if data.has(old) else getattr(TokenSettings(), old)
        elif data.has(old):
            changes[old] = changes[new] = _parse(data, old)
    updated = replace(settings, **changes)
    check_token_settings(updated)
    return updated


def check_token_settings(settings: TokenSettings) -> None:
    if settings.token_num_uses < 0:
        raise InvalidParameter("'token_num_uses' cannot be negative")
    if settings.token_type == BATCH:
        if settings.token_period:
            raise InvalidParameter(
                "'token_type' cannot be 'batch' when set to generate periodic tokens"
            )
        if settings.token_num_uses:
            raise InvalidParameter(
                "'token_type' cannot be 'batch' when set to generate tokens with limited use count"
            )
    if 0 < settings.token_max_ttl < settings.token_ttl:
        raise InvalidParameter("'token_ttl' cannot be greater than 'token_max_ttl'")


def render_token_fields(settings: TokenSettings) -> dict[str, Any]:
    """The token fields of a read (Vault's PopulateTokenData plus the deprecated ones set)."""
    data: dict[str, Any] = {
        "token_bound_cidrs": list(settings.token_bound_cidrs),
        "token_explicit_max_ttl": settings.token_explicit_max_ttl,
        "token_max_ttl": settings.token_max_ttl,
        "token_no_default_policy": settings.token_no_default_policy,
        "token_num_uses": settings.token_num_uses,
        "token_period": settings.token_period,
        "token_policies": list(settings.token_policies),
        "token_ttl": settings.token_ttl,
        "token_type": settings.token_type,
    }
    for name in DEPRECATED:
        value = getattr(settings, name)
        if value:
            data[name] = list(value) if isinstance(value, tuple) else value
    return data


def same_policies(configured: Iterable[str], token: Iterable[str]) -> bool:
    """Whether a token still carries what its user or role grants (`default` aside)."""
    return set(configured) - {"default"} == set(token) - {"default"}


def renewal_auth(settings: TokenSettings) -> Auth:
    """The answer to a renewal: the role's (or user's) current TTL, max TTL and period."""
    return Auth(
        lease_duration=settings.token_ttl,
        max_ttl=settings.token_max_ttl,
        period=settings.token_period,
    )


def to_auth(
    settings: TokenSettings,
    *,
    display_name: str,
    metadata: Mapping[str, str],
    bound_cidrs: Iterable[str] | None = None,
) -> Auth:
    """The token a login asks the core for (`bound_cidrs` overrides the role's)."""
    ttl = settings.token_ttl
    if settings.token_max_ttl and ttl > settings.token_max_ttl:
        ttl = settings.token_max_ttl
    explicit_max_ttl = settings.token_explicit_max_ttl
    if settings.token_type == BATCH and explicit_max_ttl:
        # A batch token cannot carry an explicit max TTL: it simply never lives longer.
        ttl, explicit_max_ttl = min(ttl, explicit_max_ttl) if ttl else explicit_max_ttl, 0
    return Auth(
        token_policies=list(settings.token_policies),
        metadata=dict(metadata),
        display_name=display_name,
        lease_duration=ttl,
        renewable=True,
        token_type=settings.token_type,
        num_uses=settings.token_num_uses,
        period=settings.token_period,
        max_ttl=settings.token_max_ttl,
        explicit_max_ttl=explicit_max_ttl,
        bound_cidrs=list(settings.token_bound_cidrs if bound_cidrs is None else bound_cidrs),
        no_default_policy=settings.token_no_default_policy,
    )
