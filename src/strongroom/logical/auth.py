"""The `auth` block of a response: a token just created by a login or by the token store."""

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
    token_type: str = "service"
    orphan: bool = False
    num_uses: int = 0

    @property
    def policies(self) -> list[str]:
        return sorted(set(self.token_policies) | set(self.identity_policies))
