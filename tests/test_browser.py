"""In a real browser (Debian's Chromium driven by Playwright) against kb's app served by waitress
on loopback: search, tick two facet values, open a provision, follow a case and come back.
Screenshots are saved in test-artifacts/."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from indexer.build import build_index
from kb.cli import default_corpus

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is installed by the test extra"
)
if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from waitress.server import create_server

    from web import create_app

    root = tmp_path_factory.mktemp("browser")
    build_index([default_corpus()], root / "index")
    app = create_app({"INDEX_DIR": str(root / "index")})
    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.effective_port}"
    srv.close()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_search_facets_provision_case_and_back(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(server) else None)
    page.goto(server + "/")
    page.fill("input[name=q]", "形式主义")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector(".hit")
    assert "您检索的是" in page.inner_text(".echo")
    total_before = int(page.inner_text(".total"))
    shot(page, "1-search")

    page.click("a[data-facet=kind][data-value=provision]")
    page.wait_for_selector("a.on[data-facet=kind][data-value=provision]")
    page.click("a[data-facet=kind][data-value=case]")
    page.wait_for_selector("a.on[data-facet=kind][data-value=case]")
    assert "f.kind=provision" in page.url and "f.kind=case" in page.url
    kinds = {t.strip() for t in page.locator(".hit .tag").all_inner_texts()}
    assert kinds <= {"条文", "案例"} and int(page.inner_text(".total")) <= total_before
    shot(page, "2-two-facets")

    page.goto(server + "/search?q=" + "第一百三十二条" + "&f.kind=provision")
    page.click(".hit h3 a >> nth=0")
    page.wait_for_selector(".violated-by")
    assert "第一百三十二条" in page.inner_text("h1")
    provision_url = page.url
    shot(page, "3-provision")

    page.click(".violated-by li a >> nth=0")
    page.wait_for_selector(".violates")
    assert "贺某" in page.inner_text("h1")
    shot(page, "4-case")
    page.click(".violates a:has-text('第一百三十二条')")
    page.wait_for_selector(".violated-by")
    assert page.url == provision_url
    assert not external, external  # nothing loaded from outside the server


def test_phone_width_has_no_horizontal_scroll(server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(server + "/search?q=公款吃喝")
    page.wait_for_selector(".hit")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "5-phone")


def test_hostile_text_does_not_run_in_the_browser(server, browser, tmp_path):
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server + "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%20%22onerror%3Dalert(2)")
    page.wait_for_selector(".echo")
    assert not dialogs
