"""Readers of each statutory extract: schemas, validation, quarantine and tidy tables.

Private: the public entry points are in ``features/_load.py``. Each source format has
one module here; only these modules touch the files.
"""
