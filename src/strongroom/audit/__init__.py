"""Audit: Vault-shaped entries with HMAC'd secrets, written to hash-chained, signed logs."""

from strongroom.audit.chain import GENESIS, Chain, ChainState
from strongroom.audit.entry import AuthInfo, request_entry, response_entry
from strongroom.audit.hashing import HASH_PREFIX, Salt, hash_structure, raw_copy
from strongroom.audit.verify import Problem, ProblemKind, VerifyResult, verify_lines

__all__ = [
    "GENESIS",
    "HASH_PREFIX",
    "AuthInfo",
    "Chain",
    "ChainState",
    "Problem",
    "ProblemKind",
    "Salt",
    "VerifyResult",
    "hash_structure",
    "raw_copy",
    "request_entry",
    "response_entry",
    "verify_lines",
]
