"""What a report may show about a group, and the words around it.

Report notebooks and the dashboard call these instead of holding logic of their own. A report may apply a
stricter minimum group size than the published run; it can never apply a looser one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from IPython.display import Markdown

from adoption_kit import metrics
from adoption_kit.errors import KitError
from adoption_kit.publish import ORGANISATION, PublishedRun

KEY_COLUMNS = frozenset(
    {"group_by", "group", "department", "team", "location", "job_function", "level", "tenure_band", "tool"}
    | {"week", "month"}
    | {"stage", "suppressed", "status", "metric", "hour", "weekday", "category", "from_team", "to_team"}
)
TREND_CONFIDENCE = 0.95
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$&])")
TOOLS_USED = "tools_used:"  # monthly_active rows of people by how many tools they used, not a tool


@dataclass(frozen=True)
class Section:
    """A report table and the sentence read with it (what it shows, what is hidden, or why it is empty)."""

    table: pd.DataFrame
    note: str
    available: bool = True


def not_available(name: str) -> Section:
    """An empty section for a table the run does not publish."""
    note = f"{name.replace('_', ' ').capitalize()} is not available in this run."
    return Section(pd.DataFrame(), note, available=False)


def per_tool(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``frame`` about tools, without monthly_active's rows of people by number of tools."""
    return frame.loc[~frame["tool"].str.startswith(TOOLS_USED)]


def month_of(run: PublishedRun) -> pd.Timestamp:
    """The first day of the run's month, as published tables key their months."""
    return pd.Period(run.period, "M").start_time


def threshold(run: PublishedRun, min_group_size: int = 0) -> int:
    """The minimum group size in force: the stricter of the run's own and the report's."""
    return max(run.min_group_size, int(min_group_size))


def groups(run: PublishedRun, *, min_group_size: int = 0) -> pd.DataFrame:
    """The organisation and every group of the run's :attr:`~PublishedRun.by` (group_by, group, people,
    status), judged against :func:`threshold`."""
    frame = run.groups()
    frame = frame.loc[frame["group_by"].isin(["organisation", run.by])]
    people = pd.to_numeric(frame["people"], errors="coerce")
    # a headcount hidden only to protect another group (complementary) does not make its group too small
    big_enough = (frame["status"] == "ok") & (people.isna() | (people >= threshold(run, min_group_size)))
    return frame.assign(status=np.where(big_enough, "ok", "too_small"))


def group_status(run: PublishedRun, group: str, *, min_group_size: int = 0) -> str:
    """Whether ``group`` is big enough to report on ("ok") or not ("too_small"); KitError if unknown."""
    frame = groups(run, min_group_size=min_group_size)
    status = frame.loc[frame["group"] == group, "status"]
    if status.empty:
        raise KitError(
            f"the run for {run.period} has no group named {group!r}",
            path=run.path,
            expected=f"{ORGANISATION!r} or a {run.by}: {', '.join(sorted(frame['group']))}",
        )
    return str(status.iloc[0])


def visible(frame: pd.DataFrame, min_group_size: int) -> pd.DataFrame:
    """The rows of a published table as a report may show them.

    Rows already suppressed, or resting on fewer than ``min_group_size`` people, are marked suppressed and
    lose their numbers (charts then leave a gap); every row is kept so the time axis stays whole.
    """
    missing = {"people", "suppressed"} - set(frame.columns)
    if missing:
        raise KitError(
            f"table has no column(s) {', '.join(sorted(missing))}",
            column=sorted(missing)[0],
            expected="a published table with people and suppressed columns",
        )
    people = pd.to_numeric(frame["people"], errors="coerce")
    too_few = ~(people >= int(min_group_size)).fillna(False).astype(bool)
    hidden = frame["suppressed"].fillna(True).astype(bool) | too_few
    numbers = {column: frame[column].mask(hidden) for column in frame.columns if column not in KEY_COLUMNS}
    return frame.assign(**numbers, suppressed=hidden)


