"""One typed settings object, loaded from ``parameters/*.yaml``: every threshold lives there."""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from adoption_kit.errors import ConfigError
from adoption_kit.metrics import (
    GROUPABLE,
    BenchmarkRule,
    ConsumptionRule,
    CrossToolOptions,
    MoverRule,
    OutcomeRule,
    PowerUserRule,
    SeatRule,
    StageRule,
    TrendRule,
)
from adoption_kit.metrics.engines import EngineSettings
from adoption_kit.privacy.noise import NoiseSettings
from adoption_kit.privacy.suppression import Dominance
from adoption_kit.schema import TEXT_KINDS
from adoption_kit.use_cases import UseCaseRules

PARAMETERS_FILE = Path("parameters") / "org.yaml"
KEY_ENV = "ADOPTION_KIT_KEY"
HOME_ENV = "ADOPTION_KIT_HOME"
SMALLEST_ALLOWED_GROUP = 3
TEXT_ACTIONS = ("scrub", "drop")  # scrub with Presidio and store, or never store


@dataclass(frozen=True)
class Paths:
    """Where each data tier lives (absolute once loaded)."""

    raw: Path
    workspace: Path
    published: Path
    reports: Path


@dataclass(frozen=True)
class BatchSettings:
    """How `adoption-kit run` fans notebooks out over groups."""

    by: str = "department"
    notebooks: tuple[str, ...] = ("adoption_overview",)
    jobs: int = 2
    timeout_seconds: int = 600


@dataclass(frozen=True)
class MetricSettings:
    """Every metric's thresholds (one section of ``org.yaml`` each, named like the fields)."""

    power_users: PowerUserRule = field(default_factory=PowerUserRule)
    cross_tool: CrossToolOptions = field(default_factory=CrossToolOptions)
    stages: StageRule = field(default_factory=StageRule)
    trend: TrendRule = field(default_factory=TrendRule)
    movers: MoverRule = field(default_factory=MoverRule)
    cost: SeatRule = field(default_factory=SeatRule)
    consumption: ConsumptionRule = field(default_factory=ConsumptionRule)
    benchmarks: BenchmarkRule = field(default_factory=BenchmarkRule)
    outcomes: OutcomeRule = field(default_factory=OutcomeRule)


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know, read from the parameters files."""

    root: Path
    min_group_size: int
    paths: Paths
    key_file: Path
    batch: BatchSettings = field(default_factory=BatchSettings)
    free_text: dict[str, str] = field(default_factory=lambda: dict.fromkeys(TEXT_KINDS, "scrub"))
    dominance: Dominance = field(default_factory=Dominance)
    noise: NoiseSettings = field(default_factory=NoiseSettings)
    metrics: MetricSettings = field(default_factory=lambda: MetricSettings())
    use_cases: UseCaseRules = field(default_factory=UseCaseRules)
    groupings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    engine: EngineSettings = field(default_factory=EngineSettings)

    def __post_init__(self) -> None:
        if self.min_group_size < SMALLEST_ALLOWED_GROUP:
            raise ConfigError(
                f"min_group_size is {self.min_group_size}",
                column="min_group_size",
                expected=f"an integer of at least {SMALLEST_ALLOWED_GROUP}",
            )

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some fields replaced (None values are ignored)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


def find_root(start: Path | None = None) -> Path:
    """The project folder: ``$ADOPTION_KIT_HOME``, else the nearest folder upwards holding parameters/."""
    if os.environ.get(HOME_ENV):
        return Path(os.environ[HOME_ENV]).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PARAMETERS_FILE).is_file():
            return folder
    raise ConfigError(
        f"no {PARAMETERS_FILE} found in {here} or any folder above it",
        expected=f"to run inside an adoption-kit project, or {HOME_ENV} set to one",
    )


def load_settings(root: Path | None = None, *, overrides_file: Path | None = None) -> Settings:
    """Read ``parameters/org.yaml`` (and an optional file of overrides) into :class:`Settings`."""
    root = find_root() if root is None else root.resolve()
    values = _read_yaml(root / PARAMETERS_FILE)
    if overrides_file is not None:
        values = _merge(values, _read_yaml(overrides_file))
    try:
        paths = {name: _absolute(root, value) for name, value in values["paths"].items()}
        batch = values.get("batch", {})
        return Settings(
            root=root,
            min_group_size=int(values["min_group_size"]),
            paths=Paths(**paths),
            key_file=_absolute(root, values["key_file"]),
            batch=BatchSettings(
                by=str(batch.get("by", "department")),
                notebooks=tuple(batch.get("notebooks", ("adoption_overview",))),
                jobs=int(batch.get("jobs", 2)),
                timeout_seconds=int(batch.get("timeout_seconds", 600)),
            ),
            free_text=free_text_actions(values.get("free_text") or {}, path=root / PARAMETERS_FILE),
            dominance=options(values, "dominance", Dominance(), path=root / PARAMETERS_FILE),
            noise=NoiseSettings.from_mapping(values.get("noise")),
            metrics=metric_settings(values, path=root / PARAMETERS_FILE),
            use_cases=UseCaseRules.from_mapping(values.get("use_cases"), path=root / PARAMETERS_FILE),
            groupings=added_groupings(values.get("groupings") or {}, path=root / PARAMETERS_FILE),
            engine=options(values, "engine", EngineSettings(), path=root / PARAMETERS_FILE),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ConfigError(
            f"parameters are incomplete or of the wrong type: {error}",
            path=root / PARAMETERS_FILE,
            expected="min_group_size, paths.{raw,workspace,published,reports} and key_file",
        ) from error


def added_groupings(configured: dict[str, Any], *, path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """The ``groupings:`` section: a name per added grouping and the roster attributes it splits by."""
    found = {}
    for name, attributes in configured.items():
        attributes = [attributes] if isinstance(attributes, str) else attributes
        unknown = [a for a in attributes or [None] if a not in GROUPABLE]
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(name)) or unknown:
            raise ConfigError(
                f"groupings.{name}: {attributes!r}",
                path=path,
                column=f"groupings.{name}",
                expected=f"a lower-case name and a list of roster attributes among {', '.join(GROUPABLE)}",
            )
        found[str(name)] = tuple(attributes)
    return found


def metric_settings(values: dict[str, Any], *, path: Path | None = None) -> MetricSettings:
    """Each metric's section of the parameters (defaults for sections or keys left out)."""
    sections = {
        section.name: options(values, section.name, section.default_factory(), path=path)
        for section in dataclasses.fields(MetricSettings)
    }
    return MetricSettings(**sections)


