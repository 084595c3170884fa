"""The HTML report in a real browser: Debian's headless Chromium, driven by Playwright (no browser download).

Opened from a file:// URL with every non-file request refused and recorded:
no console errors, every picture decodes, the table sorts and filters, a link
opens its report. Screenshots go to the pytest temp folder; their paths are
printed even when output is captured.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import jixiao
from jixiao.html import write_html
from jixiao.models import Record, Report
from tests.chromium import CHROMIUM, launch
from tests.conftest import sample

FILES = ("seed-department-report.pdf", "department-split-table.pdf", "multi-table-two-projects.pdf", "bad/empty.pdf")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian chromium is not installed (apt-get install chromium; .ci/run installs it)"
)


@pytest.fixture(scope="module")
def records() -> list[Record]:
    out: list[Record] = []
    for name in FILES:
        out.extend(jixiao.parse_path(sample(name)))
    return out


@pytest.fixture(scope="module")
def report_file(records: list[Record], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("browser") / "report.html"
    write_html(records, path, files=len(FILES))
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


class Visit:
    """A page opened on the report, with what it logged and what it asked the network for."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.errors: list[str] = []
        self.remote: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}") if r.url.startswith("file:") else None)
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri(), wait_until="load")

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.remote.append(url)
            route.abort()

    def close(self) -> None:
        self.page.close()


@pytest.fixture()
def visit(browser: Any, report_file: Path) -> Iterator[Visit]:
    v = Visit(browser, report_file)
    yield v
    v.close()
    assert v.remote == [], f"the report asked the network for {v.remote}"
    assert v.errors == [], f"console errors: {v.errors}"


def say(capsys: pytest.CaptureFixture[str], text: str) -> None:
    with capsys.disabled():
        print(f"\n{text}")


LOAD_ALL = """async () => {
  document.querySelectorAll('details.report').forEach(d => { d.open = true; });
  const images = Array.from(document.images);
  for (const img of images) { img.loading = 'eager'; img.scrollIntoView(); }
  await Promise.all(images.map(img => img.decode().catch(() => null)));
  window.scrollTo(0, 0);
  return images.map(img => ({
    cls: img.className, w: img.naturalWidth, h: img.naturalHeight, done: img.complete,
    finding: img.closest('li.finding') ? img.closest('li.finding').id : null,
    severity: img.closest('li.finding') ? img.closest('li.finding').classList[1] : null,
  }));
}"""


def test_every_picture_loads_without_errors_or_network(
    visit: Visit, records: list[Record], tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    shots = tmp_path_factory.getbasetemp() / "html-screenshots"
    shots.mkdir(exist_ok=True)
    overview = shots / "overview.png"
    visit.page.screenshot(path=str(overview), full_page=True)
    images = visit.page.evaluate(LOAD_ALL)
    assert all(i["done"] and i["w"] > 0 and i["h"] > 0 for i in images), [i for i in images if not i["w"]]
    charts = [i for i in images if i["cls"] == "chart"]
    crops = [i for i in images if i["cls"] == "crop"]
    assert len(charts) == 4
    reports = [r for r in records if isinstance(r, Report)]
    # every error and warning finding of the seed (report 0) has its picture, decoded
    seed = reports[0]
    shown = {i["finding"] for i in crops}
    for n, finding in enumerate(seed.findings):
        assert f"r0-f{n}" in shown, finding.rule
    located = sum(1 for r in reports for f in r.findings if f.where.boxes)
    assert len(shown) == located
    visit.page.evaluate("document.querySelectorAll('details.report').forEach((d, i) => { d.open = i === 0; })")
    section = shots / "seed-report.png"
    visit.page.locator("#r0").screenshot(path=str(section))
    say(capsys, f"screenshots: {overview} {section}")


def test_table_sorts_filters_and_links(visit: Visit) -> None:
    page = visit.page
    names = "Array.from(document.querySelectorAll('#reports-table tbody tr:not([hidden]) td:nth-child(2)')).map(t => t.textContent)"
    before = page.evaluate(names)
    page.click("#reports-table th:nth-child(6)")  # 表中总分: ascending, blanks last
    ascending = page.evaluate(names)
    assert ascending[:2] == ["中国共产党株洲市荷塘区委员会组织部", "清溪县农业农村局"]
    page.click("#reports-table th:nth-child(6)")
    assert page.evaluate(names)[:2] == ["清溪县农业农村局", "中国共产党株洲市荷塘区委员会组织部"]
    assert sorted(before) == sorted(ascending)

    page.fill("#report-filter", "清溪")
    assert page.evaluate(names) == ["清溪县农业农村局"]
    assert page.text_content("#shown-count") == "1"
    page.fill("#report-filter", "")
    page.select_option("#severity-filter", "error")
    assert page.text_content("#shown-count") == "2"
    page.select_option("#severity-filter", "clean")
    assert page.evaluate(names) == ["清溪县农业农村局"]
    page.select_option("#severity-filter", "all")

    assert not page.evaluate("document.getElementById('r1').open")
    page.click("#reports-table a[href='#r1']")
    page.wait_for_function("document.getElementById('r1').open")
    page.click("#expand-all")
    assert page.evaluate("Array.from(document.querySelectorAll('details.report')).every(d => d.open)")
