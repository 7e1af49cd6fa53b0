"""Journey 7 on the targets page: what a user can type wrong in the grid is never saved.

The grid is a canvas (glide-data-grid): the journey clicks the row's first cell (the only
positions it computes: the header and the rows are 35 px high), moves right with the arrow keys,
opens the cell editor with Enter, and reads the result from the grid's accessible table.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from .helpers import alerts, click_button, goto, grid, grid_row_count, grid_rows

pytestmark = pytest.mark.e2e

ROW_PX = 35


def targets_grid(page: Page) -> Locator:
    table = grid(page, "Năm")
    expect(table.locator("tbody tr").first).to_be_attached()
    return table


def type_into_cell(page: Page, table: Locator, *, row: int, column: int, text: str, shown: str) -> None:
    """Edit the cell at ``row``/``column`` (0-based, data cells only) and commit it.

    ``shown`` is what the cell editor holds once the text is typed (the editor may clamp it).
    """
    canvas = table.get_by_test_id("data-grid-canvas")
    box = canvas.bounding_box()
    assert box is not None, "the targets grid is not drawn"
    # The row is clicked, not reached with ArrowDown: moving down may scroll the grid, and a
    # scrolling grid closes the cell editor it just opened.  Keys go to the grid only once it
    # has moved the focus to the chosen cell (glide-cell-<column>-<row>; column 0 holds the
    # row markers), so each key waits for that.
    page.mouse.click(box["x"] + 100, box["y"] + ROW_PX * (row + 1) + ROW_PX // 2)
    expect(table.locator(f"#glide-cell-1-{row}")).to_be_focused()
    for step in range(column):
        page.keyboard.press("ArrowRight")
        expect(table.locator(f"#glide-cell-{step + 2}-{row}")).to_be_focused()
    page.keyboard.press("Enter")
    editor = page.locator("input.gdg-input")
    expect(editor).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type(text)
    expect(editor).to_have_value(shown)
    page.keyboard.press("Enter")
    expect(editor).to_have_count(0)


def test_a_year_entered_twice_is_refused_and_nothing_changes(page, app_server):
    goto(page, "targets")
    table = targets_grid(page)
    before = grid_rows(table)
    rows = grid_row_count(table)
    assert before[0][0] == "2015" and before[1][0] == "2016"
    type_into_cell(page, table, row=0, column=0, text="2016", shown="2016")
    expect(table.locator("tbody tr").first.locator("td").first).to_have_text("2016")
    click_button(page, "Lưu chỉ tiêu")
    expect(page.get_by_test_id("stAlert").filter(has_text="Năm 2016 bị lặp; chưa lưu gì.")).to_be_visible()

    goto(page)  # leave, then come back: the grid shows what the database holds now
    goto(page, "targets")
    table = targets_grid(page)
    assert grid_row_count(table) == rows
    assert grid_rows(table)[:2] == before[:2]


def test_a_target_above_100_is_held_at_100_and_saves_nothing(page, app_server):
    goto(page, "targets")
    table = targets_grid(page)
    before = grid_rows(table)
    assert before[1][:2] == ["2016", "100"]  # departments' target for 2016: already the maximum
    type_into_cell(page, table, row=1, column=1, text="150", shown="100")
    click_button(page, "Lưu chỉ tiêu")
    expect(page.get_by_test_id("stAlert").filter(has_text="Đã lưu chỉ tiêu. (0)")).to_be_visible()
    assert not [a for a in alerts(page) if "150" in a]

    goto(page)
    goto(page, "targets")
    assert grid_rows(targets_grid(page))[1] == before[1]
