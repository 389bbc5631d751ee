"""What ``sim dashboard`` passes to the Solara app: scenario, language, seed, scale, start.

``solara run`` executes the app module in its own process, so the command hands its options
over as environment variables (:meth:`Settings.to_env`) and the app reads them back
(:meth:`Settings.from_env`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sim.present.dashboard.model import DEFAULT_SCALE

PREFIX = "SIM_DASHBOARD_"


@dataclass(frozen=True)
class Settings:
    """The dashboard's start-up options.

    Attributes:
        scenario_file: scenario TOML (absolute path), or empty for the package defaults.
        lang: ``"nb"`` or ``"en"``.
        seed: the first run's seed (the page's seed box can change it).
        scale: the first run's population fraction (the page's slider can change it).
        start: the first simulated month, ``"YYYY-MM"``.
    """

    scenario_file: str = ""
    lang: str = "nb"
    seed: int = 1
    scale: float = DEFAULT_SCALE
    start: str = "2024-01"

    def to_env(self) -> dict[str, str]:
        """Environment variables for the app process."""
        return {f"{PREFIX}{key.upper()}": str(value) for key, value in self.__dict__.items()}

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read the settings back (defaults where a variable is missing)."""

        def get(key: str, default):
            return env.get(f"{PREFIX}{key.upper()}", default)

        return cls(
            scenario_file=get("scenario_file", ""),
            lang=get("lang", "nb"),
            seed=int(get("seed", 1)),
            scale=float(get("scale", DEFAULT_SCALE)),
            start=get("start", "2024-01"),
        )
