"""Audits and inspections against pinned checklists: templates, rules, answers, findings, evidence,
the offline workbook, the printable checklist, the Đánh giá page and the audit commands.
"""
