"""What every browser journey uses to drive the running app (Streamlit 1.67 in Chromium).

The rule of every helper: act like a user, then wait for the app, never for the clock.
After an interaction Streamlit sets ``data-test-script-state`` on ``stApp`` to ``running`` a
moment later (the message goes to the server first), so :func:`wait_idle` pauses briefly
(:data:`PAUSE_MS`) and then waits for ``notRunning``; callers then wait for the text they expect
with ``expect(...)`` (which polls until its timeout: a wait for a condition, not a retry).

Navigation and waiting
- :func:`sign_in(page, base_url, username, password) <sign_in>`: load the app and sign in (the
  ``page`` fixture does it as the administrator; every test starts signed in, on the overview).
- :func:`goto(page, path="") <goto>`: go to a page of the app by its sidebar link (``""`` is the
  overview; ``"units"``, ``"targets"``, ``"import"``...), wait until it is drawn.  Never load a
  URL to move inside the app: a browser load starts a new Streamlit session, signed out.
- :func:`open_url(page, url) <open_url>`: a browser load (new session), for the sign-in page.
- :func:`wait_idle(page) <wait_idle>`: after any click or key press: the run has ended and every
  chart is drawn (so nothing moves under the next click); fails at once, with its text, when the
  app shows an exception box.

Widgets (``key`` is the Streamlit widget key: widgets carry the CSS class ``st-key-<key>``)
- :func:`set_date(page, key, day) <set_date>`: type a date into a ``st.date_input``
  (dd/mm/yyyy), leave the field so that Streamlit commits it, wait for the rerun.
- :func:`choose(page, key, option) <choose>`: pick an option of a ``st.selectbox``.
- :func:`fill(page, key, text) <fill>`: type into a ``st.text_input`` / ``st.text_area``.
- :func:`click_button(page, name) <click_button>`: press a button by its label, wait.
- :func:`upload(page, key, path) <upload>`: give a file to a ``st.file_uploader``.
- :func:`choose_starting(page, key, prefix) <choose_starting>`: pick the option whose label
  starts with ``prefix``; ``choose(..., search=text)`` types ``text`` first in a long list.
- :func:`options(page, key) <options>`: the labels a selectbox offers.
- :func:`segment(page, key, option) <segment>` / :func:`checked_segment`: click / read a
  ``st.segmented_control`` (one click per answer).
- :func:`commit(page, key, text) <commit>`: type into a text field and apply it (its
  ``on_change`` runs), as Enter (Ctrl+Enter in a text area) does.
- :func:`open_tab(page, name) <open_tab>`: show a ``st.tabs`` tab.
- :func:`download(page, name, folder) <download>`: press a download button, save the file.

The units page
- :func:`open_unit(page, code) <open_unit>` / :func:`reopen_unit`: find a unit by its code;
  :func:`search_units(page, text) <search_units>`: type into the units search.

Reading what is on screen
- :func:`metric(page, label) <metric>` -> ``(value, delta)`` texts of a ``st.metric``.
- :func:`chart_marks(chart) <chart_marks>`: the accessible labels Vega gives every drawn mark
  ("Huyện: …; Tỷ lệ (%): 82.35; …"): the numbers a chart really drew.
  :func:`chart_with_axis(page, title) <chart_with_axis>` finds an altair chart by axis title.
- :func:`grid(page, *columns) <grid>`: the ``st.dataframe`` having those column headers;
  :func:`grid_rows` / :func:`grid_row_count` read it; :func:`all_grid_rows` waits
  until a small grid has drawn every row.  Dataframes draw on a canvas, but
  glide-data-grid keeps an accessible ``<table>`` inside it, which these helpers read.
- :func:`alerts(page) <alerts>`: texts of the visible ``st.success/info/warning/error`` boxes.

The network rule
- :func:`record_requests(context, sink) <record_requests>`: note every URL a browser context
  requests (pages, their websockets); the ``page`` fixture uses it for every test.
- :func:`is_local(url) <is_local>` / :func:`foreign(urls) <foreign>`: which URLs leave the
  machine (anything but 127.0.0.1 / localhost / ::1 and data:, blob:, about:).

Failure evidence
- :func:`save_artifacts(page, name, folder) <save_artifacts>` writes ``<name>.png`` (full-page
  screenshot) and ``<name>.txt`` (the page's text) and returns both paths.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Locator, Page, expect

#: The app is idle: no script run in progress.
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
#: Time between an input and the moment Streamlit marks the script as running.
PAUSE_MS = 150
#: Longest wait for the app to answer an interaction (a cold first run compiles the pages).
TIMEOUT_MS = 20_000

expect.set_options(timeout=TIMEOUT_MS)

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})


# --- navigation and waiting ---------------------------------------------------------------

#: Every chart that is displayed (not in a hidden tab or expander) has drawn its svg or canvas.
_CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
    .filter(chart => chart.offsetWidth > 0 && chart.getClientRects().length > 0)
    .every(chart => chart.querySelector('svg, canvas'))"""


