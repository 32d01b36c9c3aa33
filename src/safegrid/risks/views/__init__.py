"""Risks pages, one module per area; `risks/urls.py` mounts them all."""
