"""The inspection year (Circular 26/2014/TT-BKHCN Art. 33-39): plan, assign, inspect, minute,
follow up.  Pure modules only (no database, no UI):

- :mod:`qms.inspections.ranking`: which units to inspect first, with the reasons shown, and the
  proposed plan (records or on site, month);
- :mod:`qms.inspections.rules`: plan states and amendments, item status, the on-site share,
  independence of the team, load per auditor and month, the corrective-report due date;
- :mod:`qms.inspections.minutes`: the minutes' facts and their .docx (Mẫu 21 BBKT layout as far
  as it is known).
"""