def wait_idle(page: Page, pause_ms: int = PAUSE_MS) -> None:
    """Wait until the script run caused by the last interaction has finished.

    Fails with the exception's text when the app shows one (a traceback box), so a crash in a
    page reads as that crash, not as a missing-text timeout further on.
    """
    page.wait_for_timeout(pause_ms)
    page.wait_for_selector(IDLE, timeout=TIMEOUT_MS)
    # Charts draw after the run: wait for them, or the layout shifts under the next click.
    page.wait_for_function(_CHARTS_DRAWN, timeout=TIMEOUT_MS)
    boxes = page.locator('[data-testid="stException"]')
    if boxes.count():
        raise AssertionError(f"the app shows an exception: {boxes.first.inner_text()}")


def open_url(page: Page, url: str) -> None:
    """Load ``url`` in the browser: a new Streamlit session (signed out), first run awaited."""
    page.goto(url)
    wait_idle(page)
    expect(page.locator("h1").first).to_be_visible()


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Open the app and sign in through its form; the session then shows the overview."""
    open_url(page, base_url)
    expect(page.locator("h1").first).to_have_text("Đăng nhập")
    fill(page, "sign_in_username", username)
    fill(page, "sign_in_password", password)
    click_button(page, "Đăng nhập")
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()


def nav_link(page: Page, path: str = "") -> Locator:
    """The sidebar's link to the page ``path`` ("" is the overview), the list opened in full."""
    nav = page.get_by_test_id("stSidebarNav")
    link = nav.locator(f'a[href$="/{path.strip("/")}"]' if path else 'a[href$="/"]')
    more = nav.get_by_test_id("stSidebarNavViewButton")
    if not link.count() and more.count():  # a long list shows "View more" first
        more.click()
    return link


def goto(page: Page, path: str = "") -> None:
    """Go to the app's page ``path`` ("" is the overview) by its link in the sidebar.

    A browser load (``page.goto``) would start a new, signed-out session: inside the app one
    moves by the navigation links, as users do.  Fails when the page has no link (e.g. the
    signed-in role may not see it).
    """
    link = nav_link(page, path)
    expect(link).to_have_count(1)
    link.click()
    wait_idle(page)
    expect(page.locator("h1").first).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/{re.escape(path.strip('/'))}(\?.*)?$"))


# --- widgets -------------------------------------------------------------------------------

def widget(page: Page, key: str) -> Locator:
    """The element container of the widget created with ``key=`` (Streamlit writes the class
    ``st-key-<key>`` with every character but letters, digits, ``_`` and ``-`` made a ``-``)."""
    return page.locator(f".st-key-{re.sub(r'[^a-zA-Z0-9_-]', '-', key.strip())}")


def open_tab(page: Page, name: str) -> None:
    """Show the tab labelled ``name``; the pages' tabs compute only when open, so the click
    starts a run, awaited."""
    tab = page.get_by_role("tab", name=name, exact=True)
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    wait_idle(page)


