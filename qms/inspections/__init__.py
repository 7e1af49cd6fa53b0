"""The inspection year (Circular 26/2014/TT-BKHCN Art. 33-39): plan, assign, inspect, minute,
follow up.  Pure rules:

- :mod:`qms.inspections.ranking`: which units to inspect first, with the reasons shown, and the
  proposed plan (records or on site, month);
- :mod:`qms.inspections.rules`: plan states and amendments, item status, the on-site share,
  independence of the team, load per auditor and month, the corrective-report due date;
- :mod:`qms.inspections.minutes`: the minutes' facts and their .docx (Mẫu 21 BBKT layout as far
  as it is known).

Around them, by name: ``store.py`` and ``minutes_store.py`` (writes), ``queries.py`` (reads),
``snapshot_queries.py`` (the snapshot's tables), ``page.py`` and ``widgets.py`` (Kế hoạch kiểm
tra), ``cli.py`` (``qms programme``), ``export.py`` (the plan and minutes as files).
"""
