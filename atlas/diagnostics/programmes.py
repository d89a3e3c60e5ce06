"""What each programme achieved, counted from the atlas layers, with how it was counted.

Donor reports and capitalisation documents quote figures ("60 schools equipped,
18,240 pupils reached"); each figure here carries its method, in words, so a reader
can recount it from the data. A programme is one of the ``programme`` codes of the
activities layer; its results come from its thematic layer (schools equipped,
biodigesters, reforested plots, Nubian-vault buildings, waste sites) and the people
it reached from its activities (women and men, as reported per activity).

Counting is plain pandas on the layers of one revision of the atlas (an
:class:`~atlas.snapshot.AtlasSnapshot`), kept apart from the page layout
(:mod:`atlas.render.sheet.programme` only lays out what is counted here) so that
tests and notebooks can check the figures directly::

    from atlas.diagnostics.programmes import count_programme, programmes

    programmes(atlas)                                   # the programmes in the data
    count_programme(atlas, "wash_schools").figures      # {"schools_equipped": 60, ...}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..i18n import normalise_language, t
from ..names import (
    ACTIVITIES,
    BIODIGESTERS,
    MANGROVES,
    NUBIAN_VAULTS,
    SCHOOLS,
    TERRITORY_FIELD,
    WASTE_SITES,
)
from ..snapshot import AtlasSnapshot, snapshot_of
from ..text import fold

if TYPE_CHECKING:
    from ..atlas import Atlas

#: Biogas per m³ of digester and per day (DOMAIN: a 10 m³ unit yields about 2.5 m³/day).
BIOGAS_PER_M3 = 0.25


@dataclass(frozen=True)
class Result:
    """One counted figure: value, unit and the sentence saying how it was counted."""

    key: str
    label: str
    value: float
    unit: str
    method: str


@dataclass
class Counted:
    """Everything counted for one programme."""

    code: str
    label: str
    names: list[str]
    results: list[Result]
    tables: dict[str, pd.DataFrame]
    methods: dict[str, str]
    rows: pd.DataFrame
    activities: pd.DataFrame
    layer: str | None
    main: str
    by_territory: pd.Series
    years: tuple[int, int] | None = None
    #: Layers the figures were counted from (their sources go under the tables).
    layers: tuple[str, ...] = ()

    @property
    def figures(self) -> dict[str, float]:
        """Results by key (what tests and reports read)."""
        return {r.key: r.value for r in self.results}


@dataclass(frozen=True)
class Thematic:
    """A programme's thematic layer and which of its rows are the programme's."""

    layer: str
    rows: Callable[[pd.DataFrame], pd.Series]
    year: Callable[[pd.DataFrame], pd.Series] | None
    name_field: str | None


def _filled(column: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda frame: frame[column].notna() & (frame[column].astype(str).str.strip() != "")


def _everything(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(True, index=frame.index)


def _year_of(column: str) -> Callable[[pd.DataFrame], pd.Series]:
    def year(frame: pd.DataFrame) -> pd.Series:
        text = frame[column].astype("string").str.slice(0, 4)
        return pd.to_numeric(text, errors="coerce").astype("Int64")
    return year


#: The thematic layer of each programme code (activities only when absent).
THEMATIC: dict[str, Thematic] = {
    "wash_schools": Thematic(SCHOOLS, _filled("wash_programme"), _year_of("equipped_year"),
                             "wash_programme"),
    "biodigesters": Thematic(BIODIGESTERS, _everything, _year_of("install_date"),
                             "programme"),
    "mangroves": Thematic(MANGROVES, lambda f: f["kind"] == "reforested", _year_of("year"),
                          "programme"),
    "nubian_vaults": Thematic(NUBIAN_VAULTS, _everything, _year_of("year"), "programme"),
    "waste": Thematic(WASTE_SITES, _everything, None, None),
}


def _num(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def programme_codes(atlas: AtlasSnapshot) -> list[tuple[str, str]]:
    """(code, label) of the programmes declared by the activities layer's spec."""
    if ACTIVITIES not in atlas.catalog:
        return []
    spec = atlas.spec(ACTIVITIES)
    if not spec.has_field("programme"):
        return []
    return [(v.code, v.label()) for v in spec.field("programme").values]


def found_programmes(atlas: AtlasSnapshot) -> list[str]:
    """Programme codes with activities or thematic rows in this atlas, in spec order."""
    present: set[str] = set()
    if ACTIVITIES in atlas.catalog:
        present |= {str(v) for v in atlas.read(ACTIVITIES, columns=["programme"])["programme"]
                    .dropna().unique()}
    for code, thematic in THEMATIC.items():
        if code in present or thematic.layer not in atlas.catalog:
            continue
        frame = atlas.read(thematic.layer)
        if len(frame) and thematic.rows(frame).any():
            present.add(code)
    return [code for code, _ in programme_codes(atlas) if code in present]


