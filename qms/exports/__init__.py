"""Exports: Parquet snapshots for the PAR-index tool, the PAR indicators and the annual report.

A door over the domain and the store (allowed to import the features' store modules; never the UI).
Tables of the snapshot are registered in ``tables_*`` modules (:mod:`qms.exports.registry`).
"""
