"""What every page shares: settings, the cached database connection, the language."""

from __future__ import annotations

import streamlit as st

from qms.accounts.rules import Principal
from qms.kernel.db import Database, open_database
from qms.kernel.errors import QmsError
from qms.kernel.labels import t as _t
from qms.kernel.settings import Settings, load_settings


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    """Built once per process from the environment (tests clear ``st.cache_resource``)."""
    return load_settings()


@st.cache_resource(show_spinner=False)
def _database(path: str) -> Database:
    return open_database(path)


def db() -> Database:
    """The shared, migrated database; on failure one message and the page stops."""
    try:
        return _database(str(settings().db_path))
    except QmsError as e:
        st.error(link_safe(e.text(lang())))
        st.stop()
        raise  # pragma: no cover - st.stop() raises


def actor() -> Principal:
    """The signed-in user, the author of every write a page makes.  The router's sign-in gate
    runs before any page, so a page without one is a programming error: it stops with a message."""
    principal = st.session_state.get("principal")
    if principal is None:
        st.error(t("auth.title"))
        st.stop()
    return principal


def lang() -> str:
    return st.session_state.get("lang", "vi")


def t(key: str, **params: object) -> str:
    return _t(key, lang(), **params)


def show_error(err: QmsError) -> None:
    """The error's one sentence, in the user's language; never a traceback.  Messages quote what
    the user typed or uploaded (names, cells, file names), so they are made link-safe."""
    st.error(link_safe(err.text(lang())))


DATE_FORMAT = "DD/MM/YYYY"

#: Characters that make Markdown out of text: links, images, emphasis, headings, code, HTML-like tags.
_MARKDOWN_SPECIALS = set("\\`*_[]()!<>#|~")


def plain(text: str) -> str:
    """User-supplied text (a unit name from an imported file) made safe for Markdown-rendering
    elements such as ``st.header`` and ``st.caption``: every special character is escaped, so a
    crafted name can never turn into a link, an image the browser fetches, or markup."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in text)


#: What Markdown needs to build a link, an image or a tag out of text.
_LINK_SPECIALS = set("\\[]<>")


def link_safe(text: str) -> str:
    """Lighter than :func:`plain`, for whole sentences that quote user input (error messages,
    counts with file names): brackets and angle brackets are escaped, so no link, image the
    browser would fetch, or tag can form; the sentence's own punctuation is left as written."""
    return "".join("\\" + c if c in _LINK_SPECIALS else c for c in text)
