"""Leases: every secret with a TTL and every service token expire on schedule, through here.

`LeaseManager` keeps leases in storage (never all in memory), calls the issuing engine back by
mount point and secret type (so it works the same after a restart), and retries a failing
revocation with backoff before reporting the lease irrevocable.
"""

from strongroom.lease.entry import LeaseEntry
from strongroom.lease.manager import LeaseManager
from strongroom.lease.revoker import Revoker

__all__ = ["LeaseEntry", "LeaseManager", "Revoker"]
