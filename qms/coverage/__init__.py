"""Coverage against the yearly targets per level and district: formulas, the SQL over small aggregates,
the targets grid and its page.
"""
