"""The options every audit device type shares (the sink reads its own from the same map).

Vault sends every option as a string; unknown keys are left to the sink or ignored, as Vault
does. A `prefix` is refused unless the server allows it (`allow_audit_log_prefixing`): a
prefixed line could smuggle text into a file another program reads (CVE-2025-6000 class).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from strongroom.audit.sinks.base import flag_option
from strongroom.errors import InvalidParameter
from strongroom.logical.values import parse_duration

DEFAULT_CHECKPOINT_INTERVAL = 30  # seconds
MAX_PREFIX_LENGTH = 256


@dataclass(frozen=True, slots=True)
class DeviceOptions:
    log_raw: bool = False
    hmac_accessor: bool = True
    elide_list_responses: bool = False
    prefix: str = ""
    # Beyond Vault: seconds between signed checkpoints while entries arrive.
    checkpoint_interval: int = DEFAULT_CHECKPOINT_INTERVAL
    skip_test: bool = False


def parse_device_options(options: Mapping[str, str], *, allow_prefix: bool) -> DeviceOptions:
    if options.get("format", "json") not in ("json", ""):
        raise InvalidParameter('unsupported audit format: only "json" is available')
    prefix = options.get("prefix", "")
    if prefix and not allow_prefix:
        raise InvalidParameter(
            "audit log prefixing is disabled; set allow_audit_log_prefixing in the server config"
        )
    if len(prefix) > MAX_PREFIX_LENGTH or any(char in prefix for char in "\r\n\x00"):
        raise InvalidParameter(
            f"prefix: at most {MAX_PREFIX_LENGTH} characters, no line breaks or NUL"
        )
    interval = _duration(options, "checkpoint_interval", DEFAULT_CHECKPOINT_INTERVAL)
    if interval < 1:
        raise InvalidParameter("checkpoint_interval: must be at least 1s")
    return DeviceOptions(
        log_raw=flag_option(options, "log_raw", False),
        hmac_accessor=flag_option(options, "hmac_accessor", True),
        elide_list_responses=flag_option(options, "elide_list_responses", False),
        prefix=prefix,
        checkpoint_interval=interval,
        skip_test=flag_option(options, "skip_test", False),
    )


def _duration(options: Mapping[str, str], name: str, default: int) -> int:
    value = options.get(name, "")
    if value == "":
        return default
    try:
        return parse_duration(value)
    except ValueError:
        raise InvalidParameter(f"{name}: expected a duration such as 30s") from None
