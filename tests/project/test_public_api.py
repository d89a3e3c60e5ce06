"""The public Python API: what analysts call is there, typed, documented and in the README.

"Public" is every name of ``atlas.__all__`` and every public method and property of
:class:`~atlas.Atlas`, :class:`~atlas.TerritoryTree` and :class:`~atlas.ImportPlan`.
Each has a docstring and type hints on all its parameters and its return value (checked
with :func:`inspect.signature`, so string annotations count). Every public name, and
the Atlas methods the notebooks rely on, appear in code in the README's
``## Python API`` section, whose Python examples run against a copy of the demo atlas.
"""

from __future__ import annotations

import enum
import inspect
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import atlas

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SECTION = "## Python API"
#: What issue 9 promises analysts, beyond ``atlas.__all__``.
PROMISED_FUNCTIONS = ("open", "import_file", "indicator")
ATLAS_METHODS = ("read", "territories", "diagnose", "map", "sheet")
CLASSES_WITH_MEMBERS = (atlas.Atlas, atlas.TerritoryTree, atlas.ImportPlan)
#: The file the README's import example reads (written by the test next to the atlas).
README_IMPORT_FILE = "ecoles_kobo.csv"


# -- helpers ---------------------------------------------------------------------------------
def own_docstring(obj: object) -> str:
    """The object's own docstring (not inherited, not a dataclass's generated signature)."""
    if inspect.isclass(obj):
        doc = obj.__dict__.get("__doc__") or ""
        if doc.startswith(f"{obj.__name__}("):  # @dataclass writes the signature there
            return ""
        return doc.strip()
    return (getattr(obj, "__doc__", None) or "").strip()


def missing_hints(func: Callable[..., object], *, method: bool = False) -> list[str]:
    """Parameters (and ``return``) without an annotation."""
    signature = inspect.signature(func)
    params = list(signature.parameters.values())
    if method and params and params[0].name in ("self", "cls"):
        params = params[1:]
    missing = [p.name for p in params if p.annotation is inspect.Parameter.empty]
    if signature.return_annotation is inspect.Signature.empty:
        missing.append("return")
    return missing


def public_members(cls: type) -> list[tuple[str, Callable[..., object]]]:
    """Public methods and property getters defined on ``cls`` and its own bases."""
    found: dict[str, Callable[..., object]] = {}
    for klass in reversed([k for k in cls.__mro__ if k is not object]):
        for name, member in vars(klass).items():
            if name.startswith("_"):
                continue
            if isinstance(member, property) and member.fget is not None:
                found[name] = member.fget
            elif isinstance(member, (staticmethod, classmethod)):
                found[name] = member.__func__
            elif inspect.isfunction(member):
                found[name] = member
    return sorted(found.items())


