"""/api/v1/major-hazards, /api/v1/special-works, /api/v1/commitments (mounted by safegrid.apiroot)."""

from ninja import Router

router = Router(tags=["重大危险源"])
