"""Monitoring reads, each scoped with core.scoping.restrict (out of scope = 404)."""