def resolve(atlas: AtlasSnapshot, name: str) -> str | None:
    """The programme code meant by ``name`` (None when nothing matches).

    ``name`` may be a code, a label or synonym in either language, or a programme
    name written in a thematic layer ("Projet Écoles saines").
    """
    wanted = fold(name.strip())
    if ACTIVITIES in atlas.catalog and atlas.spec(ACTIVITIES).has_field("programme"):
        for value in atlas.spec(ACTIVITIES).field("programme").values:
            spellings = [value.code, *value.labels.values(), *value.synonyms]
            if wanted in {fold(s) for s in spellings}:
                return value.code
    for code, thematic in THEMATIC.items():
        if thematic.name_field is None or thematic.layer not in atlas.catalog:
            continue
        frame = atlas.read(thematic.layer)
        if thematic.name_field in frame.columns and wanted in {
                fold(str(v)) for v in frame[thematic.name_field].dropna().unique()}:
            return code
    return None


class Counter:
    """Counts one programme's results (see :func:`count_programme`)."""

    def __init__(self, atlas: AtlasSnapshot, code: str, lang: str,
                 level: int | str | None) -> None:
        self.atlas = atlas
        self.code = code
        self.lang = lang
        self.tree = atlas.territories
        self.level = self.tree.finest_level if level is None else self.tree.resolve_level(level)
        self.thematic = THEMATIC.get(code)
        self.results: list[Result] = []
        self.methods: dict[str, str] = {}

    def m(self, key: str, **params: object) -> str:
        """A method sentence."""
        return t(f"reports.method.{key}", self.lang, **params)

    def add(self, key: str, value: float, unit: str, method: str) -> None:
        """Record one counted figure."""
        label = t(f"reports.result.{key}", self.lang)
        self.results.append(Result(key, label, float(value), unit, method))

    def territory(self, frame: pd.DataFrame) -> pd.Series:
        """Territory of each row at the sheet's level (a coarser one stays itself)."""
        if TERRITORY_FIELD in frame.columns:
            codes = frame[TERRITORY_FIELD].astype("object")
        else:
            codes = pd.Series(None, index=frame.index, dtype="object")
        missing = codes.isna() & frame.geometry.notna()
        if missing.any():
            codes[missing] = self.tree.locate(frame.geometry[missing]).to_numpy()
        mapping = self.tree.ancestor_map(self.level)
        return codes.map(lambda c: mapping.get(c, c) if isinstance(c, str) else None)

    def field_title(self, layer: str, name: str) -> str:
        """Title of a field in the sheet's language."""
        spec = self.atlas.spec(layer)
        return spec.field(name).title(self.lang) if spec.has_field(name) else name

    def layer_title(self, layer: str) -> str:
        """Title of a layer in the sheet's language."""
        return self.atlas.spec(layer).title(self.lang) if layer in self.atlas.catalog else layer


def programmes(atlas: Atlas | AtlasSnapshot, lang: str | None = None) -> pd.DataFrame:
    """The programmes found in the atlas: code, name, thematic layer and row counts."""
    snapshot = snapshot_of(atlas)
    lang = normalise_language(lang)
    labels = dict(programme_codes(snapshot))
    rows = []
    for code in found_programmes(snapshot):
        counted = count_programme(snapshot, code, lang)
        rows.append({"programme": code, "label": counted.label or labels.get(code, code),
                     "layer": counted.layer, "rows": len(counted.rows),
                     "activities": len(counted.activities),
                     "names": "; ".join(counted.names)})
    return pd.DataFrame(rows, columns=["programme", "label", "layer", "rows", "activities",
                                       "names"])


