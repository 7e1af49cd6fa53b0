"""Suites that keep qms's promises under abuse (issue 14), run as commands that print figures:

- ``python -m qms.reliability.crash``: writers killed with SIGKILL at random, then invariants;
- ``python -m qms.reliability.races``: two writers at once on one record, then who won.

A door package like :mod:`qms.bench`: it drives the store's own write functions (never SQL of
its own for a write) on throw-away database files, and never opens the user's database.  What
each suite checks and its last figures: ``docs/reliability.md``.
"""