def set_date(page: Page, key: str, day: dt.date) -> None:
    """Type ``day`` as dd/mm/yyyy into the date input ``key`` and commit it.

    Streamlit 1.67's date field is three spin buttons (day, month, year) that commit the date
    when focus leaves the widget (Enter does not), so the helper tabs out of it.
    """
    box = widget(page, key)
    spins = box.get_by_role("spinbutton")
    spins.first.click()
    page.keyboard.press("Control+a")
    page.keyboard.type(day.strftime("%d/%m/%Y"))
    for spin, value in zip(spins.all(), (day.day, day.month, day.year)):
        expect(spin).to_have_attribute("aria-valuenow", str(value))
    for _ in range(4):  # day/month/year segments, then the calendar button, then out
        if not box.evaluate("e => e.contains(document.activeElement)"):
            break
        page.keyboard.press("Tab")
    else:  # pragma: no cover - the widget kept the focus
        raise AssertionError(f"the focus did not leave the date input {key!r}")
    wait_idle(page)


def _open_options(page: Page, key: str, search: str | None) -> Locator:
    combo = widget(page, key).get_by_role("combobox")
    combo.evaluate("e => e.scrollIntoView({block: 'center'})")
    combo.click()
    expect(combo).to_have_attribute("aria-expanded", "true")
    if search:  # a long list draws only the options in view: typing narrows it, as a user does
        page.keyboard.type(search)
    return combo


def choose(page: Page, key: str, option: str, *, search: str | None = None) -> None:
    """Pick ``option`` (its exact label) in the selectbox ``key``; ``search``: text typed first
    to narrow a long list (e.g. the unit code).

    The option list closes when the page scrolls, and focusing a field near the edge of the
    window scrolls it: the widget is first brought to the middle of the window.
    """
    combo = _open_options(page, key, search)
    page.get_by_role("option", name=option, exact=True).click()
    expect(combo).to_have_value(option)
    wait_idle(page)


def choose_starting(page: Page, key: str, prefix: str, *, search: str | None = None) -> str:
    """Pick the one option of the selectbox ``key`` whose label starts with ``prefix`` (labels
    that carry figures, e.g. "#333 · Sở Tài chính · Nháp"); return its full label."""
    combo = _open_options(page, key, search)
    option = page.get_by_role("option").filter(has_text=re.compile(rf"^{re.escape(prefix)}"))
    expect(option).to_have_count(1)
    label = option.inner_text().strip()
    option.click()
    expect(combo).to_have_value(label)
    wait_idle(page)
    return label


def options(page: Page, key: str) -> list[str]:
    """The labels the selectbox ``key`` offers (its list is opened, read, and closed again)."""
    combo = _open_options(page, key, None)
    listed = page.get_by_role("option")
    expect(listed.first).to_be_visible()
    labels = [t.strip() for t in listed.all_inner_texts()]
    page.keyboard.press("Escape")
    expect(combo).to_have_attribute("aria-expanded", "false")
    return labels


def segment(page: Page, key: str, option: str) -> None:
    """Click ``option`` of the segmented control ``key`` (one click, as a user answers)."""
    button = widget(page, key).get_by_role("radio", name=option, exact=True)
    button.evaluate("e => e.scrollIntoView({block: 'center'})")
    button.click()
    wait_idle(page)
    expect(widget(page, key).get_by_role("radio", name=option, exact=True)).to_have_attribute("aria-checked", "true")


def checked_segment(page: Page, key: str) -> str | None:
    """The label of the chosen option of the segmented control ``key`` (None: none chosen)."""
    radios = widget(page, key).get_by_role("radio")
    expect(radios.first).to_be_visible()
    chosen = [r.inner_text().strip() for r in radios.all() if r.get_attribute("aria-checked") == "true"]
    return chosen[0] if chosen else None


def fill(page: Page, key: str, text: str) -> None:
    """Replace the text of the text input / text area ``key``."""
    field = widget(page, key).locator("input, textarea").first
    field.fill(text)
    expect(field).to_have_value(text)


