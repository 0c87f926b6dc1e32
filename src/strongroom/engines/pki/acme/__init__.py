"""The ACME server (RFC 8555) of the PKI engine; `paths.py` is its table of contents."""
