"""Key/value secret storage."""
