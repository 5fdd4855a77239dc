"""Optional noisy counts: off by default, a budget that refuses overspend, an honest stated accuracy."""

from __future__ import annotations

import socket
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from adoption_kit.errors import ConfigError, ReleaseError, WorkspaceError
from adoption_kit.privacy.budget import BudgetExceededError, PrivacyBudget
from adoption_kit.privacy.noise import (
    ContributionsSampledWarning,
    NoiseSettings,
    bound_contributions,
    noisy_distinct_counts,
)

PARAMETERS = Path(__file__).resolve().parents[1] / "parameters" / "org.yaml"
BY = ["department", "tool", "week"]
TOOLS = ["chatgpt", "claude", "copilot"]
WEEKS = ["2026-W40", "2026-W41", "2026-W42", "2026-W43"]


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    """Every test runs with sockets disabled: OpenDP must not need the network."""

    def refuse(*args, **kwargs):
        raise OSError("network access is disabled in these tests")

    monkeypatch.setattr(socket, "socket", refuse)


def _organisation(people: int, departments: int, *, seed: int) -> pd.DataFrame:
    """One row per person, tool and week used: people spread evenly over departments, each using 6 of the
    3 x 4 (tool, week) cells, with a fifth of the rows repeated so that counting distinct people matters."""
    rng = np.random.default_rng(seed)
    cells = pd.MultiIndex.from_product([TOOLS, WEEKS], names=["tool", "week"]).to_frame(index=False)
    used = rng.permuted(np.tile(np.arange(len(cells)), (people, 1)), axis=1)[:, :6].ravel()
    person = np.repeat(np.arange(people), 6)
    people_columns = {
        "person_id": [f"p{i:05d}" for i in person],
        "department": [f"dept{i % departments:02d}" for i in person],
    }
    rows = cells.iloc[used].reset_index(drop=True).assign(**people_columns)
    return pd.concat([rows, rows.sample(frac=0.2, random_state=seed)], ignore_index=True)


def _keys(departments: list[str]) -> pd.DataFrame:
    return pd.MultiIndex.from_product([departments, TOOLS, WEEKS], names=BY).to_frame(index=False)


def _exact_counts(rows: pd.DataFrame, keys: pd.DataFrame) -> pd.Series:
    people = rows.drop_duplicates(["person_id", *BY]).groupby(BY).size().rename("people")
    return keys.merge(people.reset_index(), on=BY, how="left")["people"].fillna(0).astype("int64")


def _settings(epsilon: float, max_contributions: int = 6) -> NoiseSettings:
    return NoiseSettings(enabled=True, epsilon_per_period=epsilon, max_contributions=max_contributions)


def _budget(tmp_path: Path, epsilon: float) -> PrivacyBudget:
    return PrivacyBudget(tmp_path / "privacy_budget.json", epsilon_per_period=epsilon)


def test_when_the_shipped_parameters_are_read_then_noise_is_off():
    shipped = yaml.safe_load(PARAMETERS.read_text(encoding="utf-8"))["noise"]
    assert NoiseSettings.from_mapping(shipped) == NoiseSettings(
        enabled=False, epsilon_per_period=1.0, max_contributions=8
    )
    assert NoiseSettings.from_mapping(None).enabled is False


@pytest.mark.parametrize(
    "block",
    [
        {"enabled": "yes"},  # a string is not a switch
        {"epsilon_per_period": 0},  # no budget is no release
        {"epsilon_per_period": float("inf")},  # infinite epsilon is no privacy
        {"max_contributions": 0},  # every person must be countable
        {"max_contributions": 2.5},  # a bound on rows is a whole number
        {"epsilon": 1.0},  # a typo for epsilon_per_period must not silently keep the default
    ],
)
def test_when_the_noise_block_is_invalid_then_a_config_error_names_the_key(block):
    with pytest.raises(ConfigError) as raised:
        NoiseSettings.from_mapping(block)
    assert raised.value.column == f"noise.{next(iter(block))}"


def test_when_a_release_would_overspend_then_it_is_refused_before_computing_and_nothing_is_recorded(tmp_path):
    rows = _organisation(60, 2, seed=1)
    queries = {"people_by_department_tool_week": _keys(["dept00", "dept01"])}
    budget = _budget(tmp_path, 1.0)
    noisy_distinct_counts(
        rows, queries, period="2026-10", settings=_settings(1.0), budget=budget, epsilon=0.6
    )
    ledger_before = budget.path.read_bytes()

    with warnings.catch_warnings(), pytest.raises(BudgetExceededError) as raised:
        # A bound of 1 would warn as soon as counting started; the refusal must come first.
        warnings.simplefilter("error", ContributionsSampledWarning)
        noisy_distinct_counts(
            rows, queries, period="2026-10", settings=_settings(1.0, 1), budget=budget, epsilon=0.6
        )

    refusal = raised.value
    assert isinstance(refusal, ReleaseError)
    assert (refusal.budget, refusal.spent, refusal.asked) == (1.0, 0.6, 0.6)
    assert "budget 1, spent 0.6, asked 0.6" in str(refusal)
    assert budget.path.read_bytes() == ledger_before
    assert budget.spent("2026-10") == pytest.approx(0.6)


def test_when_spends_add_up_to_the_budget_then_they_pass_and_other_periods_keep_their_own(tmp_path):
    budget = _budget(tmp_path, 1.0)
    for _ in range(10):
        budget.spend("2026-10", 0.1, queries=["q"])  # 0.1 ten times is 0.9999999999999999 in floats
    budget.spend("2026-11", 1.0, queries=["q"])

    with pytest.raises(BudgetExceededError):
        budget.spend("2026-10", 0.01, queries=["q"])
    assert budget.spent("2026-10") == pytest.approx(1.0)
    assert budget.spent("2026-12") == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["privacy_budget.json"]  # no temp file left