def commit(page: Page, key: str, text: str) -> None:
    """Type ``text`` into the text input / text area ``key`` and apply it (Enter, or Ctrl+Enter
    in a text area), as a user does; wait for the run it starts (its ``on_change`` saves)."""
    field = widget(page, key).locator("input, textarea").first
    field.evaluate("e => e.scrollIntoView({block: 'center'})")
    field.fill(text)
    is_area = field.evaluate("e => e.tagName === 'TEXTAREA'")
    field.press("Control+Enter" if is_area else "Enter")
    wait_idle(page)
    expect(widget(page, key).locator("input, textarea").first).to_have_value(text)


def download(page: Page, name: str, folder: Path) -> Path:
    """Press the download button labelled ``name``; save what the browser receives in ``folder``
    under the name the app suggested and return its path."""
    button = page.get_by_role("button", name=name, exact=True)
    button.evaluate("e => e.scrollIntoView({block: 'center'})")
    with page.expect_download() as info:
        button.click()
    got = info.value
    target = folder / got.suggested_filename
    got.save_as(target)
    return target


def click_button(page: Page, name: str) -> None:
    """Press the button labelled ``name`` and wait for the run it starts."""
    page.get_by_role("button", name=name, exact=True).click()
    wait_idle(page)


def upload(page: Page, key: str, path: Path) -> None:
    """Hand ``path`` to the file uploader ``key`` and wait until the app has it."""
    widget(page, key).locator('input[type="file"]').set_input_files(str(path))
    expect(widget(page, key).get_by_text(path.name)).to_be_visible()
    wait_idle(page)


# --- the units page (shared by the journeys that start from a unit) --------------------------

def search_units(page: Page, text: str) -> None:
    """On the units page, type ``text`` into the search box and wait for the list it gives."""
    field = widget(page, "units_search").locator("input")
    field.fill(text)
    field.press("Enter")
    wait_idle(page)
    expect(field).to_have_value(text)


def open_unit(page: Page, code: str) -> None:
    """Go to the units page and find the unit by its code, as a user does.

    The page opens on the person's own unit (or a first one), whose tables the search then
    replaces: the unit's caption shows while that run may still be drawing, so the run is
    awaited once more (on a busy machine the search's run can start after :func:`wait_idle`'s
    pause), and no table of the unit shown before is read."""
    goto(page, "units")
    search_units(page, code)
    expect(page.get_by_text(f"Mã: {code}")).to_be_visible()
    wait_idle(page)


def reopen_unit(page: Page, code: str) -> None:
    """Leave the units page and come back to the unit: the page then shows what the database
    holds (a page's widgets start afresh when it is entered again)."""
    goto(page)
    open_unit(page, code)


# --- reading the screen ---------------------------------------------------------------------

def metric(page: Page, label: str) -> tuple[str, str]:
    """``(value, delta)`` of the metric labelled ``label`` (delta "" when there is none)."""
    card = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )
    expect(card).to_have_count(1)
    value = card.get_by_test_id("stMetricValue").inner_text().strip()
    delta = card.get_by_test_id("stMetricDelta")
    return value, (delta.inner_text().strip() if delta.count() else "")


def chart_with_axis(page: Page, axis_title: str) -> Locator:
    """The altair chart (``stVegaLiteChart``) one of whose axes is titled ``axis_title``."""
    return page.get_by_test_id("stVegaLiteChart").filter(
        has=page.locator(f"[aria-label*=\"titled '{axis_title}'\"]")
    )


def chart_marks(chart: Locator) -> list[str]:
    """The accessible label of every mark the chart drew (bars, points, rules)."""
    expect(chart.locator("svg, canvas").first).to_be_visible()
    return chart.locator('[role="graphics-symbol"]').evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label') || '')"
    )


def chart_size(chart: Locator) -> tuple[float, float]:
    """Width and height of what the chart drew (its svg or canvas)."""
    box = chart.locator("svg, canvas").first.bounding_box()
    return (box["width"], box["height"]) if box else (0.0, 0.0)


