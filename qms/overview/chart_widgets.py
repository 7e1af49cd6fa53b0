"""Altair charts of the overview, built from the domain's rows (no query, no rule here)."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from qms.kernel.formatting import vega_locale
from qms.kernel.labels import t
from qms.units.model import DistrictCoverage, TrendPoint

#: Above this many bars the chart lies down: one row per name, every name readable.
HORIZONTAL_ABOVE = 16
#: Height of one row of a lying chart (px).
ROW_PX = 18


def district_bars(rows: Sequence[DistrictCoverage], lang: str, group: str = "district") -> alt.LayerChart:
    """Announced rate per district (or per province: ``group="province"``, the axis says so) as
    bars, the year's target as a red dashed rule (in the legend).  Past
    :data:`HORIZONTAL_ABOVE` bars (63 provinces, a province's many districts) the bars lie down,
    one row per name, so that every name is written, not one in eight."""
    rate, target = t("col.rate", lang), t("col.target", lang)
    district = t("ovp.province", lang) if group == "province" else t("col.district", lang)
    announced, in_plan = t("col.announced", lang), t("col.in_plan", lang)
    data = pd.DataFrame(
        [{district: r.district_name, rate: r.rate_pct or 0.0, target: r.target_pct, announced: r.announced, in_plan: r.in_plan} for r in rows]
    )
    lying = len(rows) > HORIZONTAL_ABOVE
    names = alt.Y(f"{district}:N", sort="-x", title=district) if lying else \
        alt.X(f"{district}:N", sort="y", title=district, axis=alt.Axis(labelAngle=-30))
    values = alt.X(f"{rate}:Q", scale=alt.Scale(domain=[0, 100]), title=rate) if lying else \
        alt.Y(f"{rate}:Q", scale=alt.Scale(domain=[0, 100]), title=rate)
    bars = alt.Chart(data).mark_bar(color="#2b6cb0").encode(
        **({"y": names, "x": values} if lying else {"x": names, "y": values}), tooltip=[district, announced, in_plan, rate])
    layers = [bars]
    targets = [r.target_pct for r in rows if r.target_pct is not None]
    if targets:
        axis = "x" if lying else "y"
        rule = alt.Chart(pd.DataFrame({target: [targets[0]]})).mark_rule(strokeDash=[6, 3], size=2).encode(
            **{axis: f"{target}:Q"}, tooltip=[target],
            color=alt.Color("key:N", scale=alt.Scale(domain=[target], range=["#c53030"]), title=None),
        ).transform_calculate(key=f"'{target}'")
        layers.append(rule)
    height = max(120, ROW_PX * len(rows)) if lying else 320
    return alt.layer(*layers).properties(height=height).configure(locale=vega_locale(lang))


def trend_lines(points: Sequence[TrendPoint], lang: str) -> alt.LayerChart:
    """Year-end rate per level (solid) against each year's target (dashed); the legend names
    both the levels (colours) and the two series (solid, dashed)."""
    year, rate, level, series = t("col.year", lang), t("col.rate", lang), t("col.level", lang), t("col.series", lang)
    announced_label, target_label = t("col.announced", lang), t("col.target", lang)
    rows = []
    for p in points:
        name = t(f"level.{p.level.value}", lang)
        if p.rate_pct is not None:
            rows.append({year: p.year, rate: p.rate_pct, level: name, series: announced_label})
        if p.target_pct is not None:
            rows.append({year: p.year, rate: p.target_pct, level: name, series: target_label})
    data = pd.DataFrame(rows, columns=[year, rate, level, series])
    base = alt.Chart(data).encode(
        x=alt.X(f"{year}:O", title=year),
        y=alt.Y(f"{rate}:Q", scale=alt.Scale(domain=[0, 100]), title="%"),
        color=alt.Color(f"{level}:N", title=level),
        strokeDash=alt.StrokeDash(f"{series}:N", title=series,
                                  scale=alt.Scale(domain=[announced_label, target_label], range=[[1, 0], [5, 4]])),
        tooltip=[year, level, series, rate],
    )
    actual = base.transform_filter(alt.datum[series] == announced_label).mark_line(point=True)
    goal = base.transform_filter(alt.datum[series] == target_label).mark_line(opacity=0.6)
    return alt.layer(actual, goal).properties(height=300).configure(locale=vega_locale(lang))
