"""Secrets engines: each a framework backend that sees only its own storage view."""
