"""Audit: Vault-shaped entries with HMAC'd secrets, written to hash-chained, signed logs."""

from strongroom.audit.broker import NO_KEYS, AuditBroker, AuditFailed, MountAuditKeys, probe_entry
from strongroom.audit.chain import GENESIS, Chain, ChainState
from strongroom.audit.device import AuditDevice, AuditDeviceFailed
from strongroom.audit.entry import AuthInfo, request_entry, response_entry
from strongroom.audit.hashing import HASH_PREFIX, Salt, hash_structure, raw_copy
from strongroom.audit.keys import DeviceKeys
from strongroom.audit.options import DeviceOptions, parse_device_options
from strongroom.audit.verify import Problem, ProblemKind, VerifyResult, verify_lines

__all__ = [
    "GENESIS",
    "HASH_PREFIX",
    "NO_KEYS",
    "AuditBroker",
    "AuditDevice",
    "AuditDeviceFailed",
    "AuditFailed",
    "AuthInfo",
    "Chain",
    "ChainState",
    "DeviceKeys",
    "DeviceOptions",
    "MountAuditKeys",
    "Problem",
    "ProblemKind",
    "Salt",
    "VerifyResult",
    "hash_structure",
    "parse_device_options",
    "probe_entry",
    "raw_copy",
    "request_entry",
    "response_entry",
    "verify_lines",
]
