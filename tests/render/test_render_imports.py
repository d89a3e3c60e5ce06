"""The app's first page draws an interactive map without loading matplotlib or WeasyPrint.

Static maps, sheets and books need them and load them on first use; a fresh
interpreter shows which modules an interactive map, and the app's map cache, pull in.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("matplotlib", "weasyprint")


def loaded_after(code: str, atlas_path: Path) -> dict[str, bool]:
    """Which heavy packages a fresh interpreter has loaded after running ``code``."""
    probe = (f"import sys, json\nsys.path.insert(0, {str(ROOT)!r})\nATLAS = {str(atlas_path)!r}\n"
             f"{code}\nprint(json.dumps({{name: name in sys.modules for name in {HEAVY!r}}}))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_an_interactive_map_loads_neither_matplotlib_nor_weasyprint(demo_atlas_path):
    code = ("import atlas\nfrom atlas.render import territory_map\n"
            "fmap = territory_map(atlas.open(ATLAS), 'ZZ010102',"
            " layers=['water_points', 'schools'])\n"
            "assert fmap.get_root().render()")
    assert loaded_after(code, demo_atlas_path) == {"matplotlib": False, "weasyprint": False}


@pytest.mark.slow
def test_the_apps_map_cache_loads_neither(demo_atlas_path):
    code = ("import os\nos.environ['ATLAS_URL'] = ATLAS\n"
            "from app_pages import cache, carte, maps\n"
            "revision = cache.current().revision\n"
            "fmap = cache.territory_map(ATLAS, revision, None, ('water_points', 'schools'),"
            " 'fr')\n"
            "assert fmap is not None")
    assert loaded_after(code, demo_atlas_path) == {"matplotlib": False, "weasyprint": False}


@pytest.mark.slow
def test_a_static_map_loads_matplotlib_when_asked(demo_atlas_path):
    code = ("import atlas\nfrom atlas.render import static_map\n"
            "static_map(atlas.open(ATLAS), 'ZZ010102', layers=['schools'])")
    assert loaded_after(code, demo_atlas_path)["matplotlib"] is True
