"""The workbench in a real browser: Debian's Chromium, driven by Playwright, against ``jixiao serve``
started as its own process (no browser download, no in-process shortcut).

One auditor's session end to end: upload a folder, watch the progress reach the end, filter to
errors, open a report, see its evidence crop load, dismiss a finding with a note, restart the
server and find the decision, rerun the batch and find it still dismissed, download the Excel and
read the review columns back. Screenshots go to the pytest temp folder; their paths are printed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.chromium import CHROMIUM, launch
from tests.conftest import sample

FOLDER = ("seed-department-report.pdf", "project-consistent.pdf", "multi-table-two-projects.pdf", "bad/empty.pdf")
SEED_UNIT = "中国共产党株洲市荷塘区委员会组织部"
NOTE = "已与纸质原件核对，总分系笔误 <b>not bold</b>"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian chromium is not installed (apt-get install chromium; .ci/run installs it)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``jixiao serve`` in a child process, on a store that outlives it."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "JIXIAO_NO_BROWSER": "1", "JIXIAO_TOKEN": ""}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jixiao.cli", "serve", "--db", str(self.db), "--port", str(self.port),
             "--no-browser", "-w", "1"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        for _ in range(300):
            try:
                with urllib.request.urlopen(self.url + "/api/session", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=60)
            self.process = None


@pytest.fixture()
def browser() -> Iterator[Any]:
    yield from launch()


def upload_folder(page: Any, server: Server, folder: Path) -> None:
    page.goto(server.url + "/")
    page.set_input_files("#pick-folder", folder)
    page.wait_for_selector(".run[data-state=done]", timeout=120_000)
    assert page.locator(".run[data-state=done] .count").first.inner_text().strip().startswith("4 / 4")


def shot(page: Any, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def dismissed_note(page: Any) -> str:
    item = page.locator("li.finding[data-rule=score_total]")
    assert item.get_attribute("data-state") == "dismissed"
    return str(item.locator("q.note").inner_text())


def test_auditor_session_end_to_end(browser: Any, tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    (folder / "bad").mkdir(parents=True)
    for name in FOLDER:
        shutil.copy(sample(name), folder / name)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    server = Server(tmp_path / "state.sqlite")
    server.start()
    errors: list[str] = []
    try:
        context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        upload_folder(page, server, folder)
        page.reload()  # the run survives a reload
        page.wait_for_selector(".run[data-state=done]")
        shot(page, shots, "overview")

        page.goto(server.url + "/reports")
        page.select_option("#f-severity", "error")
        page.click("#filters button[type=submit]")
        page.wait_for_url("**severity=error**")
        assert SEED_UNIT in page.locator("#report-table").inner_text()
        shot(page, shots, "reports-errors")
        page.get_by_role("link", name=SEED_UNIT).click()
        page.wait_for_selector("li.finding[data-rule=score_total]")
        crop = page.locator("li.finding[data-rule=score_total] img.crop").first
        crop.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 100", arg=crop.element_handle())
        item = page.locator("li.finding[data-rule=score_total]")
        item.locator(".note-input").fill(NOTE)
        item.locator("button[data-state=dismissed]").click()
        page.wait_for_selector("li.finding[data-rule=score_total][data-state=dismissed]")
        report_url = page.url
        shot(page, shots, "report")

        server.stop()
        server.start()  # a restarted server reads the decision from the store
        page.goto(report_url)
        assert dismissed_note(page) == NOTE  # shown as text, not as markup

        upload_folder(page, server, folder)  # the batch again
        page.goto(report_url)
        assert dismissed_note(page) == NOTE

        page.goto(server.url + "/reports?review=dismissed")
        with page.expect_download() as download:
            page.click("#export-xlsx")
        path = tmp_path / "export.xlsx"
        download.value.save_as(path)
        sheet = openpyxl.load_workbook(path)["问题"]
        head = [c.value for c in sheet[1]]
        rows = [dict(zip(head, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
        assert [(r["规则"], r["核查状态"], r["核查备注"]) for r in rows] == [("score_total", "误报", NOTE)]
        assert errors == []
        context.close()
    finally:
        server.stop()
