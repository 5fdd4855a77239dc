"""GitHub Copilot legacy metrics API (``/copilot/metrics``, closed 2026-04-02): a JSON array of days (§1b).

Each day is group-level: active and engaged users, engaged users per feature, and the suggestion, chat and
pull-request-summary counts summed over editors, models, languages and repositories. The response does not
name its organisation, enterprise or team (that was in the URL), so its scope is an unnamed organisation.
GitHub left out days with fewer than five licensed members.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.sources import _api_json as api_json
from adoption_kit.sources._canonical import UNNAMED, aggregates
from adoption_kit.sources.base import Extract
from adoption_kit.sources.fields import Fields

NAME = "github_copilot_legacy_metrics"
DESCRIPTION = "GitHub Copilot legacy metrics API response (JSON array of days)"
TOOL = "github_copilot"
COMPLETIONS = "copilot_ide_code_completions"
IDE_CHAT = "copilot_ide_chat"
DOTCOM_CHAT = "copilot_dotcom_chat"
PULL_REQUESTS = "copilot_dotcom_pull_requests"
ENGAGED = {
    "total_active_users": "total_active_users",
    "total_engaged_users": "total_engaged_users",
    f"{COMPLETIONS}.total_engaged_users": "ide_code_completions_engaged_users",
    f"{IDE_CHAT}.total_engaged_users": "ide_chat_engaged_users",
    f"{DOTCOM_CHAT}.total_engaged_users": "dotcom_chat_engaged_users",
    f"{PULL_REQUESTS}.total_engaged_users": "dotcom_pull_requests_engaged_users",
}
# (path of lists down to the counted items, {count: metric}): counts are summed per day
BREAKDOWNS = (
    (
        (COMPLETIONS, "editors", "models", "languages"),
        {
            "total_code_suggestions": "code_suggestions",
            "total_code_acceptances": "code_acceptances",
            "total_code_lines_suggested": "code_lines_suggested",
            "total_code_lines_accepted": "code_lines_accepted",
        },
    ),
    (
        (IDE_CHAT, "editors", "models"),
        {
            "total_chats": "ide_chats",
            "total_chat_insertion_events": "ide_chat_insertion_events",
            "total_chat_copy_events": "ide_chat_copy_events",
        },
    ),
    ((DOTCOM_CHAT, "models"), {"total_chats": "dotcom_chats"}),
    (
        (PULL_REQUESTS, "repositories", "models"),
        {"total_pr_summaries_created": "dotcom_pr_summaries_created"},
    ),
)
NOT_READ = [f"{COMPLETIONS}.languages"]  # engaged users per language: not additive across languages
KNOWN = frozenset(["date", *ENGAGED, *NOT_READ, *(f"{path[0]}.{path[1]}" for path, _ in BREAKDOWNS)])
FIELDS = Fields(passed=KNOWN)


def sniff(head: str) -> bool:
    """Legacy metrics days count engaged users (the newer reports count daily active users)."""
    return api_json.is_json(head) and '"total_engaged_users"' in head and '"day_totals"' not in head


@FIELDS.checked
def read(path: Path) -> Extract:
    """One aggregates row per day and metric, for an unnamed organisation."""
    days = api_json.records(api_json.documents(path), key="data", path=path)
    frame = api_json.flat(days)
    api_json.require(frame, ["date"], path=path, prefix="")
    metrics = {
        metric: api_json.parse(frame, column, "int", path=path, prefix="")
        for column, metric in ENGAGED.items()
    }
    for lists, counts in BREAKDOWNS:
        metrics |= _summed(days, lists, counts, path)
    group = pd.DataFrame(metrics, index=frame.index).assign(
        tool=TOOL,
        scope="organisation",
        scope_id=UNNAMED,
        day=api_json.parse(frame, "date", "day", path=path, prefix=""),
        grain="day",
    )
    group = group.drop_duplicates(["day"], keep="last")  # pages that overlap repeat a day
    return Extract(
        NAME,
        path,
        None,
        len(frame),
        {"aggregates": aggregates(group, {metric: metric for metric in metrics})},
        fields=tuple(frame.columns),
    )


def _summed(
    days: list[dict], lists: tuple[str, ...], counts: dict[str, str], path: Path
) -> dict[str, pd.Series]:
    """Each day's counts summed over the items found by walking ``lists`` (missing when there are none)."""
    items = [(number, item) for number, day in enumerate(days) for item in _walk(day, lists)]
    frame = api_json.flat([item for _, item in items], index=pd.Index([number for number, _ in items]))
    prefix = f"{lists[0]}." + "".join(f"{key}[]." for key in lists[1:])
    return {
        metric: api_json.parse(frame, count, "int", path=path, prefix=prefix)
        .groupby(level=0)
        .sum(min_count=1)
        .reindex(range(len(days)))
        for count, metric in counts.items()
    }


def _walk(node: object, keys: tuple[str, ...]) -> list[dict]:
    """The objects reached from ``node`` through ``keys``: an object, then lists of objects."""
    if not keys:
        return [node] if isinstance(node, dict) else []
    child = node.get(keys[0]) if isinstance(node, dict) else None
    children = child if isinstance(child, list) else [child]
    return [leaf for item in children for leaf in _walk(item, keys[1:])]
