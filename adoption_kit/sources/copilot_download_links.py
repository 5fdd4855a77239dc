"""GitHub Copilot usage-metrics envelopes: ``{download_links: [...], report_day | report_start_day, ...}``.

Every ``/copilot/metrics/reports/...`` endpoint answers with this envelope (FORMATS.md §1a): it holds no
usage, only signed links, valid for a short while, to the report files. It is recognised so that saving the
envelope instead of the report gets a clear error saying what to do, rather than "unknown format".
"""

from __future__ import annotations

from pathlib import Path

from adoption_kit.errors import InputFileError
from adoption_kit.sources import _api_json as api_json
from adoption_kit.sources.base import Extract
from adoption_kit.sources.fields import Fields

NAME = "github_copilot_download_links"
DESCRIPTION = "GitHub Copilot usage-metrics download-links envelope (not data: refused with what to do)"
KEY = "download_links"
FIELDS = Fields()  # nothing is ever read: the file is refused


def sniff(head: str) -> bool:
    """The envelope's list of download links."""
    return api_json.is_json(head) and f'"{KEY}"' in head


@FIELDS.checked
def read(path: Path) -> Extract:
    """Always refused: the data sits in the files the links point to."""
    raise InputFileError(
        "this is the list of download links GitHub returns, not a report; download each linked file and "
        "ingest those (the links expire soon after the request: ask the API again if they have)",
        path=path,
        column=KEY,
        expected="the report files behind the download links (NDJSON or JSON)",
    )
