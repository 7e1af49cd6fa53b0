"""The append-only change log: every write records who, when, what, before and after; and how people read it.
"""
