"""Charts of published tables, with one house theme and one colour per tool everywhere.

Each function takes a published table already filtered to one group (``run.table(name, group=...)``),
keyword-only options and an optional ``ax``, and returns the matplotlib Axes. Suppressed rows are never drawn
(a gap, not a zero); a table with nothing left to show gives an Axes that says so instead of an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from adoption_kit.errors import KitError

# One colour per tool, from seaborn's colour-blind palette; "any" (any AI tool) is the dark summary line.
TOOL_COLOURS = {
    "chatgpt_enterprise": "#029E73",
    "github_copilot": "#0173B2",
    "claude_code": "#D55E00",
    "cursor": "#CC78BC",
    "m365_copilot": "#DE8F05",
    "gemini": "#56B4E9",
    "openai_api": "#CA9161",
    "anthropic_api": "#FBAFE4",
    "slack_ai": "#ECE133",
    "any": "#3B3B3B",
}
TOOL_LABELS = {
    "chatgpt_enterprise": "ChatGPT Enterprise",
    "github_copilot": "GitHub Copilot",
    "claude_code": "Claude Code",
    "cursor": "Cursor",
    "m365_copilot": "Microsoft 365 Copilot",
    "gemini": "Gemini",
    "openai_api": "OpenAI API",
    "anthropic_api": "Anthropic API",
    "slack_ai": "Slack AI",
    "any": "Any AI tool",
}
OTHER_TOOL_COLOUR = "#949494"
TOOLS_USED = "tools_used:"  # monthly_active rows of people by how many tools they used, not tools
ALL_SHOWN_TOOLS = "all shown tools"  # the use-case mix over the shown tools' events
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PROFILE_AXES = {  # slot: (axis label, ticks, tick labels)
    "hour": ("hour of the day (UTC)", list(range(0, 24, 3)), [f"{h:02d}:00" for h in range(0, 24, 3)]),
    "weekday": ("day of the week", list(range(1, 8)), list(WEEKDAYS)),
}
USE_CASES = ("writing", "coding", "research", "summarization", "data_analysis", "image", "other")
TOO_FEW_NOTE = "Too few people to show.\nGroups under the minimum size are hidden, never shown as zero."
HOUSE_RC = {
    "figure.figsize": (8.0, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlelocation": "left",
    "axes.titleweight": "bold",
    "legend.frameon": False,
    "date.converter": "concise",
}


def use_house_theme() -> None:
    """Apply the kit's seaborn theme and matplotlib settings to every figure drawn after this call."""
    sns.set_theme(context="notebook", style="whitegrid", palette=list(TOOL_COLOURS.values()), rc=HOUSE_RC)


def tool_palette(tools: Iterable[str]) -> dict[str, str]:
    """The colour of each tool (tools the kit does not know yet are grey)."""
    return {tool: TOOL_COLOURS.get(tool, OTHER_TOOL_COLOUR) for tool in tools}


def tool_label(tool: str) -> str:
    """A tool's name for people ("github_copilot" -> "GitHub Copilot")."""
    return TOOL_LABELS.get(tool, tool)


