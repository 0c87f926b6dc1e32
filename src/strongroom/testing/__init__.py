"""Public test helpers: a fake clock, an unsealed core, the storage conformance suite.

Never imported by the server's own code.
"""
