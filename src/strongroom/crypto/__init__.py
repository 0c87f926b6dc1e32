"""Pure cryptographic functions: no storage, no I/O."""
