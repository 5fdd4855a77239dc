"""GitHub Copilot usage-metrics download-links envelopes: recognised, then refused with what to do."""

from __future__ import annotations

import json

import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources import copilot_download_links

ENVELOPES = [
    # the envelopes of a 28-day enterprise, a 1-day and a 28-day organisation report
    "download-links-enterprise-28-day.json",
    "download-links-organization-1-day.json",
    "download-links-organization-28-day.json",
]


@pytest.mark.parametrize("name", ENVELOPES)
def test_when_an_envelope_is_read_then_the_error_says_to_download_the_linked_files(formats, name):
    path = formats / "github_copilot/usage_metrics_reports" / name
    with pytest.raises(InputFileError) as caught:
        sources.read(path)
    assert (caught.value.path, caught.value.column) == (path, "download_links")
    assert "list of download links GitHub returns" in caught.value.message
    assert "download each linked file and ingest those" in caught.value.message


def test_when_the_envelope_is_empty_then_it_is_still_refused_as_an_envelope(tmp_path):
    path = tmp_path / "links.json"
    path.write_text(json.dumps({"download_links": [], "report_day": "2026-03-02"}))
    assert sources.detect(path) is copilot_download_links
    with pytest.raises(InputFileError) as caught:
        copilot_download_links.read(path)
    assert caught.value.column == "download_links"
