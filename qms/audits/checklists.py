"""Checklist templates: versioned YAML files that an audit or inspection is run against.

Contract:
- A template is identified by ``(id, version)``; an audit pins the id, the version and the
  SHA-256 of the file's bytes (:func:`content_hash`), so a later edit of the file can be seen.
  To change a published template, add a new version; never edit one in place.
- Every model is frozen and refuses unknown keys: a typo in a YAML key is an error, not a silently
  ignored field.  Vietnamese text is NFC-normalised, so equal-looking strings compare equal.
- Clause numbers are checked against :mod:`qms.audits.iso_clauses` for the template's standard; a
  ``legal`` template (an inspection under Circular 26) may cite clauses of either version.
- Every problem surfaces as a :class:`TemplateError` ("<file>: <location>: <reason>").  Loading a
  folder never stops at a broken file: the others still load and the broken one is reported
  (a dangling link named ``*.yaml`` too).
- A file is checked before its YAML is built: at most 2 MB, 20 levels deep, no anchors or
  aliases, no key written twice in a mapping; ``version`` is at most 9999.
- Clauses must be written as strings in YAML (``"8.2"``, not ``8.2``, which YAML reads as a number).
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Literal, NamedTuple

import yaml

#: libyaml's C loader when available (10x faster on the shipped templates), else the pure-Python one; both safe.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from qms.audits.iso_clauses import is_known_clause
from qms.kernel.errors import QmsError

_REF = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
#: The highest template version accepted (versions count edits: 1, 2, 3...).
MAX_VERSION = 9999
_CLAUSE = re.compile(r"^[0-9]+(\.[0-9]+)*$")


def _nfc(value: str | None) -> str | None:
    """NFC-normalise and strip; refuse a blank string (a blank text is always a mistake)."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value).strip()
    if not value:
        raise ValueError("must not be empty")
    return value


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(_Frozen):
    """A text in Vietnamese (required, the authoritative wording) and optionally English."""

    vi: str
    en: str | None = None

    @field_validator("vi", "en")
    @classmethod
    def _normalise(cls, v: str | None) -> str | None:
        return _nfc(v)


class ChecklistItem(_Frozen):
    """One checkable question.  ``ref`` is stable across versions: results are keyed by it."""

    ref: str = Field(pattern=_REF)
    clause_2008: str | None = None
    clause_2015: str | None = None
    question: LocalizedText
    guidance: LocalizedText | None = None
    evidence: LocalizedText | None = None
    legal_basis: str | None = None
    weight: float = Field(default=1.0, gt=0, le=10)

    @field_validator("clause_2008", "clause_2015", mode="before")
    @classmethod
    def _clause_is_text(cls, v: object) -> object:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            raise PydanticCustomError(
                "clause_not_text", f"write the clause in quotes, e.g. \"{v}\" "
                f"(YAML reads an unquoted {v} as a number)")
        if isinstance(v, str) and not _CLAUSE.match(v):
            raise PydanticCustomError(
                "clause_format", f"clause {v!r} is not a dotted number such as \"8.2.2\"")
        return v

    @field_validator("legal_basis")
    @classmethod
    def _normalise(cls, v: str | None) -> str | None:
        return _nfc(v)


class ChecklistSection(_Frozen):
    """A group of items, usually one top-level clause or one paragraph of the law."""

    ref: str = Field(pattern=_REF)
    title: LocalizedText
    items: list[ChecklistItem] = Field(min_length=1)


def _err(kind: str, msg: str, loc: tuple, value: object) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError(kind, msg), loc=loc, input=value)


