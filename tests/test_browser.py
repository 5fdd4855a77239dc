"""The leaders' dashboard in a real browser: Debian's Chromium, driven by Playwright, against a real
`adoption-kit serve` on localhost over the published demo project."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from adoption_kit.batch import group_slug
from conftest import shared_demo
from tests.demo_project import KIT, REPO

CHROMIUM = Path(os.environ.get("ADOPTION_KIT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [  # no sandbox as root; nothing that would reach for a network this machine does not have
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = REPO / "outputs" / "screenshots"
START_SECONDS = 90
RENDER_MS = 120_000
CHART = "img[src^='data:image/png']"
CODE_OR_ERRORS = re.compile(r"Traceback|build_dashboard|import |QUERY_STRING|Error|Exception")


@pytest.fixture(scope="module")
def dashboard():
    """The URL of `adoption-kit serve` running in the demo project (stopped, with Voila, afterwards)."""
    project = shared_demo(run_reports=False)
    port = _free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ADOPTION_KIT_")}
    process = subprocess.Popen(
        [*KIT, "serve", "--port", str(port)],
        cwd=project.root,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def page():
    assert CHROMIUM.is_file(), f"Debian's chromium is needed at {CHROMIUM} (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser.new_page(viewport={"width": 1400, "height": 1600})
        browser.close()


@pytest.mark.slow
def test_when_a_leader_picks_a_department_then_its_charts_replace_the_organisations(dashboard, page: Page):
    page.goto(dashboard, timeout=RENDER_MS)
    page.locator(CHART).wait_for(timeout=RENDER_MS)
    assert "people in the whole organisation" in page.inner_text("body")
    before = page.locator(CHART).get_attribute("src")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "dashboard-organisation.png", full_page=True)

    month, group = page.locator("select").all()
    assert month.input_value() == max(month.locator("option").all_inner_texts())  # the latest month
    label = group.locator("option").all_inner_texts()[1]  # the first department after the organisation
    group.select_option(label=label)
    department = label.replace("\xa0", " ")  # ipywidgets writes option labels with non-breaking spaces
    page.wait_for_function(
        'before => { const chart = document.querySelector("' + CHART + '");'
        " return chart !== null && chart.src !== before; }",
        arg=before,
        timeout=RENDER_MS,
    )
    text = page.inner_text("body")
    assert f"people in {department}" in text
    assert not CODE_OR_ERRORS.search(text), CODE_OR_ERRORS.search(text)
    assert page.locator(".jp-InputArea, .jp-CodeMirrorEditor, .cm-editor, .jp-OutputArea-error").count() == 0
    page.screenshot(path=SCREENSHOTS / f"dashboard-{group_slug(department)}.png", full_page=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, "adoption-kit serve exited before answering"
        try:
            urllib.request.urlopen(f"{url}voila/static/", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"adoption-kit serve did not answer within {START_SECONDS} s")
