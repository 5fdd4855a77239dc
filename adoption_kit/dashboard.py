"""The leaders' dashboard: pick a month and the organisation or a department, see its charts.

Everything shown comes from published runs. Widget values and the page's query string are untrusted: they
are only ever compared with allow-lists (the published months, the groups big enough to show), never used
to build a path, a query or code.
"""

from __future__ import annotations

import base64
import html
import io
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs

import ipywidgets as widgets
import pandas as pd
from matplotlib.figure import Figure

from adoption_kit import plots, report, report_tools
from adoption_kit.publish import ORGANISATION, PublishedRun, open_run, published_periods

CHART_TABLES = ("activation", "weekly_active", "monthly_active")
GROUP_KEY, PERIOD_KEY = "department", "period"
MAX_QUERY_FIELDS = 10


def build_dashboard(published: Path, *, min_group_size: int = 0, query_string: str = "") -> widgets.VBox:
    """The dashboard's top-level widget: a title, a month picker, a group picker and the charts.

    ``published`` is the folder of published runs; ``query_string`` (Voila's ``QUERY_STRING``) may
    preselect a month and a group with ``?period=YYYY-MM&department=<name>``.
    """
    plots.use_house_theme()
    periods = published_periods(published)[::-1]
    asked = _query(query_string)
    if not periods:
        return widgets.VBox([widgets.HTML("<h2>AI adoption</h2><p>Nothing has been published yet.</p>")])
    period_picker = widgets.Dropdown(
        options=periods, value=_allowed(asked.get(PERIOD_KEY), periods) or periods[0], description="Month"
    )
    group_picker = widgets.Dropdown(description="Show", style={"description_width": "initial"})
    title, output = widgets.HTML(), widgets.Output()

    @cache
    def month(period: str) -> tuple[PublishedRun, int, list[tuple[str, str]]]:
        """A published month's run, the minimum group size in force and the groups offered."""
        run = open_run(published, period)
        minimum = report.threshold(run, min_group_size)
        return run, minimum, group_choices(run, min_group_size=minimum)

    def show_groups(change: dict | None = None) -> None:
        """Offer the chosen month's groups, keeping the group shown if that month has it."""
        if period_picker.value not in periods:
            output.outputs = ()
            return
        run, minimum, choices = month(period_picker.value)
        title.value = _title(run, minimum)
        allowed = [value for _, value in choices]
        keep = group_picker.value if change is not None else asked.get(GROUP_KEY)
        group_picker.unobserve(redraw, names="value")  # one drawing for the new month, not one per step
        group_picker.options = choices
        group_picker.value = _allowed(keep, allowed) or (allowed[0] if allowed else None)
        group_picker.observe(redraw, names="value")
        redraw()

    def redraw(change: dict | None = None) -> None:
        if period_picker.value not in periods:
            output.outputs = ()
            return
        run, minimum, choices = month(period_picker.value)
        group = _allowed(group_picker.value, [value for _, value in choices])
        if not choices:
            output.outputs = (_html_output("No group in this month is big enough to show."),)
        elif group is None:
            output.outputs = ()
        else:
            output.outputs = (
                _html_output(report.headline(run, group, min_group_size=minimum)),
                _html_output(report.bottleneck(run, group, min_group_size=minimum)),
                _png_output(charts_png(run, group, min_group_size=minimum), f"Charts: {group}, {run.period}"),
            )

    period_picker.observe(show_groups, names="value")
    group_picker.observe(redraw, names="value")
    show_groups()
    return widgets.VBox([title, widgets.HBox([period_picker, group_picker]), output])


def group_choices(run: PublishedRun, *, min_group_size: int = 0) -> list[tuple[str, str]]:
    """(label, group) for every group big enough to show: the organisation first, then departments A-Z."""
    frame = report.groups(run, min_group_size=min_group_size)
    shown = frame.loc[frame["status"] == "ok", "group"]
    departments = sorted(group for group in shown if group != ORGANISATION)
    organisation = [("Whole organisation", ORGANISATION)] if ORGANISATION in set(shown) else []
    return organisation + [(name, name) for name in departments]


def charts_png(run: PublishedRun, group: str, *, min_group_size: int) -> bytes:
    """The six charts of one group as a PNG (drawn on a Figure of its own, never through pyplot's state)."""
    one = {name: report.visible(run.table(name, group=group), min_group_size) for name in CHART_TABLES}
    figure = Figure(figsize=(13, 11), layout="constrained")
    (activation, weekly), (monthly, volume), (stages, power) = figure.subplots(3, 2)
    plots.activation_bars(one["activation"], ax=activation)
    plots.weekly_active_lines(one["weekly_active"], ax=weekly)
    plots.stickiness_lines(one["monthly_active"], ax=monthly)
    plots.volume_bands(one["weekly_active"], tool=report.main_tool(one["weekly_active"]), ax=volume)
    plots.stage_funnel(report.funnel(run, group, min_group_size=min_group_size), ax=stages)
    plots.power_user_lines(report_tools.power_user_share(run, group, min_group_size=min_group_size), ax=power)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _title(run: PublishedRun, minimum: int) -> str:
    month = pd.Period(run.period, "M").strftime("%B %Y")
    return (
        f"<h2>AI adoption, {html.escape(month)}</h2><p>Every figure rests on at least {minimum} people; "
        "smaller groups are hidden, never shown as zero.</p>"
    )


def _query(query_string: str) -> dict[str, str]:
    """The first value of each field of the query string; nothing at all if it is malformed or too long."""
    try:
        fields = parse_qs(query_string, max_num_fields=MAX_QUERY_FIELDS)
    except ValueError:
        return {}
    return {key: values[0] for key, values in fields.items()}


def _allowed(value: str | None, allowed: list[str]) -> str | None:
    """``value`` if it is one of ``allowed``, else None."""
    return value if value in allowed else None


def _html_output(text: str) -> dict:
    return {
        "output_type": "display_data",
        "data": {"text/html": f"<p>{html.escape(text)}</p>", "text/plain": text},
        "metadata": {},
    }


def _png_output(png: bytes, label: str) -> dict:
    return {
        "output_type": "display_data",
        "data": {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": label},
        "metadata": {},
    }
