"""Units and their QMS lifecycle: the records, the lifecycle rules, names and parents over time, stage spans,
the unit list import, the demo province's history, the Đơn vị page.
"""