def activation_bars(activation: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Share of seat holders who used each tool at least once, one bar per tool labelled with the counts."""
    data = _one_group(activation, ["tool", "seat_holders", "activated", "activation_rate"], "activation")
    data = data.loc[~data["suppressed"] & data["activation_rate"].notna()]
    ax = _axes(ax)
    ax.set_title("Seat holders who have used each tool", loc="left")
    if data.empty:
        return _too_few(ax)
    data = data.set_index("tool").loc[_ordered(data["tool"])].reset_index()
    data = data.assign(rate=_floats(data["activation_rate"]), label=data["tool"].map(tool_label))
    labels = data["label"].tolist()
    sns.barplot(
        data=data,
        x="rate",
        y="label",
        hue="label",
        order=labels,
        hue_order=labels,
        palette=dict(zip(labels, tool_palette(data["tool"]).values(), strict=True)),
        saturation=1,
        legend=False,
        ax=ax,
    )
    counts = data["activated"].map("{:,.0f}".format) + " of " + data["seat_holders"].map("{:,.0f}".format)
    for container, text in zip(ax.containers, counts, strict=True):
        ax.bar_label(container, labels=[text], padding=4)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set(xlim=(0, 1.18), xlabel="Share of seat holders who used the tool at least once", ylabel="")
    return ax


def weekly_active_lines(
    weekly_active: pd.DataFrame, *, trend: pd.DataFrame | None = None, ax: Axes | None = None
) -> Axes:
    """People active in each week, one line per tool; ``trend`` (:func:`adoption_kit.report.weekly_trend_fit`)
    adds its fitted straight line, dashed, in the colour of its tool."""
    data = _one_group(weekly_active, ["tool", "week", "wau"], "weekly_active")
    ax = _axes(ax)
    ax.set_title("People active each week", loc="left")
    wide = _wide(data, index="week", value="wau")
    if wide.empty:
        return _too_few(ax)
    _lines(ax, wide)
    if trend is not None and len(trend) and pd.notna(trend["slope_per_week"].iloc[0]):
        _trend_line(ax, trend.iloc[0], wide.index)
    ax.set(xlabel="Week starting", ylabel="Active people", ylim=(0, None))
    return ax


LEVEL_MARKERS = ("o", "s", "^")  # monthly, weekly, daily active: one colour, one marker each


def active_level_lines(
    levels: pd.DataFrame, *, tool: str = "any", trends: pd.DataFrame | None = None, ax: Axes | None = None
) -> Axes:
    """Monthly, average weekly and average daily active people per month (:func:`adoption_kit.report.
    active_levels`), in the tool's colour with a marker each; ``trends`` (:func:`adoption_kit.report.
    active_level_trends`) adds each measure's fitted straight line, dashed."""
    ax = _axes(ax)
    ax.set_title(f"Monthly, weekly and daily active people: {tool_label(tool)}", loc="left")
    if levels.empty:
        return _too_few(ax)
    colour = tool_palette([tool])[tool]
    wide = levels.pivot(index="month", columns="measure", values="people").sort_index()
    measures = [m for m in levels["measure"].drop_duplicates()]
    fits = pd.DataFrame() if trends is None else trends.set_index("measure")
    for measure, marker in zip(measures, LEVEL_MARKERS, strict=False):
        ax.plot(wide.index, wide[measure], color=colour, marker=marker, markersize=4, label=measure)
        if measure in fits.index and pd.notna(fits.loc[measure, "slope_per_week"]):
            span, level = _fitted(fits.loc[measure], wide.index.max())
            ax.plot(span, level, color=colour, linestyle="--", linewidth=1, alpha=0.6)
    ax.plot([], [], color=colour, linestyle="--", linewidth=1, alpha=0.6, label="Trend (straight line)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    months = mdates.MonthLocator()
    ax.xaxis.set(major_locator=months, major_formatter=mdates.ConciseDateFormatter(months))
    ax.set(xlabel="Month", ylabel="Active people", ylim=(0, None))
    return ax


def stickiness_lines(monthly_active: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Stickiness (average weekly active people / monthly active people) per month, one line per tool."""
    data = _one_group(monthly_active, ["tool", "month", "stickiness"], "monthly_active")
    data = data.loc[~data["tool"].str.startswith(TOOLS_USED)]
    ax = _axes(ax)
    ax.set_title("Stickiness: weekly active as a share of monthly active", loc="left")
    wide = _wide(data, index="month", value="stickiness")
    if wide.empty:
        return _too_few(ax)
    _lines(ax, wide)
    months = mdates.MonthLocator()
    ax.xaxis.set(major_locator=months, major_formatter=mdates.ConciseDateFormatter(months))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set(xlabel="Month", ylabel="Weekly active / monthly active", ylim=(0, 1))
    return ax


def volume_bands(weekly: pd.DataFrame, *, tool: str = "any", ax: Axes | None = None) -> Axes:
    """Events per active user per week for one tool: the median as a line, a band up to the p90."""
    columns = ["tool", "week", "events_per_user_median", "events_per_user_p90"]
    data = _one_group(weekly, columns, "weekly_active")
    ax = _axes(ax)
    ax.set_title(f"Use per active person each week: {tool_label(tool)}", loc="left")
    data = data.loc[data["tool"] == tool].sort_values("week")
    shown = ~data["suppressed"].to_numpy(dtype=bool)
    median = np.where(shown, _floats(data["events_per_user_median"]), np.nan)
    p90 = np.where(shown, _floats(data["events_per_user_p90"]), np.nan)
    if np.isnan(median).all():
        return _too_few(ax)
    colour = tool_palette([tool])[tool]
    ax.fill_between(
        data["week"], median, p90, color=colour, alpha=0.2, linewidth=0, label="Median to 90th percentile"
    )
    ax.plot(data["week"], median, color=colour, marker="o", markersize=3, label="Median")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    margin = pd.Timedelta(days=4)
    ax.set_xlim(data["week"].min() - margin, data["week"].max() + margin)
    ax.set(xlabel="Week starting", ylabel="Events per active person", ylim=(0, None))
    return ax


def stage_funnel(funnel: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """The adoption stages as horizontal bars (people at each stage), each labelled with its conversion.

    ``funnel`` is :func:`adoption_kit.report.funnel`'s frame: stages in order, hidden counts empty."""
    ax = _axes(ax)
    ax.set_title("From access to deeper adoption: people at each stage", loc="left")
    people = _floats(funnel["people"])
    if np.isnan(people).all():
        return _too_few(ax)
    labels = [str(stage).replace("_", " ").capitalize() for stage in funnel["stage"]]
    positions = np.arange(len(labels))[::-1]
    ax.barh(positions, np.nan_to_num(people), color=tool_palette(["any"])["any"])
    for position, count, conversion in zip(positions, people, _floats(funnel["conversion"]), strict=True):
        text = "hidden" if np.isnan(count) else f"{count:,.0f}"
        if not np.isnan(conversion):
            text += f"  ({conversion:.0%} of the stage before)"
        ax.annotate(
            text,
            (0 if np.isnan(count) else count, position),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
        )
    ax.set_yticks(positions, labels)
    ax.set(xlabel="People", xlim=(0, np.nanmax(people) * 1.6))
    return ax


def cost_bars(costs: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Cost per active person of each tool in US dollars, one bar per tool whose cost is shown.

    ``costs`` is :func:`adoption_kit.report_costs.cost_per_tool`'s frame (its "all tools" row in dark)."""
    data = _report_frame(costs, ["tool", "cost_per_active_user", "mau"], "cost per tool").dropna(
        subset=["cost_per_active_user"]
    )
    ax = _axes(ax)
    ax.set_title("Cost per active person and tool (US dollars, the run's month)", loc="left")
    if data.empty:
        return _too_few(ax)
    labels = data["tool"].map(lambda tool: "All tools" if tool == "all tools" else tool_label(tool))
    colours = [
        TOOL_COLOURS["any"] if tool == "all tools" else tool_palette([tool])[tool] for tool in data["tool"]
    ]
    positions = np.arange(len(data))[::-1]
    bars = ax.barh(positions, _floats(data["cost_per_active_user"]), color=colours)
    texts = [
        f"${cost:,.0f} ({mau:,.0f} active)"
        for cost, mau in zip(_floats(data["cost_per_active_user"]), _floats(data["mau"]), strict=True)
    ]
    ax.bar_label(bars, labels=texts, padding=4)
    ax.set_yticks(positions, labels.tolist())
    ax.set(
        xlabel="US dollars per active person",
        xlim=(0, np.nanmax(_floats(data["cost_per_active_user"])) * 1.5),
    )
    return ax


def seat_use_bars(seats: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Seats per tool split into active (used in the last 30 days) and idle, for tools where both are shown.

    ``seats`` is :func:`adoption_kit.report_costs.seat_use`'s frame."""
    data = _report_frame(seats, ["tool", "active_seats", "idle_seats", "license_efficiency"], "seat use")
    data = data.dropna(subset=["active_seats", "idle_seats"])
    ax = _axes(ax)
    ax.set_title("Seats used in the last 30 days, and idle seats", loc="left")
    if data.empty:
        return _too_few(ax)
    data = data.set_index("tool").loc[_ordered(data["tool"])].reset_index()
    positions = np.arange(len(data))[::-1]
    active, idle = _floats(data["active_seats"]), _floats(data["idle_seats"])
    colours = list(tool_palette(data["tool"]).values())
    ax.barh(positions, active, color=colours, label="Active")
    bars = ax.barh(positions, idle, left=active, color=colours, alpha=0.3, label="Idle")
    ax.bar_label(
        bars, labels=[f"{share:.0%} used" for share in _floats(data["license_efficiency"])], padding=4
    )
    ax.set_yticks(positions, [tool_label(tool) for tool in data["tool"]])
    ax.set(xlabel="Seats", xlim=(0, np.nanmax(active + idle) * 1.25))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def tools_per_person_bars(tools: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Share of the month's active people who used 1, 2, or 3 or more AI tools, one bar each.

    ``tools`` is :func:`adoption_kit.report_tools.tools_per_person`'s frame."""
    data = _report_frame(tools, ["tools", "people", "share"], "tools per person").dropna(subset=["share"])
    ax = _axes(ax)
    ax.set_title("How many AI tools each active person used this month", loc="left")
    if data.empty:
        return _too_few(ax)
    bars = ax.bar(data["tools"].tolist(), _floats(data["share"]), color=TOOL_COLOURS["any"])
    ax.bar_label(bars, labels=[f"{people:,.0f}" for people in _floats(data["people"])], padding=2)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set(xlabel="AI tools used", ylabel="Share of active people", ylim=(0, 1))
    return ax


def power_user_lines(shares: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Power users as a share of each tool's monthly active people, one line per tool.

    ``shares`` is :func:`adoption_kit.report_tools.power_user_share`'s frame."""
    data = _report_frame(shares, ["tool", "month", "share"], "power-user share")
    ax = _axes(ax)
    ax.set_title("Power users as a share of monthly active people", loc="left")
    wide = _wide(data.assign(suppressed=data["share"].isna()), index="month", value="share")
    if wide.empty:
        return _too_few(ax)
    _lines(ax, wide)
    months = mdates.MonthLocator()
    ax.xaxis.set(major_locator=months, major_formatter=mdates.ConciseDateFormatter(months))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set(xlabel="Month", ylabel="Power users / monthly active", ylim=(0, None))
    return ax


def profile_lines(profile: pd.DataFrame, *, slot: str = "hour", ax: Axes | None = None) -> Axes:
    """Each tool's share of its events per ``slot`` ("hour" of the day in UTC, or "weekday"), one line per
    tool. ``profile`` is :func:`adoption_kit.report_patterns.hourly_profile`'s (or weekday's) table."""
    ax = _axes(ax)
    ax.set_title(f"When AI is used: share of each tool's events by {PROFILE_AXES[slot][0]}", loc="left")
    if profile.empty:
        return _too_few(ax)
    data = _report_frame(profile, ["tool", slot, "share"], f"{slot} profile")
    wide = _wide(data.assign(suppressed=data["share"].isna()), index=slot, value="share")
    if wide.empty:
        return _too_few(ax)
    _lines(ax, wide)
    label, ticks, names = PROFILE_AXES[slot]
    ax.set_xticks(ticks, names)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set(xlabel=label[0].upper() + label[1:], ylabel="Share of the tool's events", ylim=(0, None))
    return ax


def use_case_bars(mix: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Each tool's events split by use case, one stacked bar per tool (shares of its shown events).

    ``mix`` is :func:`adoption_kit.report_patterns.use_case_mix`'s table."""
    ax = _axes(ax)
    ax.set_title("What AI is used for: share of each tool's events by use case", loc="left")
    if mix.empty:
        return _too_few(ax)
    data = _report_frame(mix, ["tool", "category", "share"], "use-case mix")
    wide = data.pivot(index="tool", columns="category", values="share").dropna(how="all")
    if wide.empty:
        return _too_few(ax)
    order = _ordered(wide.index.difference([ALL_SHOWN_TOOLS])) + [ALL_SHOWN_TOOLS] * (
        ALL_SHOWN_TOOLS in wide.index
    )
    categories = [c for c in USE_CASES if c in wide.columns] + sorted(set(wide.columns) - set(USE_CASES))
    wide = wide.loc[order, categories].astype("float64").fillna(0.0)
    positions = np.arange(len(wide))[::-1]
    left = np.zeros(len(wide))
    for category, colour in zip(categories, sns.color_palette("colorblind", len(categories)), strict=True):
        ax.barh(positions, wide[category], left=left, color=colour, label=category.replace("_", " "))
        left += wide[category].to_numpy()
    ax.set_yticks(
        positions,
        [tool_label(tool) if tool != ALL_SHOWN_TOOLS else "All shown tools" for tool in wide.index],
    )
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set(xlabel="Share of the tool's shown events", xlim=(0, 1))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


NEWS_COLOUR, NOISE_COLOUR = "#3B3B3B", "#BBBBBB"


def mover_bars(moved: pd.DataFrame, *, top: int = 10, ax: Axes | None = None) -> Axes:
    """The ``top`` largest month-over-month changes (:func:`adoption_kit.report_review.what_moved`) as
    horizontal bars with their bands; changes whose band leaves out zero are dark, the rest light."""
    ax = _axes(ax)
    ax.set_title("What moved since last month (people)", loc="left")
    data = moved.head(top)
    if data.empty:
        return _too_few(ax)
    positions = np.arange(len(data))[::-1]
    change = _floats(data["change"])
    errors = np.vstack([change - _floats(data["change_low"]), _floats(data["change_high"]) - change])
    colours = np.where(data["news"].to_numpy(dtype=bool), NEWS_COLOUR, NOISE_COLOUR)
    ax.barh(positions, change, color=colours, xerr=errors, error_kw={"ecolor": "#777777", "capsize": 3})
    ax.axvline(0, color="#555555", linewidth=0.8)
    ax.set_yticks(positions, data["what"])
    ax.set(xlabel="Change in people since last month (bar: the band chance alone would give)", ylabel="")
    return ax


def _trend_line(ax: Axes, fit: pd.Series, weeks: pd.Index) -> None:
    """The fitted straight line from its first period to the last week drawn."""
    span, level = _fitted(fit, weeks.max())
    colour = tool_palette([fit["tool"]])[fit["tool"]]
    label = f"Trend: {tool_label(fit['tool'])}"
    ax.plot(span, level, color=colour, linestyle="--", linewidth=1.5, label=label)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))


def _fitted(fit: pd.Series, last: pd.Timestamp) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """The two ends of a fitted line (a row of ``metrics.active_users_trend``): its first period and
    ``last``."""
    span = pd.DatetimeIndex([fit["first_period"], last])
    return span, fit["level_at_start"] + fit["slope_per_week"] * (span - span[0]).days.to_numpy() / 7


def _one_group(frame: pd.DataFrame, columns: Sequence[str], table: str) -> pd.DataFrame:
    """The table, checked: it has the columns this chart needs and at most one group."""
    missing = [c for c in ["group", *columns, "suppressed"] if c not in frame.columns]
    if missing:
        raise KitError(
            f"the {table} table has no column(s) {', '.join(missing)}",
            column=missing[0],
            expected=f"the published {table} table",
        )
    if frame["group"].nunique() > 1:
        raise KitError(
            f"the {table} table holds {frame['group'].nunique()} groups",
            column="group",
            expected=f"one group's rows, e.g. run.table({table!r}, group=...)",
        )
    return frame.assign(suppressed=frame["suppressed"].fillna(True).astype(bool))


def _report_frame(frame: pd.DataFrame, columns: Sequence[str], what: str) -> pd.DataFrame:
    """A report frame, checked: it has the columns this chart needs."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KitError(
            f"the {what} frame has no column(s) {', '.join(missing)}",
            column=missing[0],
            expected=f"the {what} frame of adoption_kit's report modules",
        )
    return frame


def _wide(data: pd.DataFrame, *, index: str, value: str) -> pd.DataFrame:
    """One column per tool (in house order), suppressed or missing cells as NaN; empty if nothing to show."""
    values = data[value].mask(data["suppressed"])
    wide = (
        data.assign(**{value: _floats(values)})
        .pivot(index=index, columns="tool", values=value)
        .sort_index()
        .dropna(axis="columns", how="all")
    )
    return wide[_ordered(wide.columns)]


def _lines(ax: Axes, wide: pd.DataFrame) -> None:
    """One line per tool; gaps where cells are suppressed, markers so lone weeks still show."""
    for tool, colour in tool_palette(wide.columns).items():
        ax.plot(wide.index, wide[tool], color=colour, marker="o", markersize=3, label=tool_label(tool))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))


def _floats(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _ordered(tools: Iterable[str]) -> list[str]:
    order = list(TOOL_COLOURS)
    return sorted(tools, key=lambda tool: (order.index(tool) if tool in order else len(order), tool))


def _axes(ax: Axes | None) -> Axes:
    return plt.gca() if ax is None else ax


def _too_few(ax: Axes) -> Axes:
    ax.set(xticks=[], yticks=[], xlabel="", ylabel="")
    ax.grid(visible=False)
    ax.spines[:].set_visible(False)
    ax.text(0.5, 0.5, TOO_FEW_NOTE, ha="center", va="center", transform=ax.transAxes, color="#555555")
    return ax


TOO_FEW_TEAMS_NOTE = "Too few teams to show.\nAn estimate resting on fewer teams than the minimum is hidden."


def event_study(table: pd.DataFrame, *, kpi: str, ax: Axes | None = None) -> Axes:
    """A KPI's change in each month around adoption against the month before it, with its interval; months
    resting on too few teams are left out (:func:`adoption_kit.report_outcomes.event_study`'s table)."""
    columns = ["kpi", "relative_month", "effect", "ci_low", "ci_high", "suppressed"]
    frame = _report_frame(table, columns, "event study")
    shown = frame.loc[(frame["kpi"] == kpi) & ~frame["suppressed"].fillna(True).astype(bool)]
    shown = shown.assign(effect=_floats(shown["effect"])).dropna(subset=["effect"])
    shown = shown.sort_values("relative_month")
    ax = _axes(ax)
    ax.set_title(f"{kpi.replace('_', ' ').capitalize()}: before and after a team adopted", loc="left")
    if shown.empty:
        _too_few(ax).texts[-1].set_text(TOO_FEW_TEAMS_NOTE)
        return ax
    effect = shown["effect"].to_numpy()
    below = np.nan_to_num(effect - _floats(shown["ci_low"]))  # the reference month has no interval
    above = np.nan_to_num(_floats(shown["ci_high"]) - effect)
    colour = TOOL_COLOURS["any"]
    ax.axhline(0, color=OTHER_TOOL_COLOUR, linewidth=1)
    ax.axvline(-0.5, color=OTHER_TOOL_COLOUR, linestyle="--", linewidth=1, label="adoption")
    ax.errorbar(shown["relative_month"], effect, yerr=[below, above], fmt="o", color=colour, capsize=3)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set(
        xlabel="months since the team reached the adoption share (-1: the reference month)",
        ylabel="change against month -1",
        xticks=shown["relative_month"].tolist(),
    )
    ax.legend(loc="upper left")
    return ax
