"""A file picker that speaks the user's language.

Streamlit's ``st.file_uploader`` writes its own English ("Upload", "200MB per file • CSV") and
offers no parameter to change it (Streamlit 1.67; streamlit/streamlit#13500 asks for one).
:func:`file_input` keeps the real widget (drag and drop, the browser's file dialog) and, with a
page style, hides those two texts and shows the button's label and a hint line from
:mod:`qms.kernel.labels` instead: the accepted types and the size limit the server enforces.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from qms.ui.context import t

#: The dropzone's own texts: the button's caption and the "limit per file • types" line.
_STYLE = """<style>
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p,
[data-testid="stFileUploaderDropzoneInstructions"] {{ display: none; }}
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"]::after {{
  content: {button};
}}
</style>"""


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal (Unicode as is: CSS escapes are not JSON's ``\\u``)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def file_input(label: str, types: Sequence[str], *, key: str, help: str | None = None,
               label_visibility: str = "visible", multiple: bool = False):
    """``st.file_uploader`` for one file of ``types`` (extensions without the dot; ``multiple``:
    several), its button and hint in the user's language; returns what the uploader returns."""
    st.html(_STYLE.format(button=_css_string(t("upload.button"))))
    uploaded = st.file_uploader(label, type=list(types), key=key, help=help, label_visibility=label_visibility,
                                accept_multiple_files=multiple)
    size = int(st.get_option("server.maxUploadSize"))
    st.caption(t("upload.hint", types=", ".join(f".{x}" for x in types), size=size))
    return uploaded