class ChecklistTemplate(_Frozen):
    """A whole checklist.  Cross-item rules are checked here, with each error located exactly."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)
    #: Bounded: an audit stores the version it pinned as a database integer.
    version: int = Field(ge=1, le=MAX_VERSION)
    standard: Literal["iso9001_2008", "iso9001_2015", "legal"]
    title: LocalizedText
    description: LocalizedText | None = None
    levels: list[Literal["department", "district", "commune"]] = Field(min_length=1)
    sections: list[ChecklistSection] = Field(min_length=1)

    @model_validator(mode="after")
    def _cross_checks(self) -> "ChecklistTemplate":
        problems: list[InitErrorDetails] = []
        seen_levels: set[str] = set()
        for i, level in enumerate(self.levels):
            if level in seen_levels:
                problems.append(_err("duplicate_level", f"level {level!r} is listed twice",
                                     ("levels", i), level))
            seen_levels.add(level)
        sections: dict[str, int] = {}
        items: dict[str, str] = {}
        for s, section in enumerate(self.sections):
            if section.ref in sections:
                problems.append(_err(
                    "duplicate_ref", f"duplicate section ref {section.ref!r} (first used at "
                    f"sections[{sections[section.ref]}])", ("sections", s, "ref"), section.ref))
            sections.setdefault(section.ref, s)
            for n, item in enumerate(section.items):
                loc = ("sections", s, "items", n)
                if item.ref in items:
                    problems.append(_err(
                        "duplicate_ref",
                        f"duplicate item ref {item.ref!r} (first used at {items[item.ref]})",
                        loc + ("ref",), item.ref))
                items.setdefault(item.ref, error_location(loc))
                problems += self._clause_problems(item, loc)
        if problems:  # pydantic keeps each error's own loc when a validator raises this
            raise PydanticValidationError.from_exception_data(type(self).__name__, problems)
        return self

    def _clause_problems(self, item: ChecklistItem, loc: tuple) -> list[InitErrorDetails]:
        out = []
        if self.standard != "legal" and item.clause_2008 is None and item.clause_2015 is None:
            out.append(_err("clause_missing", "an item needs clause_2008 or clause_2015",
                            loc, item.ref))
        for key, std in (("clause_2008", "2008"), ("clause_2015", "2015")):
            clause = getattr(item, key)
            if clause is not None and not is_known_clause(std, clause):
                out.append(_err("clause_unknown",
                                f"clause {clause!r} does not exist in ISO 9001:{std}",
                                loc + (key,), clause))
        return out

    def items(self) -> Iterator[tuple[ChecklistSection, ChecklistItem]]:
        """Every (section, item) pair, in document order."""
        for section in self.sections:
            for item in section.items:
                yield section, item

    @property
    def item_count(self) -> int:
        return sum(len(s.items) for s in self.sections)


class TemplateError(QmsError):
    """A template file that cannot be used; ``str()`` is "<file>: <location>: <reason>".

    ``location`` is a path into the document (``sections[2].items[5].clause_2015``, indexes
    counted from 0), ``line N`` for YAML syntax errors, or ``file``/``directory``.  When a file
    has several problems the first is in ``location``/``reason`` and the rest in ``others``.
    """

    def __init__(self, file: str, location: str, reason: str,
                 others: tuple[tuple[str, str], ...] = ()):
        self.file, self.location, self.reason, self.others = str(file), location, reason, others
        more = "".join(f"; {where}: {why}" for where, why in others)
        super().__init__(f"{self.file}: {location}: {reason}{more}")


def error_location(loc: tuple) -> str:
    """A pydantic error location as a path a person reads: ``sections[2].items[5].clause_2015``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "top level"


def error_reason(error: dict) -> str:
    """A pydantic error in one short phrase (unknown key, missing key, the validator's message)."""
    if error["type"] == "extra_forbidden":
        return f"unknown key {error['loc'][-1]!r}"
    if error["type"] == "missing":
        return "required key is missing"
    if error["type"] == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return error["msg"]