def python_api_section() -> str:
    """README text between ``## Python API`` and the next ``## `` heading."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(SECTION)}[ \t]*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"README.md has no {SECTION!r} section"
    return match.group(1)


FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```[ \t]*$", re.M | re.S)


def code_of(section: str) -> str:
    """The code of a Markdown section: fenced blocks and inline code spans."""
    blocks = [body for _, body in FENCE.findall(section)]
    prose = FENCE.sub("", section)
    return "\n".join([*blocks, *re.findall(r"`([^`\n]+)`", prose)])


def python_blocks(section: str) -> list[str]:
    return [body for lang, body in FENCE.findall(section)
            if lang.strip().lower() in ("python", "py")]


PUBLIC_NAMES = sorted(atlas.__all__)
DOCUMENTED = [n for n in PUBLIC_NAMES
              if inspect.isclass(getattr(atlas, n, None)) or callable(getattr(atlas, n, None))]
MEMBERS = [(cls, name, func) for cls in CLASSES_WITH_MEMBERS
           for name, func in public_members(cls)]


# -- what is promised exists ---------------------------------------------------------------
@pytest.mark.parametrize("name", PROMISED_FUNCTIONS)
def test_promised_function_is_exported(name):
    assert name in atlas.__all__, f"atlas.{name} is not in atlas.__all__"
    assert callable(getattr(atlas, name))


def test_indicator_decorator_is_the_diagnostics_one():
    from atlas.diagnostics import indicator

    assert getattr(atlas, "indicator", None) is indicator


@pytest.mark.parametrize("name", ATLAS_METHODS)
def test_promised_atlas_member_exists(name):
    assert hasattr(atlas.Atlas, name), f"Atlas.{name} is missing"


def test_read_takes_layer_territory_and_bbox():
    params = inspect.signature(atlas.Atlas.read).parameters
    assert list(params)[:4] == ["self", "layer", "territory", "bbox"]
    assert params["territory"].default is None and params["bbox"].default is None


def test_package_declares_its_type_hints():
    assert (Path(atlas.__file__).parent / "py.typed").is_file()
    assert "py.typed" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


# -- docstrings and type hints ---------------------------------------------------------------
@pytest.mark.parametrize("name", DOCUMENTED)
def test_public_name_has_docstring(name):
    assert own_docstring(getattr(atlas, name)), f"atlas.{name} has no docstring"


@pytest.mark.parametrize("name", DOCUMENTED)
def test_public_name_has_type_hints(name):
    obj = getattr(atlas, name)
    if inspect.isclass(obj) and issubclass(obj, enum.Enum):
        return  # an enum is built from its members, not called with arguments
    func = obj.__init__ if inspect.isclass(obj) and "__init__" in vars(obj) else obj
    missing = missing_hints(func, method=func is not obj)
    assert not missing, f"atlas.{name}: no type hint for {', '.join(missing)}"


@pytest.mark.parametrize(("cls", "name", "func"), MEMBERS,
                         ids=[f"{c.__name__}.{n}" for c, n, _ in MEMBERS])
def test_public_member_has_docstring_and_type_hints(cls, name, func):
    assert own_docstring(func), f"{cls.__name__}.{name} has no docstring"
    missing = missing_hints(func, method=True)
    assert not missing, f"{cls.__name__}.{name}: no type hint for {', '.join(missing)}"


# -- the README ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", PUBLIC_NAMES)
def test_public_name_is_in_readme_python_api(name):
    code = code_of(python_api_section())
    assert re.search(rf"(?<!\w){re.escape(name)}(?!\w)", code), (
        f"{name} is exported by atlas but not shown in README.md's {SECTION!r} section")


@pytest.mark.parametrize("name", ATLAS_METHODS)
def test_atlas_method_is_in_readme_python_api(name):
    code = code_of(python_api_section())
    assert re.search(rf"\.{re.escape(name)}\b", code), (
        f"Atlas.{name} is not shown in README.md's {SECTION!r} section")


def write_readme_import_file(folder: Path, demo_atlas_path: Path) -> None:
    """A small Kobo-style export of three schools inside the demo atlas."""
    with atlas.open(demo_atlas_path) as opened:
        spots = opened.read("localities", territory="ZZ010113").geometry.iloc[:3]
    lines = ["ecole/nom,ecole/niveau,eau/source,eau/disponible,_gps_latitude,_gps_longitude,"
             "_uuid,_submission_time"]
    for index, spot in enumerate(spots, start=1):
        lines.append(f"École {index},Élémentaire,Forage,Oui,{spot.y:.6f},{spot.x:.6f},"
                     f"readme-{index},2025-03-0{index}T10:00:00")
    (folder / README_IMPORT_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.slow
def test_readme_python_api_examples_run(demo_atlas_path, tmp_path, monkeypatch):
    """The section's Python blocks run in order, from a folder holding data/demo.gpkg."""
    from atlas.diagnostics import REGISTRY

    blocks = python_blocks(python_api_section())
    assert blocks, f"README.md's {SECTION!r} section has no python example"
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(demo_atlas_path, data / "demo.gpkg")
    shutil.copy(demo_atlas_path.with_name("demo_population.tif"), data / "demo_population.tif")
    write_readme_import_file(tmp_path, demo_atlas_path)
    monkeypatch.chdir(tmp_path)
    declared = set(REGISTRY)
    namespace: dict[str, object] = {"__name__": "readme_example"}
    failure = None
    try:
        for number, block in enumerate(blocks, start=1):
            try:
                exec(compile(block, f"README.md python block {number}", "exec"), namespace)
            except Exception as error:  # the block and its error, not the test's frame
                failure = (f"README python block {number} fails: "
                           f"{type(error).__name__}: {error}\n{block}")
                break
    finally:
        for code in set(REGISTRY) - declared:  # indicators the example declared
            REGISTRY.unregister(code)
        opened = namespace.get("a")
        if isinstance(opened, atlas.Atlas):
            opened.close()
    if failure is not None:
        pytest.fail(failure, pytrace=False)


# -- objects shown inline in Jupyter ---------------------------------------------------------
@pytest.mark.slow
def test_map_and_sheet_show_inline_and_save(demo_atlas, tmp_path):
    shown = demo_atlas.map("ZZ010113", layers=["water_points"])
    assert "<iframe" in shown._repr_html_()
    sheet = demo_atlas.sheet("ZZ010113")
    assert "<iframe" in sheet._repr_html_()
    assert sheet.to_html(tmp_path / "fiche.html").stat().st_size > 0
    assert callable(sheet.to_pdf)
