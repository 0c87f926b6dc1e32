"""The Shamir seal: protects the root key with a key-encryption key split into shares."""
