"""Helpers for the survey-form tests: a small territory tree, answers, exports.

Fixtures built on them live in ``fixtures_forms`` (imported by ``tests/forms/conftest.py``).

Submissions are synthesised from the XForm that pyxform converts (never from our own
XLSForm rows): every question of the form is answered, a select from its own choice
list (filtered by the answer above for the territory cascade), a number inside its
constraint, the GPS point inside the commune chosen. They are then written the way
the platforms export them:

- KoboToolbox (formpack): group paths joined with ``/``; a geopoint ``gps`` gives
  ``lieu/gps`` and ``lieu/_gps_latitude``, ``_longitude``, ``_altitude``,
  ``_precision``; ``_id``, ``_uuid``, ``_submission_time``… at the end; CSV with
  ``;`` and every cell quoted, XLSX with numbers and dates as typed cells.
- ODK Central: ``SubmissionDate`` first, paths joined with ``-``, a geopoint as
  ``lieu-gps-Latitude``, ``-Longitude``, ``-Altitude``, ``-Accuracy``, then ``KEY``,
  ``SubmitterID``, ``SubmitterName``, ``AttachmentsPresent``, ``AttachmentsExpected``,
  ``Status``, ``ReviewState``, ``DeviceID``, ``Edits``, ``FormVersion``
  (central-backend ``lib/data/briefcase.js``).
"""

from __future__ import annotations

import csv
import random
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import box

import atlas

X = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"
JR = "{http://openrosa.org/javarosa}"

# -- a small territory tree (country → 2 régions → 3 départements → 5 communes) ------------
#: (code, name, level, parent, (xmin, ymin, xmax, ymax)) in degrees, inside Senegal's UTM
#: zone so that the test atlas's metric CRS (EPSG:32628) measures it well.
TREE = [
    ("ZZ", "Zédie", 0, None, (-16.6, 14.0, -15.4, 15.0)),
    ("ZZ1", "Fleuve", 1, "ZZ", (-16.6, 14.0, -16.0, 15.0)),
    ("ZZ2", "Delta", 1, "ZZ", (-16.0, 14.0, -15.4, 15.0)),
    ("ZZ1A", "Ndar", 2, "ZZ1", (-16.6, 14.0, -16.3, 15.0)),
    ("ZZ1B", "Gandiol", 2, "ZZ1", (-16.3, 14.0, -16.0, 15.0)),
    ("ZZ2A", "Mbour", 2, "ZZ2", (-16.0, 14.0, -15.4, 15.0)),
    ("ZZ1A1", "Thiès-Nord", 3, "ZZ1A", (-16.6, 14.0, -16.3, 14.5)),
    ("ZZ1A2", "Keur Massar", 3, "ZZ1A", (-16.6, 14.5, -16.3, 15.0)),
    ("ZZ1B1", "Gandiol-Plage", 3, "ZZ1B", (-16.3, 14.0, -16.0, 15.0)),
    ("ZZ2A1", "Saly", 3, "ZZ2A", (-16.0, 14.0, -15.4, 14.5)),
    ("ZZ2A2", "Nguékhokh", 3, "ZZ2A", (-16.0, 14.5, -15.4, 15.0)),
]
LEVEL_NAMES = {0: "pays", 1: "région", 2: "département", 3: "commune"}


def tree_frame(rows: list[tuple] = TREE) -> gpd.GeoDataFrame:
    """The territories layer of ``rows``."""
    records = [{"code": code, "name": name, "level": level, "level_name": LEVEL_NAMES[level],
                "parent_code": parent, "country": "SN", "population": 1000,
                "population_year": 2023} for code, name, level, parent, _ in rows]
    shapes = [shapely.MultiPolygon([box(*bounds)]) for *_, bounds in rows]
    return gpd.GeoDataFrame(records, geometry=shapes, crs=4326)


def write_tree(opened: atlas.Atlas, rows: list[tuple] = TREE) -> None:
    """Give a test atlas its territories."""
    opened.write("territories", tree_frame(rows), "replace", user="tests")


def point_in(opened: atlas.Atlas, code: str | None, rng: random.Random) -> tuple[float, float]:
    """(lat, lon) of a random point well inside a territory (6 decimals, as GPS give)."""
    geometry = opened.territories.geometry(code) if code else opened.territories.geometry("ZZ")
    inner = geometry.buffer(-0.01)
    xmin, ymin, xmax, ymax = inner.bounds
    while True:
        lon, lat = round(rng.uniform(xmin, xmax), 6), round(rng.uniform(ymin, ymax), 6)
        if inner.contains(shapely.Point(lon, lat)):
            return lat, lon


# -- reading the XForm ----------------------------------------------------------------------
@dataclass
class Question:
    """One node of the XForm's primary instance that gets a value."""

    path: tuple[str, ...]
    kind: str
    control: str | None = None
    items: list[tuple[str, str | None]] = field(default_factory=list)
    filter_by: tuple[str, ...] | None = None
    constraint: str | None = None
    calculate: str | None = None
    preload: str | None = None

    @property
    def name(self) -> str:
        """The question's name (last part of its path)."""
        return self.path[-1]


