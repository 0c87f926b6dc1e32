"""The token store: tokens are kept under a salted hash of their ID, never by the ID itself."""
