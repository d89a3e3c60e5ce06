"""Settings of one atlas, stored inside the atlas itself.

Not in the environment: a GeoPackage sent to a partner carries its title, CRS and
level names.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from pyproj import CRS

from .crs import DEFAULT_METRIC, as_crs
from .i18n import label


@dataclass(frozen=True)
class AtlasSettings:
    """Title, countries, metric CRS, level names and provenance of an atlas."""

    title: dict[str, str]
    metric_crs: str
    countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("fr", "en")
    level_names: dict[int, dict[str, str]] = field(default_factory=dict)
    fictional: bool = False
    population_raster: str | None = None
    population_year: int | None = None
    description: dict[str, str] = field(default_factory=dict)
    attribution: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def title_in(self, lang: str | None = None) -> str:
        """Title in a language."""
        return label(self.title, lang)

    def level_name(self, level: int, lang: str | None = None) -> str:
        """Name of a territorial level ("commune", "département"...)."""
        names = self.level_names.get(int(level))
        return label(names, lang) if names else str(level)

    @property
    def crs(self) -> CRS:
        """The metric CRS in which areas and distances are computed."""
        return as_crs(self.metric_crs)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        data = asdict(self)
        data["countries"] = list(self.countries)
        data["languages"] = list(self.languages)
        data["level_names"] = {str(k): v for k, v in self.level_names.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AtlasSettings:
        """Settings from their stored mapping; unknown keys go to ``extra``."""
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        extra = {k: v for k, v in data.items() if k not in known}
        title = values.get("title") or {"fr": "Atlas", "en": "Atlas"}
        if isinstance(title, str):
            title = {"fr": title, "en": title}
        values["title"] = title
        values.setdefault("metric_crs", DEFAULT_METRIC)
        as_crs(values["metric_crs"])
        values["countries"] = tuple(values.get("countries", ()))
        values["languages"] = tuple(values.get("languages", ("fr", "en")))
        values["level_names"] = {int(k): (v if isinstance(v, dict) else {"fr": v, "en": v})
                                 for k, v in values.get("level_names", {}).items()}
        values["extra"] = {**values.get("extra", {}), **extra}
        return cls(**values)
