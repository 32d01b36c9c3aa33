"""Deterministic demo county generator (plain package, not a Django app).

`geometry` splits the real county outline into illustrative town/village/grid boundaries,
`names` generates fictional people, villages and companies, `builders` writes it all.
"""
