"""Benchmark: the Streamlit app in headless Chromium, offline, on the demo atlas.

Measures what a planner waits for, with every request outside 127.0.0.1 blocked:

* launch → first map drawn: ``streamlit run`` started, page opened as soon as the
  server answers, until the atlas runtime has drawn its layers in the st_folium iframe;
* page opened → first map drawn, on the running server (median of ``--rounds``);
* territory switch (commune selectbox → new map drawn), uncached (first visit of each
  commune) and cached (second visit);
* with ``--sessions N``: N sessions at once for ``--duration`` seconds, each opening
  the app and switching communes in a loop (``--think`` seconds apart), spoken in
  Streamlit's websocket protocol (see :class:`ProtocolSession`), while one real
  offline browser measures what a planner then sees; response times per action
  (median, p95, max) and errors. Sessions and duration are capped and the server is
  the one this script starts on 127.0.0.1: it cannot be pointed at another machine.

Targets: first map within 3 s of opening the page, a cached switch within 1 s.
Results are printed and written to ``bench/results/app.json``.

Run: ``.venv/bin/python bench/bench_app.py [--atlas data/demo.gpkg] [--rounds 5]
[--sessions 20 --duration 60]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser import CHROMIUM_ARGS, chromium_path, offline_page  # noqa: E402

MAX_SESSIONS = 50
MAX_DURATION = 300.0
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
DRAWN = """() => !!(window.AtlasMap && window.AtlasMap.maps.length
    && Object.values(window.AtlasMap.maps[0]._atlas.layers).some(l => l.getLayers().length))"""
REGION, DEPARTEMENT = "Korel", "Oudjo"
#: Communes of the département Oudjo (not the commune named Oudjo, like its département).
COMMUNES = ("Tane", "Ndou", "Mefir", "Ngamil", "Dimack", "Nounjo")


def focus_is(name: str) -> str:
    """JS predicate: the map is drawn and centred on the territory ``name`` (its outline
    is the focus style, ``k == 0``; its sub-units have ``k == 1``)."""
    return f"""() => {{ const m = window.AtlasMap && window.AtlasMap.maps[0];
        const l = m && m._atlas.layers.atlas_outline;
        return !!l && l.getLayers().some(f => f.feature.properties.k === 0
                && (f.feature.properties.p || [])[0] === {name!r})
            && Object.values(m._atlas.layers).some(x => x.getLayers().length); }}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(atlas_path: Path, log: Path) -> Iterator[tuple[str, float]]:
    """``streamlit run app.py`` on 127.0.0.1; yields (base URL, launch time)."""
    port = free_port()
    env = {**os.environ, "ATLAS_URL": str(atlas_path), "ATLAS_LANG": "fr"}
    started = time.perf_counter()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
             "--server.address", "127.0.0.1", "--server.port", str(port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"{base}/_stcore/health", timeout=1).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"streamlit did not start, see {log}") from None
                    time.sleep(0.05)
            yield base, started
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_map(page: Any, predicate: str, timeout: float = 30.0) -> None:
    """Until a st_folium frame satisfies ``predicate`` (frames are replaced on changes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for handle in page.query_selector_all(MAP_FRAME):
            frame = handle.content_frame()
            try:
                if frame is not None and frame.evaluate(predicate):
                    return
            except Exception:  # noqa: BLE001 - frame being replaced
                pass
        time.sleep(0.02)
    raise TimeoutError(predicate)


def choose(page: Any, label: str, option: str) -> float:
    """Pick an option in a sidebar selectbox; returns the time of the final click."""
    box = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(
        has=page.get_by_text(label, exact=True))
    box.click()
    item = page.get_by_role("option", name=option, exact=True)
    item.wait_for()
    clicked = time.perf_counter()
    item.click()
    return clicked


def single_user(atlas_path: Path, rounds: int, folder: Path) -> dict[str, Any]:
    """Launch, page opens and territory switches for one user."""
    results: dict[str, Any] = {}
    with server(atlas_path, folder / "streamlit.log") as (base, started), \
            offline_page(viewport=(1400, 950), allow=(base,)) as (page, requests):
        results["server_ready_s"] = time.perf_counter() - started
        opened = time.perf_counter()
        page.goto(base + "/")
        wait_map(page, DRAWN)
        now = time.perf_counter()
        results["launch_to_first_map_s"] = now - started
        results["cold_open_to_first_map_s"] = now - opened
        warm = []
        for _ in range(rounds):
            opened = time.perf_counter()
            page.goto(base + "/")
            wait_map(page, DRAWN)
            warm.append(time.perf_counter() - opened)
        results["warm_open_to_first_map_s"] = summary(warm)
        choose(page, "Région", REGION)
        wait_map(page, focus_is(REGION))
        choose(page, "Département", DEPARTEMENT)
        wait_map(page, focus_is(DEPARTEMENT))
        for label in ("uncached", "cached"):
            times = []
            for name in COMMUNES:
                clicked = choose(page, "Commune", name)
                wait_map(page, focus_is(name))
                times.append(time.perf_counter() - clicked)
            results[f"switch_{label}_s"] = summary(times)
        results["external_requests"] = list(requests.external)
    return results


def summary(values: list[float]) -> dict[str, float]:
    """Median, p95, min, max and count of timings (seconds)."""
    ordered = sorted(values)
    if not ordered:
        return {"n": 0}
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"n": len(ordered), "median": statistics.median(ordered), "p95": p95,
            "min": ordered[0], "max": ordered[-1]}


class ProtocolSession:
    """A planner's session spoken in Streamlit's own protocol (no browser).

    Twenty Chromium tabs on the two cores of a workshop laptop measure the laptop, not
    the server: in a hall every planner has their own machine. So the load is made of
    websocket sessions that send what a browser sends (``BackMsg`` reruns with widget
    values) and receive everything the server renders, full size; the response time is
    from the request to ``script_finished``.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        self.ids: dict[str, str] = {}
        self.page_hash: str | None = None
        self.values: dict[str, str] = {}
        self.socket: Any = None

    async def open(self) -> float:
        import websockets

        self.socket = await websockets.connect(
            self.base.replace("http://", "ws://") + "/_stcore/stream",
            subprotocols=["streamlit"], max_size=None, open_timeout=60)
        return await self.rerun()

    async def choose(self, key: str, label: str) -> float:
        self.values[key] = label
        return await self.rerun()

    async def rerun(self) -> float:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        message = BackMsg()
        rerun = message.rerun_script
        rerun.context_info.url = self.base + "/"
        rerun.context_info.timezone = "UTC"
        if self.page_hash:
            rerun.page_script_hash = self.page_hash
        for key, value in self.values.items():
            if key in self.ids:
                widget = rerun.widget_states.widgets.add()
                widget.id = self.ids[key]
                widget.string_value = value
        started = time.perf_counter()
        await self.socket.send(message.SerializeToString())
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await self.socket.recv())
            kind = forward.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = forward.new_session.page_script_hash or self.page_hash
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                widget_id = getattr(getattr(element, element.WhichOneof("type")), "id", "")
                if isinstance(widget_id, str) and widget_id.startswith("$$ID-"):
                    self.ids[widget_id.rsplit("-", 1)[-1]] = widget_id
            elif kind == "script_finished":
                return time.perf_counter() - started

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()


