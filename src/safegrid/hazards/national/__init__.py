"""The national dual-prevention upload format (REFERENCE §9), in and out, per target profile.

rules/national.py (pure: profiles, code tables, the whole-payload check) · profiles.py (the deployment's
targets) · export.py (an enterprise's register, tasks, records, hazards and shutdowns in the national shape)
· importer.py (check whole, then write through the services, keyed by national id) · archive.py (the zip:
national.json + photos/) · api.py (/api/v1/national/…) · views.py (/hazards/national/).
"""