def count_programme(atlas: Atlas | AtlasSnapshot, code: str, lang: str | None = None,
                    level: int | str | None = None) -> Counted:
    """Every figure of a programme (see the module docstring).

    ``level`` (default: the finest) is that of the tables and values by territory.
    """
    snapshot = snapshot_of(atlas)
    counter = Counter(snapshot, code, normalise_language(lang), level)
    rows = _thematic_rows(counter)
    counted = Counted(code=code, label=_programme_label(snapshot, code, counter.lang),
                      names=[], results=counter.results, tables={}, methods=counter.methods,
                      rows=pd.DataFrame(), activities=pd.DataFrame(), layer=None,
                      main="activities", by_territory=pd.Series(dtype="float64"))
    years: list[int] = []
    if rows is not None:
        years += _count_thematic(counter, counted, rows)
    activities = _activities(counter, counted.tables)
    counted.activities = activities
    if len(activities):
        years += [int(y) for y in activities["_year"].dropna().unique()]
        if rows is None:
            counted.main = "youths_trained" if code == "youth_training" else "people_reached"
            value = activities["_people"].where(activities["_counts"], 0.0)
            by_territory = value.groupby(activities["_territory"]).sum()
            counted.by_territory = by_territory[by_territory > 0]
    counted.by_territory = counted.by_territory.astype("float64")
    counted.years = (min(years), max(years)) if years else None
    counted.layers = (*([counted.layer] if counted.layer else []), ACTIVITIES)
    return counted


def _programme_label(atlas: AtlasSnapshot, code: str, lang: str) -> str:
    """The programme's label in the activities layer's spec (its code otherwise)."""
    label = dict(programme_codes(atlas)).get(code, code)
    if ACTIVITIES in atlas.catalog and atlas.spec(ACTIVITIES).has_field("programme"):
        value = atlas.spec(ACTIVITIES).field("programme").value(code)
        return value.label(lang) if value is not None else label
    return label


def _count_thematic(counter: Counter, counted: Counted, rows: pd.DataFrame) -> list[int]:
    """Results, tables and values by territory from the thematic layer; its years."""
    thematic = counter.thematic
    assert thematic is not None
    if thematic.name_field and thematic.name_field in rows.columns:
        counted.names = sorted({str(v) for v in rows[thematic.name_field].dropna().unique()})
    counted.main, value = MAIN[counter.code](counter, rows)
    rows = rows.assign(_territory=counter.territory(rows), _value=value)
    years: list[int] = []
    if thematic.year is not None:
        rows = rows.assign(_year=thematic.year(rows))
        years = [int(y) for y in rows["_year"].dropna().unique()]
        counted.tables["territory_year"] = _pivot(rows, "_territory", "_year", "_value")
    else:
        counted.tables["territory_year"] = _pivot(rows, "_territory", None, "_value")
    counted.by_territory = rows.groupby("_territory")["_value"].sum()
    extra = EXTRA.get(counter.code)
    if extra is not None:
        extra(counter, rows, counted.tables)
    counted.rows = rows
    counted.layer = thematic.layer
    return years


def _thematic_rows(counter: Counter) -> pd.DataFrame | None:
    thematic = counter.thematic
    if thematic is None or thematic.layer not in counter.atlas.catalog:
        return None
    frame = counter.atlas.read(thematic.layer)
    if not len(frame):
        return None
    chosen = frame[thematic.rows(frame).to_numpy(dtype=bool)]
    return chosen.reset_index(drop=True) if len(chosen) else None


def _pivot(rows: pd.DataFrame, index: str, columns: str | None, values: str) -> pd.DataFrame:
    """Sum of ``values`` by territory (and year), with totals."""
    frame = rows[[index, values] + ([columns] if columns else [])].copy()
    frame[index] = frame[index].fillna("?")
    if columns is None:
        table = frame.groupby(index)[values].sum().to_frame("total")
    else:
        frame[columns] = frame[columns].astype("object").where(frame[columns].notna(), "?")
        table = frame.pivot_table(index=index, columns=columns, values=values, aggfunc="sum",
                                  fill_value=0.0)
        table.columns = [str(c) for c in table.columns]
        table["total"] = table.sum(axis=1)
    table.loc["total"] = table.sum(axis=0)
    return table


# -- thematic results, per programme ----------------------------------------------------

def _wash(c: Counter, rows: pd.DataFrame) -> tuple[str, pd.Series]:
    girls, boys = _num(rows, "pupils_girls"), _num(rows, "pupils_boys")
    layer, field = c.layer_title(SCHOOLS), c.field_title(SCHOOLS, "wash_programme")
    c.add("schools_equipped", len(rows), "nb", c.m("schools_equipped", layer=layer, field=field))
    c.add("pupils_reached", girls.sum() + boys.sum(), "élèves", c.m("pupils_reached"))
    c.add("girls_reached", girls.sum(), "élèves", c.m("pupils_reached"))
    c.add("boys_reached", boys.sum(), "élèves", c.m("pupils_reached"))
    c.methods["territory_year"] = c.m("by_territory_year", what=t(
        "reports.result.schools_equipped", c.lang), year=c.field_title(SCHOOLS, "equipped_year"))
    return "schools_equipped", pd.Series(1.0, index=rows.index)