def _leaves(node: ET.Element, prefix: tuple[str, ...]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for child in node:
        path = (*prefix, child.tag.removeprefix(X))
        out += _leaves(child, path) if len(child) else [path]
    return out


def read_xform(xform: str) -> list[Question]:
    """The questions of an XForm, in the order of the form."""
    root = ET.fromstring(xform)
    model = root.find(f"{H}head/{X}model")
    instances = model.findall(f"{X}instance")
    primary = next(i for i in instances if "id" not in i.attrib)[0]
    top = primary.tag.removeprefix(X)
    lists = {i.attrib["id"]: [(item.findtext(f"{X}name"), item.findtext(f"{X}parent"))
                              for item in i.iter(f"{X}item")]
             for i in instances if "id" in i.attrib}
    binds = {b.attrib["nodeset"]: b.attrib for b in model.findall(f"{X}bind")}
    controls = {e.attrib["ref"]: e for e in root.find(f"{H}body").iter() if "ref" in e.attrib
                and e.tag in (f"{X}input", f"{X}select1")}
    questions = []
    for path in _leaves(primary, ()):
        ref = "/" + "/".join((top, *path))
        bind = binds.get(ref, {})
        question = Question(path, bind.get("type", "string"), constraint=bind.get("constraint"),
                            calculate=bind.get("calculate"), preload=bind.get(f"{JR}preload"))
        control = controls.get(ref)
        if control is not None:
            question.control = control.tag.removeprefix(X)
            itemset = control.find(f"{X}itemset")
            if itemset is not None:
                nodeset = itemset.attrib["nodeset"]
                question.items = lists[re.match(r"instance\('([^']+)'\)", nodeset).group(1)]
                match = re.search(r"\[parent\s*=\s*(\S+)\s*\]", nodeset)
                if match:
                    question.filter_by = tuple(match.group(1).strip("/").split("/")[1:])
        questions.append(question)
    return questions


# -- answering ------------------------------------------------------------------------------
def _bounds(constraint: str | None) -> tuple[float | None, float | None]:
    low = re.search(r"\.\s*>=\s*(-?[\d.]+)", constraint or "")
    high = re.search(r"\.\s*<=\s*(-?[\d.]+)", constraint or "")
    return (float(low.group(1)) if low else None, float(high.group(1)) if high else None)


def answer_one(question: Question, answers: dict[tuple[str, ...], Any], rng: random.Random,
               place: Callable[[str | None], tuple[float, float]], number: int) -> Any:
    """A valid answer to one question, given the answers before it."""
    if question.preload == "uid":
        return f"uuid:{uuid.UUID(int=rng.getrandbits(128))}"
    if question.preload:
        return f"2025-03-{number % 28 + 1:02d}T09:{number % 60:02d}:00.000+00:00"
    if question.calculate == "once(uuid())":
        return str(uuid.UUID(int=rng.getrandbits(128)))
    if question.calculate:
        return question.calculate.strip("'\"")
    if question.items:
        wanted = answers.get(question.filter_by) if question.filter_by else None
        names = [n for n, parent in question.items if question.filter_by is None
                 or parent == wanted]
        return rng.choice(names)
    low, high = _bounds(question.constraint)
    if question.kind == "int":
        low = 0 if low is None else low
        return rng.randint(int(low), int(high if high is not None else low + 1000))
    if question.kind == "decimal":
        low = 0.0 if low is None else low
        return round(rng.uniform(low, high if high is not None else low + 1000), 2)
    if question.kind == "date":
        return (date(2024, 1, 1) + timedelta(days=rng.randint(0, 700))).isoformat()
    if question.kind == "geopoint":
        territory = next((v for p, v in answers.items() if p[-1] == "territory_code"), None)
        lat, lon = place(territory)
        return f"{lat} {lon} 12.5 4.0"
    return f"Réponse à l'été n°{number}-{rng.randint(1, 999)}"


def answer_all(questions: list[Question], count: int, seed: int,
               place: Callable[[str | None], tuple[float, float]]) -> list[dict]:
    """``count`` submissions, each question answered."""
    rng = random.Random(seed)
    out = []
    for number in range(1, count + 1):
        answers: dict[tuple[str, ...], Any] = {}
        for question in questions:
            answers[question.path] = answer_one(question, answers, rng, place, number)
        out.append(answers)
    return out


# -- exports --------------------------------------------------------------------------------
def _typed(question: Question, value: Any) -> Any:
    """A value as a spreadsheet cell would hold it (numbers and dates typed)."""
    if question.kind == "int":
        return int(value)
    if question.kind == "decimal":
        return float(value)
    if question.kind == "date":
        return date.fromisoformat(value)
    return value


def kobo_table(questions: list[Question], submissions: list[dict], version: str,
               typed: bool = False) -> pd.DataFrame:
    """The submissions as KoboToolbox exports them (XML values and headers)."""
    records = []
    for index, answers in enumerate(submissions, start=1):
        row: dict[str, Any] = {}
        for question in questions:
            if question.path[0] == "meta":
                continue
            value = answers[question.path]
            head = "/".join(question.path)
            row[head] = _typed(question, value) if typed else value
            if question.kind == "geopoint":
                prefix = "/".join(question.path[:-1])
                parts = value.split()
                for part, suffix in zip(parts, ("latitude", "longitude", "altitude",
                                                "precision"), strict=True):
                    name = f"_{question.name}_{suffix}"
                    row[f"{prefix}/{name}" if prefix else name] = float(part) if typed else part
        instance = answers[("meta", "instanceID")].removeprefix("uuid:")
        row.update({"_id": 1000 + index, "_uuid": instance,
                    "_submission_time": f"2025-04-0{index % 9 + 1}T12:00:00",
                    "_validation_status": "", "_notes": "", "_status": "submitted_via_web",
                    "_submitted_by": "enqueteur", "__version__": "vSb7x3QmK9", "_tags": "",
                    "_index": index})
        records.append(row)
    return pd.DataFrame(records)


def central_table(questions: list[Question], submissions: list[dict],
                  version: str) -> pd.DataFrame:
    """The submissions as ODK Central's CSV export gives them (group paths with ``-``)."""
    records = []
    for index, answers in enumerate(submissions, start=1):
        row: dict[str, Any] = {"SubmissionDate": f"2025-04-0{index % 9 + 1}T12:00:00.000Z"}
        for question in questions:
            value = answers[question.path]
            head = "-".join(question.path)
            if question.kind == "geopoint":
                for part, suffix in zip(value.split(), ("Latitude", "Longitude", "Altitude",
                                                        "Accuracy"), strict=True):
                    row[f"{head}-{suffix}"] = part
            else:
                row[head] = value
        row.update({"KEY": answers[("meta", "instanceID")], "SubmitterID": 7,
                    "SubmitterName": "enqueteur", "AttachmentsPresent": 0,
                    "AttachmentsExpected": 0, "Status": "", "ReviewState": "",
                    "DeviceID": "collect:Xb7PqR2", "Edits": 0, "FormVersion": version})
        records.append(row)
    return pd.DataFrame(records)


def write_kobo_csv(path: Path, table: pd.DataFrame) -> Path:
    """Kobo's CSV: ``;`` separated, every cell quoted."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL)
        writer.writerow(table.columns)
        writer.writerows(table.astype(object).where(table.notna(), "").to_numpy().tolist())
    return path


def write_central_csv(path: Path, table: pd.DataFrame) -> Path:
    """Central's CSV: ``,`` separated, quoted only when needed."""
    table.to_csv(path, index=False)
    return path


def write_xlsx(path: Path, table: pd.DataFrame) -> Path:
    """A workbook with the table in its first sheet."""
    table.to_excel(path, index=False, sheet_name="data", engine="openpyxl")
    return path


# -- what the layer should hold ---------------------------------------------------------------
def expected_rows(spec: Any, questions: list[Question], submissions: list[dict]) -> dict:
    """Identifier → {field: value, "lon": x, "lat": y}: the answers as the layer stores them."""
    by_name = {q.name: q for q in questions}
    rows = {}
    for answers in submissions:
        row: dict[str, Any] = {}
        for spec_field in spec.fields:
            question = by_name.get(spec_field.name)
            if question is None:
                continue
            value = answers[question.path]
            if spec_field.type == "boolean":
                value = {"oui": True, "non": False}[value]
            elif spec_field.type == "integer":
                value = int(value)
            elif spec_field.type == "float":
                value = float(value)
            row[spec_field.name] = value
        point = next((answers[q.path] for q in questions if q.kind == "geopoint"), None)
        if point:
            lat, lon = (float(v) for v in point.split()[:2])
            row["lat"], row["lon"] = lat, lon
        rows[row[spec.id_field]] = row
    return rows


def stored_rows(opened: atlas.Atlas, spec: Any) -> dict:
    """Identifier → {field: value, "lon", "lat"} of what the layer holds."""
    frame = opened.read(spec.name)
    rows = {}
    for record, geometry in zip(frame.drop(columns="geometry").to_dict("records"),
                                frame.geometry, strict=True):
        row: dict[str, Any] = {}
        for spec_field in spec.fields:
            value = record.get(spec_field.name)
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                continue
            if spec_field.type == "date":
                value = pd.Timestamp(value).date().isoformat()
            elif spec_field.type == "integer":
                value = int(value)
            elif spec_field.type == "float":
                value = float(value)
            elif spec_field.type == "boolean":
                value = bool(value)
            row[spec_field.name] = value
        if geometry is not None and not geometry.is_empty:
            row["lat"], row["lon"] = geometry.y, geometry.x
        rows[row[spec.id_field]] = row
    return rows

