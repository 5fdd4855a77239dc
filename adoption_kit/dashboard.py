"""The leaders' dashboard: pick the organisation or a department, see its charts, from one published run.

Widget values and the page's query string are untrusted: they are only ever compared with the allow-list of
groups big enough to show, never used to build a path, a query or code.
"""

from __future__ import annotations

import base64
import html
import io
from urllib.parse import parse_qs

import ipywidgets as widgets
import pandas as pd
from matplotlib.figure import Figure

from adoption_kit import plots, report
from adoption_kit.publish import ORGANISATION, PublishedRun

CHART_TABLES = ("activation", "weekly_active", "monthly_active")
REPORTED_LEVELS = ("organisation", "department")
QUERY_KEY = "department"


def build_dashboard(run: PublishedRun, *, min_group_size: int = 0, query_string: str = "") -> widgets.VBox:
    """The dashboard's top-level widget: a title, a department picker and an Output with the charts.

    ``query_string`` (Voila's ``QUERY_STRING``) may preselect a group with ``?department=<name>``.
    """
    plots.use_house_theme()
    minimum = report.threshold(run, min_group_size)
    month = pd.Period(run.period, "M").strftime("%B %Y")
    title = widgets.HTML(
        f"<h2>AI adoption, {html.escape(month)}</h2><p>Every figure rests on at least {minimum} people; "
        "smaller groups are hidden, never shown as zero.</p>"
    )
    choices = group_choices(run, min_group_size=minimum)
    if not choices:
        return widgets.VBox([title, widgets.HTML("<p>No group in this run is big enough to show.</p>")])
    allowed = {value for _, value in choices}
    tables = {name: run.table(name) for name in CHART_TABLES}
    picker = widgets.Dropdown(
        options=choices,
        value=_requested(query_string, allowed) or choices[0][1],
        description="Show",
        style={"description_width": "initial"},
    )
    output = widgets.Output()

    def redraw(change: dict | None = None) -> None:
        group = picker.value
        if group not in allowed:
            output.outputs = ()
            return
        output.outputs = (
            _html_output(report.headline(run, group, min_group_size=minimum)),
            _png_output(charts_png(tables, group, min_group_size=minimum), group),
        )

    picker.observe(redraw, names="value")
    redraw()
    return widgets.VBox([title, picker, output])


def group_choices(run: PublishedRun, *, min_group_size: int = 0) -> list[tuple[str, str]]:
    """(label, group) for every group big enough to show: the organisation first, then departments A-Z."""
    frame = report.groups(run, min_group_size=min_group_size)
    shown = frame.loc[(frame["status"] == "ok") & frame["group_by"].isin(REPORTED_LEVELS), "group"]
    departments = sorted(group for group in shown if group != ORGANISATION)
    organisation = [("Whole organisation", ORGANISATION)] if ORGANISATION in set(shown) else []
    return organisation + [(name, name) for name in departments]


def charts_png(tables: dict[str, pd.DataFrame], group: str, *, min_group_size: int) -> bytes:
    """The four charts of one group as a PNG (drawn on a Figure of its own, never through pyplot's state)."""
    one = {
        name: report.visible(
            t.loc[(t["group"] == group) & t["group_by"].isin(REPORTED_LEVELS)], min_group_size
        )
        for name, t in tables.items()
    }
    figure = Figure(figsize=(13, 8), layout="constrained")
    (activation, weekly), (monthly, volume) = figure.subplots(2, 2)
    plots.activation_bars(one["activation"], ax=activation)
    plots.weekly_active_lines(one["weekly_active"], ax=weekly)
    plots.stickiness_lines(one["monthly_active"], ax=monthly)
    plots.volume_bands(one["weekly_active"], tool=report.main_tool(one["weekly_active"]), ax=volume)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _requested(query_string: str, allowed: set[str]) -> str | None:
    """The group asked for in the query string, if it is one of the allowed ones."""
    try:
        asked = parse_qs(query_string, max_num_fields=10).get(QUERY_KEY, [])
    except ValueError:
        return None
    return asked[0] if asked and asked[0] in allowed else None


def _html_output(text: str) -> dict:
    return {
        "output_type": "display_data",
        "data": {"text/html": f"<p>{html.escape(text)}</p>", "text/plain": text},
        "metadata": {},
    }


def _png_output(png: bytes, group: str) -> dict:
    return {
        "output_type": "display_data",
        "data": {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": f"Charts for {group}"},
        "metadata": {},
    }
