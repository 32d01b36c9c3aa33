"""Benchmarks for SafeGrid (`uv run python -m bench`)."""
