"""Parts of the demo province beyond units, lifecycle events and targets.

Each module here defines:

- ``ORDER: int``: parts load in this order (audits before the actions that follow from them);
- ``TABLES: tuple[str, ...]``: the tables it fills, emptied (in reverse part order) by
  ``qms demo --force``;
- ``load(cur, *, demo_dir, settings, actor) -> dict[str, int]``: writes its rows with the
  cursor of the demo's single transaction (``settings`` is :class:`qms.demo.DemoSettings`)
  and returns counts for the summary line; ``actor`` is the acting
  :class:`~qms.accounts.Principal` (its ``username`` is what the rows record).

:func:`qms.store.demo.load_demo` finds them by listing this package.
"""
