"""A small, realistic published run, for fast tests of plots, reports, the batch and the dashboard.

It has the tables of the published (viewer) tier for the organisation ("ALL") and four departments over the
six months up to ``period``: "Engineering", "Sales" (too few GitHub Copilot seats: those rows are
suppressed), "Finance & Legal" (a name that needs a slug) and "Executive Office" (too small: every row is
suppressed, numbers NA). It does not model complementary suppression; the real release gate does.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

MIN_GROUP_SIZE = 5
SMALL_DEPARTMENT = "Executive Office"
# department: (headcount, ChatGPT Enterprise seats, GitHub Copilot seats, seats of any tool)
DEPARTMENTS = {
    "Engineering": (240, 200, 180, 230),
    "Sales": (120, 100, 3, 101),
    "Finance & Legal": (60, 50, 8, 52),
    SMALL_DEPARTMENT: (4, 4, 0, 4),
}
TOOLS = ("chatgpt_enterprise", "github_copilot", "any")
TABLES = ("headcount", "activation", "weekly_active", "monthly_active", "stages", "suppressions")


def write_published_fixture(root: Path, period: str = "2026-10") -> Path:
    """Write a published run for ``period`` under ``root`` and return its folder (``root/period``)."""
    rng = np.random.default_rng(20261001)
    weeks = pd.date_range(end=pd.Period(period, "M").end_time.normalize(), periods=26, freq="W-MON")
    seats = _seats()
    weekly = _weekly_active(seats, weeks, rng)
    activation = _activation(seats, weekly)
    tables = {
        "headcount": _headcount(),
        "activation": activation,
        "weekly_active": _with_volume(weekly, rng),
        "monthly_active": _monthly_active(weekly, seats),
        "stages": _stages(activation),
    }
    tables = {name: _with_organisation(frame) for name, frame in tables.items()}
    tables = {name: _suppress(frame) for name, frame in tables.items()}
    tables["suppressions"] = _suppressions(tables, period)
    folder = root / period
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    manifest = {
        "period": period,
        "min_group_size": MIN_GROUP_SIZE,
        "tables": list(TABLES),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


def _seats() -> pd.DataFrame:
    frame = pd.DataFrame(DEPARTMENTS, index=["headcount", *TOOLS]).T.rename_axis("group").reset_index()
    return frame.melt(id_vars=["group", "headcount"], var_name="tool", value_name="seat_holders")


def _headcount() -> pd.DataFrame:
    return pd.DataFrame({"group": list(DEPARTMENTS), "people": [v[0] for v in DEPARTMENTS.values()]})


def _weekly_active(seats: pd.DataFrame, weeks: pd.DatetimeIndex, rng: np.random.Generator) -> pd.DataFrame:
    grid = seats.merge(pd.DataFrame({"week": weeks, "ramp": np.linspace(0.55, 1.0, len(weeks))}), how="cross")
    level = grid["tool"].map({"chatgpt_enterprise": 0.62, "github_copilot": 0.7, "any": 0.72})
    share = (level * grid["ramp"] + rng.normal(0, 0.03, len(grid))).clip(0, 1)
    grid["wau"] = np.round(grid["seat_holders"] * share).astype("int64")
    return grid[["group", "tool", "week", "wau"]].assign(people=grid["wau"])


def _activation(seats: pd.DataFrame, weekly: pd.DataFrame) -> pd.DataFrame:
    peak = weekly.groupby(["group", "tool"], as_index=False)["wau"].max()
    frame = seats.merge(peak, on=["group", "tool"])
    activated = np.minimum(frame["seat_holders"], np.round(frame["wau"] * 1.2)).astype("int64")
    return frame.assign(activated=activated, people=frame["seat_holders"])[
        ["group", "tool", "seat_holders", "activated", "people"]
    ]


def _monthly_active(weekly: pd.DataFrame, seats: pd.DataFrame) -> pd.DataFrame:
    monthly = (
        weekly.assign(month=weekly["week"].dt.to_period("M").dt.to_timestamp())
        .groupby(["group", "tool", "month"], as_index=False)
        .agg(mean_wau=("wau", "mean"), peak=("wau", "max"))
        .merge(seats[["group", "tool", "seat_holders"]], on=["group", "tool"])
    )
    mau = np.minimum(monthly["seat_holders"], np.round(monthly["peak"] * 1.3)).astype("int64")
    return monthly.assign(mau=mau, people=mau)[["group", "tool", "month", "mau", "mean_wau", "people"]]


def _with_volume(weekly: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    median = rng.lognormal(np.log(22), 0.15, len(weekly)).round(1)
    mean = (median * rng.uniform(1.3, 1.6, len(weekly))).round(1)
    return weekly.assign(
        events=np.round(weekly["wau"] * mean).astype("int64"),
        events_per_user_mean=mean,
        events_per_user_median=median,
        events_per_user_p90=(median * rng.uniform(2.6, 3.4, len(weekly))).round(1),
    )


def _stages(activation: pd.DataFrame) -> pd.DataFrame:
    """Access (seat holders), first use (activated), then 80% and 60% of the stage before."""
    repeat = np.round(activation["activated"] * 0.8).astype("int64")
    counts = {
        "access": activation["seat_holders"],
        "first_use": activation["activated"],
        "repeat_use": repeat,
        "deeper_adoption": np.round(repeat * 0.6).astype("int64"),
    }
    frames = [activation[["group", "tool"]].assign(stage=stage, people=n) for stage, n in counts.items()]
    return pd.concat(frames, ignore_index=True)


def _with_organisation(frame: pd.DataFrame) -> pd.DataFrame:
    """Department rows plus the organisation's ("ALL"): counts add up, rates are recomputed."""
    keys = [c for c in ("tool", "week", "month", "stage") if c in frame.columns]
    counts = [c for c in frame.columns if c not in keys and pd.api.types.is_integer_dtype(frame[c])]
    if keys:
        organisation = frame.groupby(keys, as_index=False)[counts].sum()
    else:
        organisation = frame[counts].sum().to_frame().T
    if "mean_wau" in frame.columns:
        organisation = organisation.merge(frame.groupby(keys, as_index=False)["mean_wau"].sum(), on=keys)
    if "events_per_user_median" in frame.columns:
        share = frame.groupby(keys)["events_per_user_median"].median().to_numpy()
        organisation = organisation.assign(
            events_per_user_mean=organisation["events"] / organisation["wau"],
            events_per_user_median=share,
            events_per_user_p90=share * 3,
        )
    both = pd.concat([organisation.assign(group="ALL"), frame], ignore_index=True)[list(frame.columns)]
    both.insert(0, "group_by", np.where(both["group"] == "ALL", "organisation", "department"))
    return both.astype({"group_by": "str", "group": "str"})


