"""Exports: Parquet snapshots for the PAR-index tool, the PAR indicators and the annual report.

A door over the domain and the store (allowed to import the features' store modules; never the UI).
Each feature declares its tables of the snapshot in its ``snapshot_queries.py`` (or a
``*_snapshot_export.py``), collected by :mod:`qms.exports.registry`.
"""
