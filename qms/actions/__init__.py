"""Improvement actions from a finding to verified closure: rules, steps, store, queries, the Hành động page,
the commands and the snapshot table.
"""