def _suppress(frame: pd.DataFrame) -> pd.DataFrame:
    """Derived rates, then the gate: rows resting on fewer than MIN_GROUP_SIZE people lose their numbers."""
    if "activated" in frame.columns:
        frame = frame.assign(activation_rate=frame["activated"] / frame["seat_holders"])
    if "mau" in frame.columns:
        frame = frame.assign(stickiness=frame["mean_wau"] / frame["mau"])
    suppressed = (frame["people"] < MIN_GROUP_SIZE) | (frame["group"] == SMALL_DEPARTMENT)
    keys = {"group_by", "group", "tool", "week", "month", "stage"}
    numbers = {
        c: frame[c].astype("Int64" if pd.api.types.is_integer_dtype(frame[c]) else "float64").mask(suppressed)
        for c in frame.columns
        if c not in keys
    }
    ordered = [c for c in frame.columns if c != "people"] + ["people"]
    return frame.assign(**numbers, suppressed=suppressed.to_numpy())[[*ordered, "suppressed"]]


def _suppressions(tables: dict[str, pd.DataFrame], period: str) -> pd.DataFrame:
    rows = []
    for name, frame in tables.items():
        hidden = frame.loc[frame["suppressed"]]
        when = hidden.get("week", hidden.get("month"))
        rows.append(
            pd.DataFrame(
                {
                    "table": name,
                    "group_by": hidden["group_by"],
                    "group": hidden["group"],
                    "tool": hidden["tool"] if "tool" in hidden.columns else "",
                    "period": when.dt.strftime("%Y-%m-%d") if when is not None else period,
                    "reason": "primary",  # as the gate records a group under the minimum
                }
            )
        )
    return pd.concat(rows, ignore_index=True).astype("str")
