"""Scope of a QMS: each unit's TTHC catalogue and the ISO processes covering them, legal changes,
imports and exports of catalogues and process lists, the Quy trình page.
"""
