"""Atlas books: order and grouping, exact page counts, bookmarks, progress, failures that
name the territory and leave no file, the full-sheets layout, and the presentation
driven with the keyboard in Chromium with the network cut off."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from browser import offline_page
from click.testing import CliRunner
from pypdf import PdfReader

from atlas.cli import main as cli
from atlas.diagnostics import diagnose
from atlas.render import ReportError, atlas_book, plan_book, territory_sheet
from atlas.render.book import worker
from atlas.render.book.toc import paginate, toc_lines

PARENT = "ZZ0203"  # a département of five communes


def fold(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name)
                   if not unicodedata.combining(c)).casefold()


def front_pages(plan) -> int:
    """Cover + contents + overview, the contents laid out as the book does."""
    return 1 + len(paginate(toc_lines(plan, "x"))) + 1


@pytest.fixture(scope="module")
def plan(demo_atlas):
    return plan_book(demo_atlas, parent=PARENT, lang="fr")


@pytest.fixture(scope="module")
def pdf_book(demo_atlas, tmp_path_factory):
    """The summary book of the département, rendered by two worker processes."""
    calls = []
    path = atlas_book(demo_atlas, tmp_path_factory.mktemp("book") / "atlas.pdf",
                      parent=PARENT, lang="fr", workers=2,
                      progress=lambda done, total, name: calls.append((done, total, name)))
    return path, calls


@pytest.fixture(scope="module")
def slides(demo_atlas, tmp_path_factory):
    return atlas_book(demo_atlas, tmp_path_factory.mktemp("slides") / "atlas.html",
                      parent=PARENT, lang="fr", workers=1)


def test_plan_selects_orders_and_groups(demo_atlas):
    tree = demo_atlas.territories
    plan = plan_book(demo_atlas, parent="ZZ02", group_by="département", lang="fr")
    assert sorted(plan.codes) == sorted(tree.descendants("ZZ02", level=3))
    heads = [g.name for g in plan.groups]
    assert heads == sorted(heads, key=fold) and len(heads) == 3
    for group in plan.groups:
        names = [e.name for e in group.entries]
        assert names == sorted(names, key=fold)  # accents ignored: Kélem before Khiwén
        assert all(tree.parent(e.code) == group.code for e in group.entries)
    assert [e.number for e in plan.entries] == list(range(1, len(plan.entries) + 1))


@pytest.mark.slow
def test_plan_sorted_by_an_indicator_follows_diagnose(demo_atlas):
    plan = plan_book(demo_atlas, sort="indicator:pop_total", lang="fr")
    table = diagnose(demo_atlas, level=3, indicators="pop_total")
    values = table.set_index("territory_code")["value"]
    shown = [values[c] for c in plan.codes]
    assert shown == sorted(shown, reverse=True) and len(shown) == 49
    ascending = plan_book(demo_atlas, sort="indicator:pop_total:asc", lang="fr")
    assert ascending.codes == plan.codes[::-1]


@pytest.mark.parametrize("sort", ["size", "indicator:", "indicator:nope", "indicator:x:up"])
def test_bad_orders_are_refused(demo_atlas, sort):
    with pytest.raises(ReportError):
        plan_book(demo_atlas, sort=sort, lang="fr")


def test_group_level_must_be_coarser(demo_atlas):
    with pytest.raises(ReportError) as error:
        plan_book(demo_atlas, group_by="commune", lang="fr")
    assert "commune" in error.value.message("fr")


@pytest.mark.slow
def test_pdf_has_cover_contents_overview_and_one_page_per_territory(pdf_book, plan):
    path, _ = pdf_book
    reader = PdfReader(path)
    front = front_pages(plan)
    assert len(reader.pages) == front + len(plan.entries) == 3 + 5
    texts = [page.extract_text() for page in reader.pages]
    assert "Atlas par commune" in texts[0] and "Données fictives" in texts[0]
    assert "Sommaire" in texts[1]
    for entry in plan.entries:  # the contents gives each territory's page
        assert re.search(rf"{front + entry.number}\s*{entry.number}\.\s*{entry.name}",
                         texts[1]), entry.name
    assert "Vue d'ensemble" in texts[front - 1]
    for entry in plan.entries:
        page = texts[front - 1 + entry.number]
        assert entry.name in page and entry.code in page
        assert str(front + entry.number) in page.splitlines()[-1] + page


def test_pdf_bookmarks_point_to_each_territory(pdf_book, plan):
    reader = PdfReader(pdf_book[0])
    outline = [item for item in reader.outline if not isinstance(item, list)]
    titles = [item.title for item in outline]
    assert titles[:2] == ["Sommaire", "Vue d'ensemble"]
    front = front_pages(plan)
    for entry, item in zip(plan.entries, outline[2:], strict=True):
        assert item.title == f"{entry.number}. {entry.name}"
        assert reader.get_destination_page_number(item) == front + entry.number - 1


def test_progress_is_reported_up_to_the_last_territory(pdf_book, plan):
    calls = pdf_book[1]
    assert calls and calls[-1][:2] == (len(plan.entries), len(plan.entries))
    done = [c[0] for c in calls]
    assert done == sorted(done)
    assert {c[2] for c in calls} <= {e.name for e in plan.entries}


def test_book_page_figures_are_those_of_diagnose(demo_atlas, pdf_book, plan):
    reader = PdfReader(pdf_book[0])
    entry = plan.entries[0]
    page = reader.pages[front_pages(plan) - 1 + entry.number].extract_text()
    table = diagnose(demo_atlas, level=3, territories=[entry.code], indicators="sch_count")
    count = int(table[table["territory_code"] == entry.code]["value"].iloc[0])
    assert re.search(rf"Écoles\s+{count}\s", page)


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_territory_is_named_and_no_file_is_left(demo_atlas, tmp_path, monkeypatch,
                                                          plan, workers):
    victim = plan.entries[2]
    original = worker.Renderer.page

    def broken(self, entry):
        if entry.code == victim.code:
            raise ValueError("données illisibles")
        return original(self, entry)

    monkeypatch.setattr(worker.Renderer, "page", broken)
    target = tmp_path / "atlas.pdf"
    with pytest.raises(ReportError) as error:
        atlas_book(demo_atlas, target, parent=PARENT, lang="fr", workers=workers)
    message = error.value.message("fr")
    assert victim.name in message and victim.code in message
    assert "données illisibles" in message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_full_sheets_layout_pages_add_up(demo_atlas, tmp_path):
    code = "ZZ020301"
    path = atlas_book(demo_atlas, tmp_path / "fiches.pdf", parent=code, level="commune",
                      layout="sheets", lang="en", workers=1)
    sheet = territory_sheet(demo_atlas, code, "en")
    plan = plan_book(demo_atlas, parent=code, level="commune", lang="en")
    assert len(PdfReader(path).pages) == front_pages(plan) + sheet.page_count


@pytest.mark.slow
def test_presentation_is_one_offline_file(slides, plan):
    html = Path(slides).read_text(encoding="utf-8")
    assert html.count('class="slide territory"') == len(plan.entries)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert all(src.startswith("data:image/")
               for src in re.findall(r'<img [^>]*src="([^"]+)"', html))
    assert "<script>" in html and "<link" not in html


@pytest.mark.browser
def test_presentation_navigates_with_the_keyboard_offline(slides, plan):
    names = [e.name for e in plan.entries]
    with offline_page(viewport=(1280, 720)) as (page, requests):
        page.goto(Path(slides).as_uri())
        page.wait_for_selector(".slide.current")

        def shown() -> dict:
            assert page.locator(".slide:visible").count() == 1
            current = page.locator(".slide.current")
            title = current.locator(".territory-name")
            return {"kind": current.get_attribute("data-kind"),
                    "name": title.inner_text() if title.count() else None}

        assert shown()["kind"] == "cover"
        page.keyboard.press("o")
        assert shown()["kind"] == "overview"
        page.keyboard.press("ArrowRight")
        assert shown() == {"kind": "territory", "name": names[0]}
        keys = ["PageDown", "ArrowRight", "ArrowDown", " "]
        for index, name in enumerate(names[1:]):
            page.keyboard.press(keys[index % len(keys)])
            assert shown() == {"kind": "territory", "name": name}
        page.keyboard.press("ArrowRight")  # past the end: stays on the last territory
        assert shown()["name"] == names[-1]
        page.keyboard.press("PageUp")
        assert shown()["name"] == names[-2]
        page.keyboard.press("Home")
        assert shown()["kind"] == "cover"
        page.keyboard.press("End")
        assert shown()["name"] == names[-1]
        page.keyboard.press("c")
        assert shown()["kind"] == "contents"
        page.get_by_role("link", name=f"{plan.entries[1].number}. {names[1]}").click()
        assert shown()["name"] == names[1]
    assert requests.external == [], requests.external
    assert requests.page_errors == [] and requests.console_errors == []


@pytest.mark.slow
def test_cli_book_with_progress_bar(demo_atlas_path, tmp_path):
    out = tmp_path / "atlas.html"
    result = CliRunner().invoke(cli, ["book", "--parent", PARENT, "--sort",
                                      "indicator:sch_count", "--lang", "en", "-j", "1", "-o",
                                      str(out), "--atlas", str(demo_atlas_path)])
    assert result.exit_code == 0, result.output
    assert "Atlas de 5 territoires" in result.output  # the progress bar (no tty: its label)
    html = out.read_text(encoding="utf-8")
    assert "Atlas by municipality" in html and "Schools (descending)" in html
    bad = CliRunner().invoke(cli, ["book", "--sort", "size", "-o", str(tmp_path / "x.pdf"),
                                   "--atlas", str(demo_atlas_path)])
    assert bad.exit_code == 2 and "size" in bad.output
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [(1280, 720), (1024, 768)])
def test_a_slide_source_line_is_never_hidden_under_its_footer(slides, viewport):
    # a 4:3 projector narrows the figures column: its table wraps and needs more height
    with offline_page(viewport=viewport) as (page, _):
        page.goto(Path(slides).as_uri())
        page.wait_for_selector(".slide.current")
        page.keyboard.press("o")
        page.keyboard.press("ArrowRight")  # the first territory
        box = page.evaluate("""() => {
            const slide = document.querySelector('.slide.current');
            const figures = slide.querySelector('.s-figures');
            const source = figures.querySelector('.source').getBoundingClientRect();
            const foot = slide.querySelector('.s-foot').getBoundingClientRect();
            const area = figures.getBoundingClientRect();
            return {bottom: source.bottom, foot: foot.top, areaBottom: area.bottom,
                    overflows: figures.scrollHeight > figures.clientHeight + 1,
                    scrolls: ['auto', 'scroll'].includes(getComputedStyle(figures).overflowY)};
        }""")
    assert box["areaBottom"] <= box["foot"] + 1  # the figures end above the footer
    if viewport == (1024, 768):
        assert box["overflows"]  # the case this test is about
    if box["overflows"]:
        assert box["scrolls"]  # the reader can scroll to the source line
    else:
        assert box["bottom"] <= box["foot"]
