"""Detection by content over every vendor sample: each file is claimed by at most one format."""

from __future__ import annotations

import pytest

from adoption_kit import sources
from adoption_kit.sources._tabular import read_text

LEGACY = "github_copilot/legacy_metrics_api"
REPORTS = "github_copilot/usage_metrics_reports"

# fmt: off
SAMPLES = [
    # (sample, the format that must claim it)
    ("anthropic/docs_examples/claude_code_usage_report_example.json", "claude_code_usage"),
    ("anthropic/docs_examples/messages_usage_report_example.json", "anthropic_usage_cost"),
    ("anthropic/docs_examples/cost_report_example.json", "anthropic_usage_cost"),
    ("cursor/docs_examples/daily_usage_data_example.json", "cursor_daily_usage"),
    ("cursor/docs_examples/filtered_usage_events_example.json", "cursor_usage_events_api"),
    ("cursor/docs_examples/spend_example.json", "cursor_spend"),
    ("cursor/usage-events-2025-12-02-auto.csv", "cursor_usage_events"),  # claimed, then refused: no User
    ("cursor/usage-events-2025-12-02-composer-1.csv", "cursor_usage_events"),
    ("github_copilot/usage_metrics_reports/organization-1-day-report.json", "github_copilot_org_metrics"),
    ("github_copilot/usage_metrics_reports/organization-28-day-report.json", "github_copilot_org_metrics"),
    ("github_copilot/usage_metrics_reports/enterprise-28-day-report.json", "github_copilot_org_metrics"),
    ("github_copilot/docs_examples/enterprise_level_example.json", "github_copilot_org_metrics"),
    ("github_copilot/billing/billing-credits.json", "github_copilot_billing"),
    (f"{REPORTS}/download-links-enterprise-28-day.json", "github_copilot_download_links"),  # then refused
    (f"{REPORTS}/download-links-organization-1-day.json", "github_copilot_download_links"),
    (f"{REPORTS}/download-links-organization-28-day.json", "github_copilot_download_links"),
    (f"{REPORTS}/enterprise-users-28-day-report.json", "github_copilot_user_totals"),
    (f"{REPORTS}/enterprise-users-1-day-report.json", "github_copilot_user_totals"),
    (f"{LEGACY}/organization_metrics_response_sample.json", "github_copilot_legacy_metrics"),
    (f"{LEGACY}/enterprise_metrics_response_sample.json", "github_copilot_legacy_metrics"),
    (f"{LEGACY}/organization_usage_response_sample.json", "github_copilot_legacy_usage"),
    (f"{LEGACY}/enterprise_usage_response_sample.json", "github_copilot_legacy_usage"),
    ("openai_api/docs_examples/usage_completions_example.json", "openai_usage"),
    ("openai_api/synthetic/costs_example_SYNTHETIC.json", "openai_usage"),
]
# fmt: on


@pytest.mark.parametrize(("sample", "name"), SAMPLES, ids=[s[0].rpartition("/")[2] for s in SAMPLES])
def test_when_detecting_a_sample_then_its_own_format_claims_it(formats, sample, name):
    assert sources.detect(formats / sample) is sources.SOURCES[name]


def test_when_sniffing_every_sample_then_no_file_is_claimed_twice(formats):
    claims = {
        str(path.relative_to(formats)): [
            name
            for name, module in sources.SOURCES.items()
            if module.sniff(read_text(path)[: sources.SNIFF_CHARACTERS])
        ]
        for path in sorted(formats.rglob("*"))
        if path.is_file()
    }
    assert {path: names for path, names in claims.items() if len(names) > 1} == {}


# fmt: off
NOT_EXPORTS = [
    # documentation that sits beside the samples: no format may claim it
    "chatgpt_enterprise/glossary_gpt_engagement.csv",
    "chatgpt_enterprise/glossary_user_engagement.csv",
]
# fmt: on


@pytest.mark.parametrize("sample", NOT_EXPORTS, ids=[s.rpartition("/")[2] for s in NOT_EXPORTS])
def test_when_sniffing_a_glossary_then_no_format_claims_it(formats, sample):
    head = read_text(formats / sample)[: sources.SNIFF_CHARACTERS]
    assert [name for name, module in sources.SOURCES.items() if module.sniff(head)] == []