async def _planner(base: str, deadline: float, index: int, think: float,
                   timings: dict[str, list[float]], errors: list[str]) -> None:
    """Open the app, go to the département, then visit communes until the deadline."""
    rng = random.Random(index)
    session = ProtocolSession(base)
    try:
        timings["open"].append(await session.open())
        timings["switch"].append(await session.choose("pick_1", REGION))
        timings["switch"].append(await session.choose("pick_2", DEPARTEMENT))
        while time.monotonic() < deadline:
            await asyncio.sleep(rng.uniform(0.5, 1.5) * think)
            timings["switch"].append(await session.choose("pick_3", rng.choice(COMMUNES)))
    except Exception as exc:  # noqa: BLE001 - counted, the others go on
        errors.append(f"session {index}: {type(exc).__name__}: {str(exc)[:200]}")
    finally:
        await session.close()


async def _browser_probe(base: str, deadline: float, timings: dict[str, list[float]],
                         errors: list[str], external: list[str]) -> None:
    """One real, offline browser measuring what a planner sees while the others work."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_path(),
                                                   args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 1400, "height": 950},
                                            service_workers="block")

        async def route(request_route: Any) -> None:
            url = request_route.request.url
            if url.startswith((base, "data:", "blob:", "about:")):
                await request_route.continue_()
            else:
                external.append(url)
                await request_route.abort()

        await context.route("**/*", route)
        page = await context.new_page()

        async def drawn(predicate: str) -> None:
            limit = time.monotonic() + 120
            while time.monotonic() < limit:
                for handle in await page.query_selector_all(MAP_FRAME):
                    frame = await handle.content_frame()
                    try:
                        if frame is not None and await frame.evaluate(predicate):
                            return
                    except Exception:  # noqa: BLE001 - frame being replaced
                        pass
                await asyncio.sleep(0.02)
            raise TimeoutError(predicate)

        async def pick(label: str, option: str) -> float:
            box = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(
                has=page.get_by_text(label, exact=True))
            await box.click()
            item = page.get_by_role("option", name=option, exact=True)
            await item.wait_for()
            clicked = time.perf_counter()
            await item.click()
            return clicked

        try:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                await page.goto(base + "/", timeout=120_000)
                await drawn(DRAWN)
                timings["browser_open"].append(time.perf_counter() - started)
                await pick("Région", REGION)
                await drawn(focus_is(REGION))
                await pick("Département", DEPARTEMENT)
                await drawn(focus_is(DEPARTEMENT))
                for name in COMMUNES:
                    if time.monotonic() >= deadline:
                        break
                    clicked = await pick("Commune", name)
                    await drawn(focus_is(name))
                    timings["browser_switch"].append(time.perf_counter() - clicked)
        except Exception as exc:  # noqa: BLE001
            errors.append(f"browser: {type(exc).__name__}: {str(exc)[:200]}")
        finally:
            await browser.close()


async def _concurrent(base: str, sessions: int, duration: float,
                      think: float) -> dict[str, Any]:
    timings: dict[str, list[float]] = {"open": [], "switch": [], "browser_open": [],
                                       "browser_switch": []}
    errors: list[str] = []
    external: list[str] = []
    deadline = time.monotonic() + duration
    tasks = [asyncio.create_task(_browser_probe(base, deadline, timings, errors, external))]
    for index in range(sessions):
        tasks.append(asyncio.create_task(
            _planner(base, deadline, index, think, timings, errors)))
        await asyncio.sleep(0.2)  # people arrive one after the other
    await asyncio.gather(*tasks)
    return {"sessions": sessions, "duration_s": duration, "think_s": think,
            "server_open_s": summary(timings["open"]),
            "server_switch_s": summary(timings["switch"]),
            "browser_open_to_first_map_s": summary(timings["browser_open"]),
            "browser_switch_s": summary(timings["browser_switch"]),
            "errors": errors, "external_requests": sorted(set(external))}


def concurrent(atlas_path: Path, sessions: int, duration: float, think: float,
               folder: Path) -> dict[str, Any]:
    """N protocol sessions and one real browser at once, against a fresh local server."""
    with server(atlas_path, folder / "streamlit-concurrent.log") as (base, _):
        return asyncio.run(_concurrent(base, sessions, duration, think))


def demo_atlas(path: Path | None, folder: Path) -> Path:
    """The atlas to serve: the given one, data/demo.gpkg, or a demo built here."""
    if path is not None:
        return path
    default = ROOT / "data" / "demo.gpkg"
    if default.is_file():
        return default
    from atlas.demo import build_demo

    target = folder / "demo.gpkg"
    build_demo(target).close()
    return target


def show(results: dict[str, Any]) -> None:
    """Print the figures, in seconds."""
    def line(name: str, value: Any) -> None:
        if isinstance(value, dict) and "median" in value:
            print(f"  {name:32s} median {value['median']:.2f}  p95 {value['p95']:.2f}  "
                  f"min {value['min']:.2f}  max {value['max']:.2f}  (n={value['n']})")
        elif isinstance(value, float):
            print(f"  {name:32s} {value:.2f}")
        else:
            print(f"  {name:32s} {value}")

    for section, values in results.items():
        print(section)
        if isinstance(values, dict):
            for name, value in values.items():
                line(name, value)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the measurements, print and save them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atlas", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=0,
                        help=f"concurrent browser sessions (at most {MAX_SESSIONS})")
    parser.add_argument("--duration", type=float, default=60.0,
                        help=f"seconds of concurrent load (at most {MAX_DURATION:g})")
    parser.add_argument("--think", type=float, default=5.0,
                        help="mean seconds between two actions of a session (a planner "
                             "reads the map before clicking again)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "app.json")
    args = parser.parse_args(argv)
    if chromium_path() is None:
        print("Chromium is missing: apt-get install chromium", file=sys.stderr)
        return 1
    sessions = max(0, min(args.sessions, MAX_SESSIONS))
    duration = max(5.0, min(args.duration, MAX_DURATION))
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="atlas-bench-app-") as tmp:
        folder = Path(tmp)
        atlas_path = demo_atlas(args.atlas, folder)
        results: dict[str, Any] = {"single_user": single_user(atlas_path, args.rounds, folder)}
        if sessions:
            results["concurrent"] = concurrent(atlas_path, sessions, duration,
                                               max(0.0, args.think), folder)
    # Other work on the machine slows every figure: the load is part of the result.
    results["machine"] = {"cpus": os.cpu_count(), "load_avg_1m_before": load_before,
                          "load_avg_1m_after": os.getloadavg()[0]}
    show(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
