"""Risks forms, one module per area (views import them; no form lives in a views module)."""
