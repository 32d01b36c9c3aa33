"""Monitoring writes (see docs/architecture.md "Where each kind of code lives")."""