def headline(run: PublishedRun, group: str, *, min_group_size: int = 0) -> str:
    """One plain sentence or two on how far ``group`` has adopted AI tools by the end of the run's period."""
    minimum = threshold(run, min_group_size)
    month = pd.Period(run.period, "M").strftime("%B %Y")
    if group_status(run, group, min_group_size=minimum) == "too_small":
        return (
            f"Fewer than {minimum} people in {place(group)} have published figures for {month}, so this "
            "report shows no numbers: small groups stay hidden to protect the people in them."
        )
    activation = _any_tool(visible(run.table("activation", group=group), minimum)).dropna(
        subset=["activated", "seat_holders", "activation_rate"]
    )
    weekly = _any_tool(visible(run.table("weekly_active", group=group), minimum)).dropna(subset=["wau"])
    weekly = weekly.sort_values("week")
    sentences = []
    if not activation.empty:
        row = activation.iloc[-1]
        sentences.append(
            f"By the end of {month}, {row['activated']:,.0f} of the {row['seat_holders']:,.0f} people in "
            f"{place(group)} with a seat on an AI tool ({row['activation_rate']:.0%}) had used one at least "
            "once."
        )
    if not weekly.empty:
        row = weekly.iloc[-1]
        week = row["week"]
        sentences.append(f"In the week starting {week.day} {week:%B}, {row['wau']:,.0f} people used one.")
    if not sentences:
        return f"In {month}, no summary figure for {place(group)} rests on at least {minimum} people."
    return " ".join(sentences)


def first_use_sentence(run: PublishedRun, group: str, *, min_group_size: int = 0) -> str:
    """How soon people with a seat on any AI tool first used one (median and 75th percentile days)."""
    activation = _any_tool(visible(run.table("activation", group=group), threshold(run, min_group_size)))
    days = ["median_days_to_first_use", "p75_days_to_first_use"]
    activation = activation.dropna(subset=days) if set(days) <= set(activation.columns) else activation[:0]
    if activation.empty:
        return f"How soon people in {place(group)} first used their seat is not shown for this group."
    row = activation.iloc[-1]
    return (
        f"Of those in {place(group)} who have used their seat, half did so within "
        f"{row['median_days_to_first_use']:.0f} days of getting it, and three in four within "
        f"{row['p75_days_to_first_use']:.0f} days."
    )


STAGE_LABELS = {
    "access": "have access",
    "first_use": "used it once",
    "repeat_use": "came back",
    "deeper_adoption": "adopted it deeply",
}


def funnel(run: PublishedRun, group: str, *, tool: str = "any", min_group_size: int = 0) -> pd.DataFrame:
    """The adoption stages of ``group`` for ``tool`` as a report may show them, with each step's conversion.

    Columns ``stage, people, conversion``: a conversion is worked out only from two shown counts, and only
    when the earlier one rests on at least the minimum (never from a count the gate hid)."""
    minimum = threshold(run, min_group_size)
    rows = visible(run.table("stages", group=group), minimum)
    rows = rows.loc[rows["tool"] == tool].set_index("stage").reindex(list(metrics.STAGES)).reset_index()
    people = pd.to_numeric(rows["people"], errors="coerce").astype("Float64")
    before = people.shift(1)
    conversion = (people / before).where(before >= minimum)
    return pd.DataFrame(
        {"stage": rows["stage"], "people": people, "conversion": conversion.astype("Float64")}
    )


def worst_step(
    run: PublishedRun, group: str, *, tool: str = "any", min_group_size: int = 0
) -> pd.Series | None:
    """The row of :func:`funnel` (stage, people, conversion) whose step loses the most people, or None
    when no step is shown."""
    steps = funnel(run, group, tool=tool, min_group_size=min_group_size).dropna(subset=["conversion"])
    if steps.empty:
        return None
    return steps.iloc[int(np.argmin(steps["conversion"].to_numpy(dtype=float)))]


def bottleneck(run: PublishedRun, group: str, *, tool: str = "any", min_group_size: int = 0) -> str:
    """One sentence naming the step where ``group`` loses the most people, from shown numbers only."""
    worst = worst_step(run, group, tool=tool, min_group_size=min_group_size)
    if worst is None:
        return f"Too few shown numbers for {place(group)} to say where adoption stalls."
    position = metrics.STAGES.index(str(worst["stage"]))
    earlier, later = STAGE_LABELS[metrics.STAGES[position - 1]], STAGE_LABELS[str(worst["stage"])]
    return (
        f"Adoption in {place(group)} stalls most between the people who {earlier} and those who {later}: "
        f"{worst['conversion']:.0%} make that step."
    )


def weekly_trend_fit(
    run: PublishedRun, group: str, *, tool: str = "any", min_group_size: int = 0
) -> pd.DataFrame:
    """The straight line fitted to ``group``'s shown weekly active people for ``tool`` (one row of
    :func:`adoption_kit.metrics.active_users_trend`; empty when no week is shown)."""
    weekly = visible(run.table("weekly_active", group=group), threshold(run, min_group_size))
    shown = weekly.loc[(weekly["tool"] == tool) & ~weekly["suppressed"]].astype({"wau": "float64"})
    return metrics.active_users_trend(shown, by=None, value="wau", period="week", confidence=TREND_CONFIDENCE)