def grid(page: Page, *columns: str) -> Locator:
    """The dataframe (or data editor) having a column headed by each of ``columns``."""
    found = page.get_by_test_id("stDataFrame")
    for column in columns:
        found = found.filter(has=page.locator('th[role="columnheader"]', has_text=re.compile(rf"^{re.escape(column)}$")))
    return found


def grid_row_count(table: Locator) -> int:
    """Data rows of a dataframe (the accessible table counts the header row too)."""
    return int(table.locator('table[role="grid"]').get_attribute("aria-rowcount")) - 1


def expect_grid_rows(table: Locator, rows: int) -> None:
    """Wait until the dataframe shows ``rows`` data rows."""
    expect(table.locator('table[role="grid"]')).to_have_attribute("aria-rowcount", str(rows + 1))


def grid_rows(table: Locator) -> list[list[str]]:
    """Cell texts of the rows the grid rendered (the visible ones, in display order)."""
    return table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.querySelectorAll('td')].map(td => td.textContent))"
    )


def settled_grid_rows(table: Locator, settled: Callable[[list[list[str]]], bool], what: str) -> list[list[str]]:
    """The rows the grid shows once ``settled(rows)`` holds, e.g. once a filter's rows replaced
    the previous ones (the grid redraws a moment after the run that filtered it ends); fails
    naming ``what`` and the last rows seen when it never does."""
    rows: list[list[str]] = []
    for _ in range(TIMEOUT_MS // 100):
        rows = grid_rows(table)
        if rows and settled(rows):
            return rows
        table.page.wait_for_timeout(100)
    raise AssertionError(f"the grid never showed {what}: {rows[:5]}")


def all_grid_rows(table: Locator, rows: int | None = None) -> list[list[str]]:
    """Every row of a grid small enough to show all of them, once all are drawn; ``rows``:
    first wait until the grid holds that many (after a change, the grid redraws a moment
    after the text around it)."""
    expect(table.locator('table[role="grid"]')).to_be_attached()
    if rows is not None:
        expect_grid_rows(table, rows)
    expect(table.locator("tbody tr")).to_have_count(grid_row_count(table))
    return grid_rows(table)


def alerts(page: Page) -> list[str]:
    """Texts of the visible alert boxes (success, info, warning, error)."""
    return [t.strip() for t in page.get_by_test_id("stAlert").all_inner_texts()]


# --- the network rule -----------------------------------------------------------------------

def is_local(url: str) -> bool:
    """True when ``url`` stays on this machine (or is an in-page data:, blob:, about: URL)."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname in LOCAL_HOSTS


def record_requests(context: BrowserContext, sink: list[str]) -> None:
    """Append to ``sink`` the URL of every request and websocket of every page of ``context``."""
    context.on("request", lambda request: sink.append(request.url))
    context.on("page", lambda new_page: new_page.on("websocket", lambda ws: sink.append(ws.url)))


def foreign(urls: Iterable[str]) -> list[str]:
    """The URLs of ``urls`` that would leave the machine, each once, in first-seen order."""
    return list(dict.fromkeys(u for u in urls if not is_local(u)))


# --- failure evidence -----------------------------------------------------------------------

def artifact_name(nodeid_or_name: str) -> str:
    """A file name for a test: its name with anything but letters, digits, ``.-_`` replaced."""
    name = nodeid_or_name.split("::")[-1]
    return re.sub(r"[^\w.-]+", "_", name).strip("_") or "test"


def save_artifacts(page: Page, name: str, folder: Path) -> tuple[Path, Path]:
    """Save a full-page screenshot and the page's visible text; return both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    png, txt = folder / f"{name}.png", folder / f"{name}.txt"
    try:
        page.screenshot(path=str(png), full_page=True, timeout=10_000)
    except Exception as e:  # noqa: BLE001 - evidence is best effort, the failure stands
        png.with_suffix(".png.error").write_text(f"screenshot failed: {e}\n", encoding="utf-8")
    try:
        text = page.inner_text("body", timeout=5_000)
    except Exception as e:  # noqa: BLE001
        text = f"(could not read the page text: {e})"
    txt.write_text(f"URL: {page.url}\n\n{text}\n", encoding="utf-8")
    return png, txt
