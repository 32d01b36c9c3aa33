"""Risks reads, one module per area, each scoped through `core.scoping.restrict` (out of scope = 404)."""
