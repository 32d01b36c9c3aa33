"""Where the API is assembled: every app's router mounted on one SafeGridAPI under /api/v1/.

The only package that imports the apps' `api` modules; apps import `safegrid.api` (the base) only.
"""
