"""The HTML report as a file: self-contained, every finding with its picture, charts that render, text escaped."""

from __future__ import annotations

import base64
import re
import warnings
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

import jixiao
from jixiao.cli import main
from jixiao.html import write_html
from jixiao.html.charts import overview_charts
from jixiao.html.render import document
from jixiao.models import Record, Report
from tests.conftest import sample

FILES = (
    "seed-department-report.pdf",
    "department-split-table.pdf",
    "multi-table-two-projects.pdf",
    "bad/empty.pdf",
)
REMOTE_RE = re.compile(r"""(?:src|href|action|poster|srcset)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


class Page(HTMLParser):
    """Just enough of the DOM: images by finding, sections, links, scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.finding: str | None = None
        self.finding_depth = 0
        self.findings: dict[str, dict[str, object]] = {}
        self.images: list[dict[str, str]] = []
        self.details: list[dict[str, str]] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            assert a["id"] not in self.ids, f"duplicate id {a['id']}"
            self.ids.add(a["id"])
        if tag == "li" and "finding" in a.get("class", ""):
            self.finding = a["id"]
            self.finding_depth = 0
            severity = a["class"].split()[1]
            self.findings[a["id"]] = {"severity": severity, "rule": a.get("data-rule"), "images": []}
        elif tag == "li" and self.finding:
            self.finding_depth += 1
        if tag == "img":
            self.images.append(a)
            if self.finding:
                images = self.findings[self.finding]["images"]
                assert isinstance(images, list)
                images.append(a)
        if tag == "details":
            self.details.append(a)
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag in ("script", "link", "iframe", "object", "embed") and (a.get("src") or a.get("href")):
            self.external.append(f"{tag} {a}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self.finding:
            if self.finding_depth:
                self.finding_depth -= 1
            else:
                self.finding = None


@pytest.fixture(scope="module")
def records() -> list[Record]:
    out: list[Record] = []
    for name in FILES:
        out.extend(jixiao.parse_path(sample(name)))
    return out


@pytest.fixture(scope="module")
def html_file(records: list[Record], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    size = write_html(records, path, files=len(FILES))
    assert size == path.stat().st_size
    return path


@pytest.fixture(scope="module")
def page(html_file: Path) -> Page:
    parsed = Page()
    parsed.feed(html_file.read_text(encoding="utf-8"))
    return parsed


def test_no_remote_references(html_file: Path, page: Page) -> None:
    text = html_file.read_text(encoding="utf-8")
    assert not REMOTE_RE.findall(text)
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", text, re.I)
    assert "@import" not in text
    assert page.external == []
    assert all(img["src"].startswith("data:image/") for img in page.images)
    assert all(link.startswith("#") for link in page.links)


def test_every_located_finding_has_its_picture(records: list[Record], page: Page) -> None:
    reports = [r for r in records if isinstance(r, Report)]
    assert len(page.findings) == sum(len(r.findings) for r in reports)
    assert len(page.details) == len(reports)
    seed = reports[0]
    assert seed.source.path.endswith("seed-department-report.pdf")
    seed_items = {k: v for k, v in page.findings.items() if k.startswith("r0-")}
    assert len(seed_items) == len(seed.findings) == 13
    for finding_id, item in seed_items.items():
        images = item["images"]
        assert isinstance(images, list) and len(images) == 1, finding_id
        (img,) = images
        assert img["src"].startswith("data:image/png;base64,")
        assert img["loading"] == "lazy"
        assert int(img["width"]) > 100 and int(img["height"]) > 50
    for report_index, report in enumerate(reports):
        for n, finding in enumerate(report.findings):
            item = page.findings[f"r{report_index}-f{n}"]
            assert item["severity"] == finding.severity and item["rule"] == finding.rule
            images = item["images"]
            assert isinstance(images, list)
            if finding.where.boxes:
                assert images, f"{report.source.path}: {finding.rule} has boxes but no picture"


def test_charts_are_svg_with_chinese_glyphs(records: list[Record], page: Page) -> None:
    charts = [img for img in page.images if img.get("class") == "chart"]
    assert len(charts) == 4
    for img in charts:
        prefix = "data:image/svg+xml;base64,"
        assert img["src"].startswith(prefix)
        svg = ET.fromstring(base64.b64decode(img["src"][len(prefix):]))
        assert svg.tag.endswith("svg")
        assert svg.iter("{http://www.w3.org/2000/svg}path")


def test_charts_find_a_font_for_chinese(records: list[Record]) -> None:
    reports = [r for r in records if isinstance(r, Report)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        overview_charts(reports)
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert missing == []


def test_charts_with_no_data_still_render() -> None:
    charts = overview_charts([])
    assert [c.key for c in charts] == ["total-scores", "execution-rates", "grades", "stated-vs-recomputed"]
    assert all(c.svg.startswith(b"<?xml") for c in charts)


def test_overview_counts_and_failures(html_file: Path) -> None:
    text = html_file.read_text(encoding="utf-8")
    assert "<b>4</b>文件 <span class=\"en\">files</span>" in text
    assert "samples/bad/empty.pdf" in text and "<code>empty</code>" in text
    assert "score_total" in text and "得分合计不等于总分" in text
    assert text.count('<tr data-errors="') == 4  # one row per report in the overview table


def test_tables_mark_the_cells_of_findings(html_file: Path) -> None:
    text = html_file.read_text(encoding="utf-8")
    seed_section = text[text.index('<details class="report" id="r0"'):text.index('<details class="report" id="r1"')]
    # the stated total 92 is marked as an error and links to the score_total finding
    assert re.search(r'<td class="num hl-error" title="[^"]*score_total[^"]*"><a class="cell" href="#r0-f\d+">92</a>',
                     seed_section)
    # the empty 偏差原因 cells of deduction_unexplained are marked as warnings
    assert seed_section.count('hl-warning" title="deduction_unexplained"') >= 6


def test_text_is_escaped(records: list[Record], tmp_path: Path) -> None:
    seed = next(r for r in records if isinstance(r, Report))
    evil = replace(seed, unit_name='<script>alert("x")</script>', project_name=None, grade="<b>优</b>")
    html = "".join(document([evil], [], lambda report, finding: []))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;优&lt;/b&gt;" in html


def test_many_reports_stay_collapsed_and_lazy(records: list[Record]) -> None:
    """500 reports: one closed <details> each, no picture decoded before its section is opened."""
    seed = next(r for r in records if isinstance(r, Report))
    many = [replace(seed, source=replace(seed.source, path=f"batch/{i:03}.pdf")) for i in range(500)]
    html = "".join(document(many, [], lambda report, finding: []))
    assert html.count('<details class="report"') == 500
    assert "<details open" not in html
    assert html.count('<tr data-errors="3"') == 500


def test_cli_check_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "report.html"
    result = CliRunner().invoke(main, ["check", str(sample("seed-department-report.pdf")), "--html", str(out), "-w", "0"])
    assert result.exit_code == 1  # the seed has errors
    assert out.exists() and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert f"HTML 报告 report: {out}" in result.output
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # written atomically: no temp file left


def test_cli_html_option_is_documented() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "--html" in readme