def options(values: dict[str, Any], section: str, default: Any, *, path: Path | None = None) -> Any:
    """The frozen dataclass ``default`` with the keys of ``values[section]`` replaced; an unknown key or a
    value the dataclass refuses is a ConfigError naming the section."""
    configured = values.get(section) or {}
    known = {f.name for f in dataclasses.fields(default)}
    unknown = sorted(set(configured) - known)
    try:
        if unknown:
            raise TypeError(f"{unknown[0]!r} is not a setting")
        return dataclasses.replace(default, **configured)
    except (TypeError, ValueError, ConfigError) as error:
        raise ConfigError(
            f"{section}: {error}",
            path=path,
            column=section,
            expected=f"settings among {', '.join(sorted(known))}",
        ) from error


def free_text_actions(configured: dict[str, Any], *, path: Path | None = None) -> dict[str, str]:
    """What to do with each kind of free text: ``scrub`` (the default) or ``drop``."""
    unknown = sorted(set(configured) - set(TEXT_KINDS))
    bad = sorted(kind for kind, action in configured.items() if action not in TEXT_ACTIONS)
    if unknown or bad:
        raise ConfigError(
            f"free_text: unknown kind {unknown[0]!r}"
            if unknown
            else f"free_text: {bad[0]} is {configured[bad[0]]!r}",
            path=path,
            column=f"free_text.{(unknown or bad)[0]}",
            expected=f"kinds among {', '.join(TEXT_KINDS)}, each {' or '.join(TEXT_ACTIONS)}",
        )
    return {kind: str(configured.get(kind, "scrub")) for kind in TEXT_KINDS}


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read parameters: {error}", path=path, expected="a YAML mapping") from error
    if not isinstance(loaded, dict):
        raise ConfigError("parameters file is not a mapping", path=path, expected="a YAML mapping")
    return loaded


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        merged[key] = (
            _merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
        )
    return merged


def _absolute(root: Path, value: str | Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else root / path
