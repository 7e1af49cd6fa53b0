"""The one rule for text that enters qms: no control characters.

Pure.  Every door applies it: the workbook reader to every cell of an imported file
(:mod:`qms.kernel.workbook_reader`), the models to every text a form or an importer hands to the store
(:data:`qms.units.model.NfcText`), the few store writes that take a bare string.  Text already stored
before the rule existed is made printable by the spreadsheet writer (:func:`printable`), so an
export never fails on it.

Why refuse rather than strip: a NUL, an escape sequence (``ESC [ 31 m``) or a form feed in a
TTHC name is never what an officer meant; it comes from a broken export or a hostile file, and
silently changing the text would hide that.  The refusal names the character (``U+001B``) so the
cell can be found.  Tab, line feed and carriage return are kept: notes have lines.

The refused characters are the C0 controls but tab, LF and CR; DEL and the C1 controls
(U+007F-U+009F); and U+FFFE/U+FFFF, which XML (and so .xlsx) cannot hold.
"""

from __future__ import annotations

import re
import unicodedata

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def control_character(text: str) -> str | None:
    """The first refused character of ``text`` as ``U+001B``, or None when there is none."""
    found = CONTROL_CHARACTERS.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def why_refused(text: str) -> str | None:
    """The reason ``text`` is refused (one phrase, English), or None when it is acceptable."""
    char = control_character(text)
    if char is None:
        return None
    return f"holds a control character ({char}), which is not text; remove it"


def clean_text(text: str) -> str:
    """NFC-normalised and stripped ``text``; ``ValueError`` (one phrase) when it holds a control
    character.  The validator of every text field of the models."""
    if CONTROL_CHARACTERS.search(text) is not None:
        raise ValueError(why_refused(text))
    return unicodedata.normalize("NFC", text).strip()


def printable(text: str) -> str:
    """``text`` without the refused characters: for writing what was stored before the rule."""
    return CONTROL_CHARACTERS.sub("", text)


def checked_text(text: str, *, field: str) -> str:
    """:func:`clean_text` for a store write that takes a bare string (a new unit name, a reopening
    reason): a refusal is one :class:`qms.kernel.errors.ValidationError` naming ``field``."""
    from qms.kernel.errors import ValidationError

    try:
        return clean_text(text)
    except ValueError as e:
        raise ValidationError(f"{field}: {e}; nothing was saved.", vi=f"{field}: có ký tự điều khiển ({control_character(text)}), "
                              "không phải chữ; hãy xoá ký tự đó. Chưa lưu gì.") from None
