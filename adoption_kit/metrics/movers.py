"""What moved: the month-over-month change of each group's metrics, with an uncertainty band, largest first.

The input is a tidy metric frame with columns ``[by...]``, optionally ``tool``, then ``month``, ``metric``,
``count``, ``base`` and ``people``. A row with a ``base`` is a rate (``count`` of ``base`` people, e.g. active
of employed); a row without one is a count (e.g. events, or active people). Bands, at ``confidence``:

- a rate: Newcombe's hybrid score interval for the difference of two proportions (method 10 of Newcombe,
  1998), built from each month's Wilson interval. It treats the months as independent samples; the same
  people appear in both, so for a steady group the band is wider than a paired one would be.
- a count: each month's count taken as Poisson, the difference's normal approximation
  ``change +- z * sqrt(previous + current)``.

Groups present in only one of the two months get no row: pass zero-filled frames (as the metrics return).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import NormalDist

import numpy as np
import pandas as pd

from adoption_kit.metrics.query import Grouping, result_keys


@dataclass(frozen=True)
class MoverRule:
    """Options of the movers table: the confidence level of each change's band."""

    confidence: float = 0.95


DEFAULT_MOVERS = MoverRule()


def month_over_month(
    metrics: pd.DataFrame,
    *,
    by: Grouping = "department",
    month: date,
    confidence: float = DEFAULT_MOVERS.confidence,
) -> pd.DataFrame:
    """Each group's and metric's change from the month before ``month`` to ``month``, with its band.

    Columns ``[by...], [tool], metric, kind`` (rate | count), ``previous, current, change, change_low,
    change_high`` and ``people`` (the smaller of the two months' people). Sorted by metric, then by the size
    of the change, largest first: rates and counts are not on one scale, so they are never ranked together.
    """
    keys = [
        *result_keys(by),
        *(["tool"] if "tool" in metrics.columns else []),
        "metric",
    ]
    current_month = pd.Timestamp(month).to_period("M").to_timestamp()
    months = metrics["month"].dt.to_period("M").dt.to_timestamp()
    columns = [*keys, "count", "base", "people"]
    paired = metrics.loc[months == current_month - pd.DateOffset(months=1), columns].merge(
        metrics.loc[months == current_month, columns], on=keys, suffixes=("_previous", "_current")
    )
    is_rate = paired["base_previous"].notna() & paired["base_current"].notna()
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    rates = _rate_change(paired, z)
    counts = _count_change(paired, z)
    changes = pd.DataFrame(
        np.where(is_rate.to_numpy()[:, None], rates, counts), index=paired.index, columns=rates.columns
    )
    result = (
        paired[keys]
        .assign(kind=np.where(is_rate, "rate", "count"))
        .join(changes)
        .assign(people=paired[["people_previous", "people_current"]].min(axis=1))
    )
    order = result.assign(size=result["change"].abs()).sort_values(
        ["metric", "size"], ascending=[True, False], kind="stable"
    )
    return order.drop(columns="size").reset_index(drop=True)


def _rate_change(paired: pd.DataFrame, z: float) -> pd.DataFrame:
    """Newcombe's hybrid score interval for current share minus previous share."""
    p1, low1, high1 = _wilson(paired["count_previous"], paired["base_previous"], z)
    p2, low2, high2 = _wilson(paired["count_current"], paired["base_current"], z)
    change = p2 - p1
    return pd.DataFrame(
        {
            "previous": p1,
            "current": p2,
            "change": change,
            "change_low": change - np.sqrt((p2 - low2) ** 2 + (high1 - p1) ** 2),
            "change_high": change + np.sqrt((high2 - p2) ** 2 + (p1 - low1) ** 2),
        }
    )


def _count_change(paired: pd.DataFrame, z: float) -> pd.DataFrame:
    """Current count minus previous count, with the normal approximation to two Poisson counts."""
    previous, current = paired["count_previous"].astype(float), paired["count_current"].astype(float)
    change = current - previous
    margin = z * np.sqrt(previous + current)
    return pd.DataFrame(
        {
            "previous": previous,
            "current": current,
            "change": change,
            "change_low": change - margin,
            "change_high": change + margin,
        }
    )


def _wilson(count: pd.Series, base: pd.Series, z: float) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The share ``count / base`` and its Wilson score interval (empty where ``base`` is 0)."""
    n = base.astype(float).where(base > 0)
    share = count.astype(float) / n
    centre = (share + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(share * (1 - share) / n + z**2 / (4 * n**2))
    return share, centre - half, centre + half
