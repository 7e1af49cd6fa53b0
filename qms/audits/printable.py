"""The printable checklist: one self-contained HTML page (no scripts, no outside resources) with
a box per grade for every item, ticked where an answer is saved, and lines for notes; the
browser prints it or saves it as PDF.  Pure: values in, text out; every value is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from qms.audits.rules import Result, StoredAnswer
from qms.audits.workbook import PackItem

_STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 11pt; margin: 1.5cm; }
h1 { font-size: 15pt; margin: 0 0 .2em; } .meta { color: #444; margin-bottom: 1em; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #888; padding: 4px 6px; vertical-align: top; }
th { background: #eee; } tr { page-break-inside: avoid; }
.q { width: 45%; } .guide { color: #555; font-size: 9pt; } .box { white-space: nowrap; font-size: 10pt; }
.note { height: 2.2em; } .sign { margin-top: 2em; }
@page { size: A4; margin: 1.2cm; } @media print { body { margin: 0; } }
"""


def printable_html(*, title: str, meta: str, items: Sequence[PackItem], answers: Mapping[str, StoredAnswer],
                   grades: Mapping[Result, str], evidence: Mapping[str, Sequence[tuple[str, str]]], headers: Sequence[str],
                   signature: str) -> str:
    """The page: ``headers`` are (item, question, result, note) column titles in the user's
    language; ``evidence``: item ref -> (file name, SHA-256) of its attached files, listed under
    the note with the hash's first 12 digits (the page serves as the audit's minutes)."""
    e = html.escape
    rows = []
    for item in items:
        answer = answers.get(item.ref)
        boxes = "<br>".join(("☒ " if answer and answer.result is r else "☐ ") + e(grades[r]) for r in Result)
        note = e(answer.note or "") if answer else ""
        attached = "".join(f'<div class="guide">📎 {e(name)} ({e(sha[:12])})</div>' for name, sha in evidence.get(item.ref, ()))
        guide = f'<div class="guide">{e(item.guidance)}</div>' if item.guidance else ""
        clause = f" · {e(item.clause)}" if item.clause else ""
        rows.append(f"<tr><td><b>{e(item.ref)}</b>{clause}</td><td class=\"q\">{e(item.question)}{guide}</td>"
                    f"<td class=\"box\">{boxes}</td><td class=\"note\">{note}{attached}</td></tr>")
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    return (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{e(title)}</title>'
            f"<style>{_STYLE}</style></head><body><h1>{e(title)}</h1><div class=\"meta\">{e(meta)}</div>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f'<p class="sign">{e(signature)}: ..............................................</p></body></html>')
