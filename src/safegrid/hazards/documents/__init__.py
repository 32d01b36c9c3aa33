"""Printable hazard documents."""