#: Limits a template file is checked against before its YAML is built into objects: a real
#: checklist is a few hundred items about 6 levels deep.  Without them a file nested 50,000
#: lists deep crashed the process (libyaml's composer recurses on the C stack) and a few lines of
#: aliases expand to billions of items for the validator.
MAX_TEMPLATE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 20
MAX_EVENTS = 500_000


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _TemplateLoader(_LOADER):
    """The safe loader, refusing a key written twice in one mapping (YAML would keep the last
    silently: a template whose ``weight`` or ``clause_2015`` is written twice means two things)."""

    def construct_mapping(self, node, deep=False):
        first: dict[str, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                line = key_node.start_mark.line + 1
                if key_node.value in first:
                    raise _DuplicateKey(problem=f"key {key_node.value!r} is written twice in one mapping "
                                                f"(first on line {first[key_node.value]})", problem_mark=key_node.start_mark)
                first[key_node.value] = line
        return super().construct_mapping(node, deep=deep)


def _check_shape(text: str, file: str) -> None:
    """Walk the YAML's events (a flat stream, no recursion) and refuse nesting deeper than
    :data:`MAX_DEPTH`, anchors and aliases (a template has no use for them) and more than
    :data:`MAX_EVENTS` nodes, before anything is built."""
    depth = 0
    for count, event in enumerate(yaml.parse(text, Loader=_LOADER)):
        if count > MAX_EVENTS:
            raise TemplateError(file, f"line {event.start_mark.line + 1}", f"more than {MAX_EVENTS:,} YAML nodes; a template is far smaller")
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise TemplateError(file, f"line {event.start_mark.line + 1}",
                                "anchors and aliases (&name, *name) are not allowed in a template; write the text out")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise TemplateError(file, f"line {event.start_mark.line + 1}",
                                    f"nested more than {MAX_DEPTH} levels deep; a template is a few levels deep")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _parse(data: bytes, file: str) -> ChecklistTemplate:
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateError(file, "file", f"{len(data):,} bytes, more than the {MAX_TEMPLATE_BYTES // (1024 * 1024)} MB a template may be")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise TemplateError(file, "file", f"not UTF-8 text (byte {e.start})") from None
    try:
        _check_shape(text, file)
        raw = yaml.load(text, Loader=_TemplateLoader)
    except _DuplicateKey as e:
        raise TemplateError(file, f"line {e.problem_mark.line + 1}", e.problem) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"line {mark.line + 1}" if mark else "file"
        why = " ".join(p for p in (e.context, e.problem) if p) or "YAML syntax error"
        raise TemplateError(file, where, f"YAML syntax error: {why}") from None
    except yaml.YAMLError as e:
        raise TemplateError(file, "file", f"YAML error: {e}") from None
    if not isinstance(raw, dict):
        kind = "empty" if raw is None else f"a {type(raw).__name__}"
        raise TemplateError(file, "top level", f"expected a mapping of keys, the file is {kind}")
    try:
        return ChecklistTemplate.model_validate(raw)
    except PydanticValidationError as e:
        found = [(error_location(err["loc"]), error_reason(err)) for err in e.errors()]
        raise TemplateError(file, *found[0], others=tuple(found[1:])) from None


def load_template(path: Path) -> ChecklistTemplate:
    """Read and validate one template file; any problem raises :class:`TemplateError`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise TemplateError(str(path), "file", f"cannot be read ({e.strerror or e})") from None
    return _parse(data, str(path))


def content_hash(path_or_bytes: Path | str | bytes) -> str:
    """SHA-256 hex digest of a file's exact bytes (a ``str`` is taken as a path)."""
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
    return hashlib.sha256(data).hexdigest()


class TemplateEntry(NamedTuple):
    template: ChecklistTemplate
    hash: str
    path: Path


@dataclass
class LoadedTemplates:
    """Result of loading a folder: good templates sorted by (id, version), and broken files."""

    templates: list[TemplateEntry] = field(default_factory=list)
    broken: list[TemplateError] = field(default_factory=list)

    def latest(self, template_id: str) -> TemplateEntry | None:
        """The highest version of a template id, or None when no file defines it."""
        found = [e for e in self.templates if e.template.id == template_id]
        return found[-1] if found else None

    def get(self, template_id: str, version: int) -> TemplateEntry | None:
        """One exact (id, version), as pinned by an audit, or None."""
        return next((e for e in self.templates
                     if (e.template.id, e.template.version) == (template_id, version)), None)


def _template_files(directory: Path) -> list[Path]:
    """Every entry named ``*.yaml``/``*.yml`` (files, and links or folders so named: those are
    reported, never skipped silently)."""
    return sorted(p for p in directory.iterdir() if p.suffix.lower() in (".yaml", ".yml"))


def _not_a_file(path: Path) -> TemplateError | None:
    """Why a template entry is not a readable file (a dangling link, a folder), or None."""
    if path.is_symlink() and not path.exists():
        return TemplateError(str(path), "file", f"is a link to {os.readlink(path)}, which does not exist")
    if not path.is_file():
        return TemplateError(str(path), "file", "is not a file (a folder or a device named like a template)")
    return None


def load_templates(directory: Path) -> LoadedTemplates:
    """Load every ``*.yaml``/``*.yml`` file of a folder (not its sub-folders), in name order.

    A broken file is reported in ``broken`` and never stops the others.  Two files with the same
    (id, version): identical bytes are one template (the first file is kept); different bytes
    make the later file broken, because an audit pinned to that version would be ambiguous.
    """
    directory = Path(directory)
    result = LoadedTemplates()
    if not directory.is_dir():
        result.broken.append(TemplateError(str(directory), "directory", "is not a folder"
                                           if directory.exists() else "does not exist"))
        return result
    by_key: dict[tuple[str, int], TemplateEntry] = {}
    for path in _template_files(directory):
        problem = _not_a_file(path)
        if problem is not None:
            result.broken.append(problem)
            continue
        try:
            data = path.read_bytes()
            template = _parse(data, str(path))
        except OSError as e:
            result.broken.append(TemplateError(str(path), "file", f"cannot be read ({e})"))
            continue
        except TemplateError as e:
            result.broken.append(e)
            continue
        entry = TemplateEntry(template, content_hash(data), path)
        key = (template.id, template.version)
        first = by_key.get(key)
        if first is None:
            by_key[key] = entry
        elif first.hash != entry.hash:
            result.broken.append(TemplateError(
                str(path), "version",
                f"template {key[0]!r} version {key[1]} is already defined by {first.path.name} "
                "with different content; give this file a new version number"))
    result.templates = [by_key[k] for k in sorted(by_key)]
    return result


def validate_dir(directory: Path) -> list[TemplateError]:
    """Every problem of a template folder; an empty list means all files are usable.

    A missing folder, or a folder without any template file, is one error: a deployment that
    ships no checklist is a mistake, not a success.
    """
    loaded = load_templates(directory)
    if not loaded.broken and not loaded.templates:
        return [TemplateError(str(directory), "directory", "contains no *.yaml or *.yml file")]
    return loaded.broken
