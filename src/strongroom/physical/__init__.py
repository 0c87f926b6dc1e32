"""Untrusted key/value storage. Knows nothing of encryption: values are opaque bytes."""

from strongroom.physical.base import (
    Backend,
    Delete,
    Put,
    TransactionalBackend,
    TxnOp,
    validate_key,
)

__all__ = ["Backend", "Delete", "Put", "TransactionalBackend", "TxnOp", "validate_key"]
