"""The built-in `default` policy: what every token may do to itself.

The store writes it the first time it is used; after that it is an ordinary, editable policy
that cannot be deleted. Its rules cover the same ground as Vault's and OpenBao's default
policy; the wording is ours.
"""

from __future__ import annotations

DEFAULT_POLICY_NAME = "default"

DEFAULT_POLICY = """\
# The token's own record, renewal and revocation.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
path "auth/token/renew-self" {
  capabilities = ["update"]
}
path "auth/token/revoke-self" {
  capabilities = ["update"]
}

# What the token may do on a given path.
path "sys/capabilities-self" {
  capabilities = ["update"]
}

# The token's identity entity, by id or by name.
path "identity/entity/id/{{identity.entity.id}}" {
  capabilities = ["read"]
}
path "identity/entity/name/{{identity.entity.name}}" {
  capabilities = ["read"]
}

# The merged ACL of the token, for the web UI.
path "sys/internal/ui/resultant-acl" {
  capabilities = ["read"]
}

# Renewing and looking up a lease whose ID the caller already holds (the ID is the secret).
path "sys/renew" {
  capabilities = ["update"]
}
path "sys/leases/renew" {
  capabilities = ["update"]
}
path "sys/leases/lookup" {
  capabilities = ["update"]
}

# The token's private cubbyhole.
path "cubbyhole/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

# Response wrapping: wrap a value, inspect a wrapping token, unwrap it.
path "sys/wrapping/wrap" {
  capabilities = ["update"]
}
path "sys/wrapping/lookup" {
  capabilities = ["update"]
}
path "sys/wrapping/unwrap" {
  capabilities = ["update"]
}

# General-purpose tools: hashing and random bytes.
path "sys/tools/hash" {
  capabilities = ["update"]
}
path "sys/tools/hash/*" {
  capabilities = ["update"]
}
path "sys/tools/random" {
  capabilities = ["update"]
}
path "sys/tools/random/*" {
  capabilities = ["update"]
}

# Asking for a control-group authorization.
path "sys/control-group/request" {
  capabilities = ["update"]
}

# The authorization endpoint of identity OIDC providers.
path "identity/oidc/provider/+/authorize" {
  capabilities = ["read", "update"]
}
"""
