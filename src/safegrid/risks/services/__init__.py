"""Risks writes, one module per area: points (the risk register), filing (一企一册), cards, regional, revision."""