def weekly_trend(run: PublishedRun, group: str, *, tool: str = "any", min_group_size: int = 0) -> str:
    """One sentence on the straight-line trend of ``group``'s weekly active people, from shown weeks only."""
    trend = weekly_trend_fit(run, group, tool=tool, min_group_size=min_group_size)
    if trend.empty or pd.isna(trend["slope_per_week"].iloc[0]):
        return f"Too few shown weeks for {place(group)} to draw a trend."
    row = trend.iloc[0]
    direction = "grew" if row["slope_low"] > 0 else "fell" if row["slope_high"] < 0 else "held steady"
    return (
        f"Over {row['periods']} shown weeks, weekly active people in {place(group)} {direction}: "
        f"{row['slope_per_week']:+.1f} a week ({TREND_CONFIDENCE:.0%} interval {row['slope_low']:+.1f} to "
        f"{row['slope_high']:+.1f}; weeks are not independent, so read it as the least uncertainty)."
    )


ACTIVE_LEVELS = {  # monthly_active column -> how a chart names it
    "mau": "Monthly active",
    "mean_wau": "Weekly active (average week)",
    "dau": "Daily active (average day, day-level tools)",
}


def active_levels(
    run: PublishedRun, group: str, *, tool: str = "any", min_group_size: int = 0
) -> pd.DataFrame:
    """``group``'s monthly, average weekly and average daily active people on ``tool``, per month with at
    least one whole week, from shown numbers only (daily figures are published for the organisation).
    Columns ``month, measure, people``."""
    monthly = visible(run.table("monthly_active", group=group), threshold(run, min_group_size))
    monthly = monthly.loc[(monthly["tool"] == tool) & ~monthly["suppressed"] & monthly["mean_wau"].notna()]
    measures = [column for column in ACTIVE_LEVELS if column in monthly.columns]
    levels = monthly[["month", *measures]].melt(id_vars="month", var_name="measure", value_name="people")
    levels = levels.dropna(subset=["people"]).astype({"people": "float64"})
    return levels.assign(measure=levels["measure"].map(ACTIVE_LEVELS)).reset_index(drop=True)


def active_level_trends(levels: pd.DataFrame) -> pd.DataFrame:
    """The straight line fitted to each measure of :func:`active_levels` (rows of
    :func:`adoption_kit.metrics.active_users_trend`, the measure in column ``measure``)."""
    series = levels.rename(columns={"measure": "tool"})
    trends = metrics.active_users_trend(
        series, by=None, value="people", period="month", confidence=TREND_CONFIDENCE
    )
    return trends.rename(columns={"tool": "measure"})


def main_tool(weekly: pd.DataFrame) -> str:
    """The tool most people used in a group's shown weeks (never "any": use has no common unit across
    tools); "any" when no tool has a shown week, which charts then say."""
    tools = weekly.loc[(weekly["tool"] != "any") & ~weekly["suppressed"]]
    totals = pd.to_numeric(tools["wau"], errors="coerce").groupby(tools["tool"]).sum()
    return str(totals.idxmax()) if len(totals) and totals.max() > 0 else "any"


def markdown(text: str) -> Markdown:
    """Plain text as a Markdown display object, with every Markdown, HTML and LaTeX character escaped."""
    return Markdown(MARKDOWN_SPECIALS.sub(r"\\\1", text))


def markdown_list(lines: list[str]) -> Markdown:
    """Plain sentences as a Markdown bullet list, each escaped as :func:`markdown` escapes text."""
    return Markdown("\n".join(f"- {markdown(line).data}" for line in lines))


def stage_tools(run: PublishedRun, group: str, *, min_group_size: int = 0) -> list[str]:
    """The tools (not "any") whose access count is shown in ``group``'s adoption stages, most people
    first."""
    stages = visible(run.table("stages", group=group), threshold(run, min_group_size))
    access = stages.loc[(stages["stage"] == "access") & (stages["tool"] != "any") & ~stages["suppressed"]]
    access = access.astype({"people": "float64"}).sort_values(["people", "tool"], ascending=[False, True])
    return access["tool"].tolist()


def _any_tool(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.loc[(frame["tool"] == "any") & ~frame["suppressed"]]


def place(group: str) -> str:
    """How a sentence names ``group``."""
    return "the whole organisation" if group == ORGANISATION else group
