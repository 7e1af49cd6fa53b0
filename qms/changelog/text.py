"""A change log entry's before and after as a person reads them: labelled, in their language.

The log keeps each side as the JSON the store wrote (field names in English, dates in ISO 8601,
stored words such as ``announced``); that stays the record.  :func:`describe` turns one side
into one line of text: ``Sự kiện: Công bố; Ngày: 01/05/2021; Tiêu chuẩn: TCVN ISO 9001:2015``.
Field names come from the ``log.field.*`` labels; a stored word is named by the label of its
kind (events, statuses, roles, sources...) where one exists, else shown as written; ISO dates
read dd/mm/yyyy; long lists are cut after a few items with their count.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from qms.kernel import formatting
from qms.kernel.labels import LABELS, kind_label, t

#: Items of a list shown before "… and n more".
LIST_ITEMS = 8


def _label(key: str, lang: str) -> str | None:
    return t(key, lang) if key in LABELS else None


def _word(prefix: str) -> Callable[[str, str, str], str | None]:
    return lambda value, lang, entity: _label(f"{prefix}{value}", lang)


def _status(value: str, lang: str, entity: str) -> str | None:
    prefix = {"actions": "action.status.", "audits": "audit.status.", "process_versions": "scope.status_"}.get(entity)
    return _label(f"{prefix}{value}", lang) if prefix else None


def _source(value: str, lang: str, entity: str) -> str | None:
    return _label(f"action.source.{value}" if entity == "actions" else f"source.{value}", lang)


def _kind(value: str, lang: str, entity: str) -> str | None:
    return _label(f"audit.kind.{value}", lang) if entity == "audits" else kind_label(value, lang)


def _password(value: str, lang: str, entity: str) -> str | None:
    return _label(f"log.value.password_{value}", lang)


#: How a stored word of a field reads: field -> (word, language, entity) -> label or None.
WORDS: dict[str, Callable[[str, str, str], str | None]] = {
    "event_type": _word("event."), "level": _word("level."), "role": _word("role."), "result": _word("audit.result."),
    "type": _word("action.type."), "step": _word("action.step."), "effect": _word("scope.effect."),
    "status": _status, "source": _source, "kind": _kind, "password": _password,
    "standard": lambda value, lang, entity: f"TCVN ISO 9001:{value}" if value in ("2008", "2015") else None,
}


_UNIT_KEY = re.compile(r"^([0-9A-Za-z][0-9A-Za-z._-]*)@(\d{4}-\d{2}-\d{2})$")


def _unit_key_text(value: str, lang: str) -> str | None:
    """A unit key formed on a reused code (``03388@2025-07-01``) as people say it: the official
    code and the day the unit started (``03388 (từ 01/07/2025)``)."""
    m = _UNIT_KEY.match(value)
    if not m:
        return None
    day = formatting.iso_text(m.group(2)) or m.group(2)
    return f"{m.group(1)} ({'từ' if lang == 'vi' else 'from'} {day})"


def unit_ref(code: str, lang: str = "vi") -> str:
    """A unit's code as people say it: its official code, with the day it started when the key
    is one formed on a reused code (``03388 (từ 01/07/2025)``); any other code unchanged."""
    return _unit_key_text(code, lang) or code


def value_text(field: str | None, value: Any, lang: str = "vi", *, entity: str = "") -> str:
    """One stored value as text: a labelled word, a date, yes/no, a number, a list, a record."""
    if value is None:
        return formatting.MISSING
    if isinstance(value, bool):
        return t("common.yes" if value else "common.no", lang)
    if isinstance(value, (int, float)):
        plain = field is not None and (field.endswith("_id") or field in ("year", "template_version", "issue_no"))
        return str(value) if plain else formatting.number(value, lang)
    if isinstance(value, str):
        if field in WORDS:
            named = WORDS[field](value, lang, entity)
            if named:
                return named
        return _unit_key_text(value, lang) or formatting.iso_text(value) or value
    if isinstance(value, dict):
        return record_text(value, lang, entity=entity)
    if isinstance(value, (list, tuple)):
        if not value:
            return formatting.MISSING
        shown = [value_text(field, v, lang, entity=entity) for v in value[:LIST_ITEMS]]
        more = [t("log.value.more", lang, n=len(value) - LIST_ITEMS)] if len(value) > LIST_ITEMS else []
        joint = " | " if any(isinstance(v, dict) for v in value) else ", "
        return joint.join(shown + more)
    return str(value)


def field_label(field: str, lang: str = "vi") -> str:
    """A stored field's name as people read it (a field without a label keeps its name)."""
    return _label(f"log.field.{field}", lang) or field


def record_text(record: dict[str, Any], lang: str = "vi", *, entity: str = "") -> str:
    """``Label: value; Label: value`` for a record."""
    return "; ".join(f"{field_label(k, lang)}: {value_text(k, v, lang, entity=entity)}" for k, v in record.items())


def labelled(record: dict[str, Any], lang: str = "vi", *, entity: str = "") -> dict[str, str]:
    """A record as a table row: each field under its label, each value as text."""
    return {field_label(k, lang): value_text(k, v, lang, entity=entity) if v not in (None, "", ()) else ""
            for k, v in record.items()}


def _answers_text(answers: dict[str, Any], lang: str) -> str:
    """Saved checklist answers (item -> [result, note, evidence]): ``c5-01: Phù hợp (note)``."""
    out = []
    for ref, answer in answers.items():
        if not answer:
            out.append(f"{ref}: {t('audit.unanswered', lang)}")
            continue
        result, *rest = answer
        extra = "; ".join(str(x) for x in rest if x)
        out.append(f"{ref}: {value_text('result', result, lang)}" + (f" ({extra})" if extra else ""))
    return "; ".join(out)


def describe(side: str | Any, lang: str = "vi", *, entity: str = "", action: str = "") -> str:
    """One side (before or after) of a change log entry, as stored (JSON text) or parsed."""
    if side is None or side == "":
        return ""
    value = side
    if isinstance(side, str):
        try:
            value = json.loads(side)
        except ValueError:
            return side
    if entity == "audits" and action == "save_answers" and isinstance(value, dict):
        return _answers_text(value, lang)
    return value_text(None, value, lang, entity=entity)
