"""Administrative changes of units by legal act (merges, splits, renames, the end of districts in 2025):
the plan, the all-or-nothing import, the page, the commands, the snapshot tables, the demo's reform.
"""
