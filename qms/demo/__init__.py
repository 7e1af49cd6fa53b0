"""The Lai Châu demo province, loaded into a database in one transaction (:mod:`qms.demo.store`).

Units, lifecycle events and targets are loaded by :mod:`qms.demo.store` itself; every other
feature adds its part as ``qms/<feature>/demo_store.py`` (or ``*_demo_store.py``), which defines:

- ``ORDER: int``: parts load in this order (audits before the actions that follow from them);
- ``TABLES: tuple[str, ...]``: the tables it fills, emptied (in reverse part order) by
  ``qms demo --force``;
- ``load(cur, *, demo_dir, settings, actor) -> dict[str, int]``: writes its rows with the
  cursor of the demo's single transaction (``settings`` is :class:`qms.units.demo.DemoSettings`)
  and returns counts for the summary line; ``actor`` is the acting
  :class:`~qms.accounts.rules.Principal` (its ``username`` is what the rows record).

:func:`qms.demo.store.load_demo` finds them by name (:mod:`qms.kernel.features`).
"""