def test_when_the_ledger_is_not_a_ledger_then_a_workspace_error_names_it(tmp_path):
    budget = _budget(tmp_path, 1.0)
    budget.path.write_text('{"periods": {"2026-10": [{"epsilon": "lots"}]}}', encoding="utf-8")
    with pytest.raises(WorkspaceError) as raised:
        budget.spend("2026-10", 0.1, queries=["q"])
    assert raised.value.path == budget.path


def test_when_a_run_has_two_queries_then_the_epsilon_is_split_evenly_and_recorded_once(tmp_path):
    rows = _organisation(60, 2, seed=2)
    queries = {
        "people_by_department_tool_week": _keys(["dept00", "dept01"]),
        "people_by_tool": pd.DataFrame({"tool": TOOLS}),
    }
    budget = _budget(tmp_path, 1.0)

    released = noisy_distinct_counts(rows, queries, period="2026-10", settings=_settings(1.0), budget=budget)

    assert {name: table["epsilon"].unique().tolist() for name, table in released.items()} == {
        "people_by_department_tool_week": [0.5],
        "people_by_tool": [0.5],
    }
    assert released["people_by_tool"].columns.tolist() == ["tool", "noisy_count", "accuracy", "epsilon"]
    assert budget.spent("2026-10") == pytest.approx(1.0)


@pytest.mark.filterwarnings("ignore:epsilon should be less than or equal to 5")
def test_when_epsilon_is_huge_then_the_counts_are_the_distinct_people_per_key(tmp_path):
    rows = _organisation(300, 3, seed=3)
    keys = _keys(["dept00", "dept01", "dept02"])

    released = noisy_distinct_counts(
        rows, {"q": keys}, period="p", settings=_settings(1e6, 12), budget=_budget(tmp_path, 1e6)
    )["q"]

    pd.testing.assert_frame_equal(released[BY], keys)
    assert released["noisy_count"].tolist() == _exact_counts(rows, keys).tolist()
    assert released["noisy_count"].dtype == "int64"


def test_when_a_group_has_no_one_or_one_person_then_it_still_gets_a_noisy_count(tmp_path):
    rows = pd.DataFrame({"person_id": [f"p{i}" for i in range(30)], "team": [f"solo{i}" for i in range(30)]})
    keys = pd.DataFrame({"team": [f"solo{i}" for i in range(30)] + [f"empty{i}" for i in range(30)]})

    released = noisy_distinct_counts(
        rows, {"q": keys}, period="p", settings=_settings(1.0, 1), budget=_budget(tmp_path, 1.0)
    )["q"]

    assert released["team"].tolist() == keys["team"].tolist()  # every public key is answered
    assert (released["noisy_count"] >= 0).all() and (released["accuracy"] > 0).all()
    solo, empty = released["noisy_count"].iloc[:30], released["noisy_count"].iloc[30:]
    # With noise of scale 1 each of these is exact with probability under 1/2 (all 30 exact: < 1e-9).
    assert (solo != 1).any() and (empty != 0).any()


def test_when_people_exceed_the_bound_then_a_random_sample_of_their_rows_is_kept_and_a_warning_says_so(
    tmp_path,
):
    rows = pd.DataFrame({"person_id": ["heavy"] * 10 + ["light"] * 2, "team": [f"t{i}" for i in range(12)]})

    bounded = bound_contributions(rows, person="person_id", max_contributions=3)
    with pytest.warns(ContributionsSampledWarning, match=r"1 people fall in more than 3 groups \(up to 10\)"):
        noisy_distinct_counts(
            rows,
            {"q": rows[["team"]]},
            period="p",
            settings=_settings(1.0, 3),
            budget=_budget(tmp_path, 1.0),
        )

    assert bounded.groupby("person_id").size().to_dict() == {"heavy": 3, "light": 2}
    assert set(bounded["team"]) <= set(rows["team"]) and {"t10", "t11"} <= set(bounded["team"])


def test_when_many_releases_are_made_then_about_95_percent_of_errors_are_within_the_stated_accuracy(
    tmp_path,
):
    # The table is seeded; OpenDP's noise is not (it draws from a cryptographic source). Each key's noise is
    # independent, so 5 releases x 480 keys give 2,400 errors; the band is ~5 standard errors of a 95%
    # proportion wide on each side: reliable, yet an accuracy stated at half its value (~80% coverage) fails.
    departments = [f"dept{d:02d}" for d in range(40)]
    rows = _organisation(2_000, len(departments), seed=4)
    keys = _keys(departments)
    exact = _exact_counts(rows, keys).to_numpy()
    budget = _budget(tmp_path, 1.5)

    releases = [
        noisy_distinct_counts(
            rows, {"q": keys}, period=f"release {i}", settings=_settings(1.5), budget=budget
        )
        for i in range(5)
    ]

    errors = np.concatenate([np.abs(release["q"]["noisy_count"].to_numpy() - exact) for release in releases])
    accuracy = releases[0]["q"]["accuracy"].iloc[0]
    assert exact.min() > accuracy  # so raising a negative count to 0 cannot turn a miss into a hit
    assert 0.93 <= np.mean(errors <= accuracy) <= 0.975
    assert not 0.93 <= np.mean(errors <= accuracy / 2) <= 0.975