def _wash_extra(c: Counter, rows: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> None:
    named = rows.assign(_pupils=_num(rows, "pupils_girls").fillna(0)
                        + _num(rows, "pupils_boys").fillna(0))
    table = named.groupby("wash_programme").agg(schools=("_value", "sum"),
                                                 pupils=("_pupils", "sum"))
    table.loc["total"] = table.sum(axis=0)
    tables["by_name"] = table
    c.methods["by_name"] = c.m("by_name")


def _biodigesters(c: Counter, rows: pd.DataFrame) -> tuple[str, pd.Series]:
    spec = c.atlas.spec(BIODIGESTERS)
    working_codes = spec.field("status").codes_where("functional", True) \
        if spec.has_field("status") else ("working",)
    working = rows["status"].isin(working_codes)
    known = rows["status"].notna()
    volume = _num(rows, "volume_m3")
    layer = c.layer_title(BIODIGESTERS)
    c.add("biodigesters_built", len(rows), "nb", c.m("biodigesters_built", layer=layer))
    c.add("biodigesters_working", int(working.sum()), "nb", c.m("biodigesters_working"))
    c.add("biodigesters_working_share", 100 * working.sum() / known.sum() if known.sum()
          else np.nan, "%", c.m("biodigesters_working_share"))
    c.add("volume_m3", volume.sum(), "m³", c.m("volume_m3"))
    c.add("biogas_m3_day", volume[working].sum() * BIOGAS_PER_M3, "m³/j",
          c.m("biogas_m3_day", rate=BIOGAS_PER_M3))
    c.methods["territory_year"] = c.m("by_territory_year", what=t(
        "reports.result.biodigesters_built", c.lang),
        year=c.field_title(BIODIGESTERS, "install_date"))
    return "biodigesters_built", pd.Series(1.0, index=rows.index)


def _mangroves(c: Counter, rows: pd.DataFrame) -> tuple[str, pd.Series]:
    area, survival = _num(rows, "area_ha"), _num(rows, "survival_rate")
    both = area.notna() & survival.notna()
    c.add("plots_reforested", len(rows), "nb", c.m("plots_reforested"))
    c.add("hectares_reforested", area.sum(), "ha", c.m("hectares_reforested"))
    weighted = (area[both] * survival[both]).sum() / area[both].sum() if area[both].sum() \
        else np.nan
    c.add("survival_rate", weighted, "%", c.m("survival_rate"))
    c.add("hectares_surviving", (area[both] * survival[both] / 100).sum(), "ha",
          c.m("hectares_surviving"))
    c.methods["territory_year"] = c.m("by_territory_year", what=t(
        "reports.result.hectares_reforested", c.lang), year=c.field_title(MANGROVES, "year"))
    return "hectares_reforested", area.fillna(0.0)


def _vaults(c: Counter, rows: pd.DataFrame) -> tuple[str, pd.Series]:
    stage = rows["stage"] if "stage" in rows.columns else pd.Series(None, index=rows.index)
    done = stage == "completed"
    c.add("buildings_completed", int(done.sum()), "nb", c.m("buildings_completed"))
    c.add("buildings_under_construction", int((stage == "under_construction").sum()), "nb",
          c.m("buildings_stage"))
    c.add("buildings_planned", int((stage == "planned").sum()), "nb", c.m("buildings_stage"))
    c.add("floor_area_completed", _num(rows, "floor_area_m2")[done].sum(), "m²",
          c.m("floor_area_completed"))
    c.add("masons_trained", _num(rows, "masons_trained").sum(), "personnes",
          c.m("masons_trained"))
    c.add("apprentices_trained", _num(rows, "apprentices_trained").sum(), "personnes",
          c.m("apprentices_trained"))
    c.methods["territory_year"] = c.m("by_territory_year", what=t(
        "reports.result.buildings_completed", c.lang),
        year=c.field_title(NUBIAN_VAULTS, "year"))
    return "buildings_completed", done.astype("float64")


def _vaults_extra(c: Counter, rows: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> None:
    spec = c.atlas.spec(NUBIAN_VAULTS)
    labels = {v.code: v.label(c.lang) for v in spec.field("use").values} \
        if spec.has_field("use") else {}
    done = rows[rows["stage"] == "completed"]
    table = done.groupby(done["use"].map(lambda u: labels.get(u, u))).agg(
        buildings=("_value", "sum"), floor_area=("floor_area_m2", "sum"))
    table.loc["total"] = table.sum(axis=0)
    tables["by_use"] = table
    c.methods["by_use"] = c.m("by_use")


def _waste(c: Counter, rows: pd.DataFrame) -> tuple[str, pd.Series]:
    dumps = rows["site_type"] == "illegal_dump"
    inactive = rows["status"].isin(["closed", "cleaned"])
    c.add("waste_sites", len(rows), "nb",
          c.m("waste_sites", layer=c.layer_title(WASTE_SITES)))
    c.add("dumps_resorbed", int((dumps & inactive).sum()), "nb", c.m("dumps_resorbed"))
    c.add("dumps_active", int((dumps & ~inactive).sum()), "nb", c.m("dumps_active"))
    collecting = rows["site_type"].isin(["collection_point", "transfer_point"]) & ~inactive
    c.add("collection_points_active", int(collecting.sum()), "nb",
          c.m("collection_points_active"))
    c.methods["territory_year"] = c.m("by_territory", what=t("reports.result.waste_sites",
                                                             c.lang))
    return "waste_sites", pd.Series(1.0, index=rows.index)


def _waste_extra(c: Counter, rows: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> None:
    spec = c.atlas.spec(WASTE_SITES)

    def labels(name: str) -> dict[str, str]:
        return {v.code: v.label(c.lang) for v in spec.field(name).values} \
            if spec.has_field(name) else {}

    kinds, states = labels("site_type"), labels("status")
    table = pd.crosstab(rows["site_type"].map(lambda v: kinds.get(v, v)),
                        rows["status"].map(lambda v: states.get(v, v)).fillna("?"))
    table["total"] = table.sum(axis=1)
    table.loc["total"] = table.sum(axis=0)
    tables["type_status"] = table.astype("float64")
    c.methods["type_status"] = c.m("type_status")


MAIN: dict[str, Callable[[Counter, pd.DataFrame], tuple[str, pd.Series]]] = {
    "wash_schools": _wash, "biodigesters": _biodigesters, "mangroves": _mangroves,
    "nubian_vaults": _vaults, "waste": _waste,
}
EXTRA: dict[str, Callable[[Counter, pd.DataFrame, dict[str, pd.DataFrame]], None]] = {
    "wash_schools": _wash_extra, "nubian_vaults": _vaults_extra, "waste": _waste_extra,
}


# -- activities and people reached ---------------------------------------------------------

def _activities(c: Counter, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """People reached by sex, by year and territory, from the programme's activities."""
    if ACTIVITIES not in c.atlas.catalog:
        return pd.DataFrame()
    frame = c.atlas.read(ACTIVITIES)
    frame = frame[frame["programme"] == c.code].reset_index(drop=True)
    if not len(frame):
        return pd.DataFrame()
    women, men = _num(frame, "women"), _num(frame, "men")
    people = women.fillna(0) + men.fillna(0)
    training = frame["activity_type"] == "training" if "activity_type" in frame.columns \
        else pd.Series(False, index=frame.index)
    frame = frame.assign(_women=women, _men=men, _people=people,
                         _year=_year_of("date")(frame), _territory=c.territory(frame),
                         _counts=training if c.code == "youth_training"
                         else pd.Series(True, index=frame.index))
    c.add("activities", len(frame), "nb", c.m("activities", layer=c.layer_title(ACTIVITIES)))
    c.add("women_reached", women.sum(), "personnes", c.m("women_reached"))
    c.add("men_reached", men.sum(), "personnes", c.m("men_reached"))
    c.add("people_reached", people.sum(), "personnes", c.m("people_reached"))
    if c.code == "youth_training":
        c.add("youths_trained", people[training].sum(), "personnes", c.m("youths_trained"))
        c.add("young_women_trained", women[training].sum(), "personnes",
              c.m("youths_trained"))
    keys = {"people_year": frame["_year"], "people_territory": frame["_territory"]}
    if "activity_type" in frame.columns:
        spec = c.atlas.spec(ACTIVITIES)
        names = {v.code: v.label(c.lang) for v in spec.field("activity_type").values}
        keys["people_type"] = frame["activity_type"].map(lambda v: names.get(v, v))
    for key, by in keys.items():
        grouped = frame.assign(_key=by.astype("object").where(by.notna(), "?"))
        table = grouped.groupby("_key").agg(activities=("activity_id", "count"),
                                            women=("_women", "sum"), men=("_men", "sum"),
                                            total=("_people", "sum"))
        table.loc["total"] = table.sum(axis=0)
        tables[key] = table.astype("float64")
        c.methods[key] = c.m(key)
    return frame
