"""Size of exported offline HTML maps on an atlas of demo size.

    .venv/bin/python bench/bench_map_size.py [--atlas data/demo.gpkg] [--out bench/results]

Budget (issue 6): a commune map with all layers <= 1 MB, a region map with all
layers <= 5 MB. Without ``--atlas`` it builds a throwaway atlas from
``atlas.demo.generate_demo``, or with ``--synthetic`` one from
``atlas.demo.sized.build_sized_atlas`` (same counts as the demo description); the
builders, the budgets and the measurement live in ``atlas.demo.sized``, which the map
tests import too.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import atlas  # noqa: E402
from atlas.demo.sized import build_sized_atlas, demo_atlas, measure  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Print the sizes as a table and JSON; exit 1 when a budget is exceeded."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atlas", default=None, help="existing atlas (.gpkg or URL)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--synthetic", action="store_true",
                        help="use the sized-atlas generator instead of the demo data")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.gpkg"
        if args.atlas:
            opened = atlas.open(args.atlas)
        elif args.synthetic:
            opened = build_sized_atlas(path, args.seed)
        else:
            opened = demo_atlas(path, args.seed)
        with opened:
            results = measure(opened, args.out)
    for row in results:
        print(f"{row['map']:8} {row['territory']:10} {row['bytes'] / 1e6:6.2f} MB "
              f"(budget {row['budget'] / 1e6:.0f} MB) {row['features']:6} features "
              f"{row['seconds']:5.2f} s")
    (args.out / "map_size.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0 if all(int(r["bytes"]) <= int(r["budget"]) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
