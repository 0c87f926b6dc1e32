"""The `auth` block of a response: a token just created by a login or by the token store.

An auth method's login handler returns one without `client_token`: the token it asks for
(policies, TTLs, metadata, …), which the core then creates and fills in.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Auth:
    client_token: str = ""
    accessor: str = ""
    # The token's own policies; `identity_policies` come from groups and entities.
    token_policies: list[str] = field(default_factory=list)
    identity_policies: list[str] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    lease_duration: int = 0  # seconds the token lives before it must be renewed
    renewable: bool = False
    entity_id: str = ""
    # "service" or "batch" once minted; in a login's answer, "" / "default" mean no preference.
    token_type: str = ""
    orphan: bool = False
    num_uses: int = 0
    # --- what an auth method's login asks for; the core mints the token from it -------------
    display_name: str = ""  # the user or role: the token's display name is "<mount>-<this>"
    period: int = 0
    max_ttl: int = 0  # the role's limit on the token's life (renewals stop there)
    explicit_max_ttl: int = 0
    bound_cidrs: list[str] = field(default_factory=list)
    no_default_policy: bool = False

    @property
    def policies(self) -> list[str]:
        return sorted(set(self.token_policies) | set(self.identity_policies))
