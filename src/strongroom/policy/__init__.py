"""ACL policies: which token may do what on which path.

`parse_policy` reads policy text (HCL, JSON, or base64 of either); `compile_acl` merges a
token's policies into an `ACL` whose `check` runs on every request; `PolicyStore` keeps named
policies in storage and caches compiled ACLs. `ROOT` is the ACL of the built-in root policy.
"""

from strongroom.policy.acl import ACL, ROOT, ACLResult, compile_acl
from strongroom.policy.default import DEFAULT_POLICY, DEFAULT_POLICY_NAME
from strongroom.policy.model import PathRule, Policy, sorted_capabilities
from strongroom.policy.parser import normalize_policy_name, parse_policy
from strongroom.policy.store import PolicyStore, StoredPolicy

__all__ = [
    "ACL",
    "DEFAULT_POLICY",
    "DEFAULT_POLICY_NAME",
    "ROOT",
    "ACLResult",
    "PathRule",
    "Policy",
    "PolicyStore",
    "StoredPolicy",
    "compile_acl",
    "normalize_policy_name",
    "parse_policy",
    "sorted_capabilities",
]
