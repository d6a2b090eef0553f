"""In a real browser (Debian's Chromium driven by Playwright) against kb's app served by waitress
on loopback: search, tick two facet values, open a provision, follow a case and come back.
Screenshots are saved in test-artifacts/."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest

from indexer.build import build_index
from kb.corpus import default_corpus

pytestmark = pytest.mark.engines  # run once per search engine (tests/conftest.py)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is installed by the test extra"
)
expect = (
    playwright_api.expect
)  # waits by locator: the pages' CSP forbids the eval that wait_for_function needs
if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory, kb_engine):
    from waitress.server import create_server

    from web import create_app

    root = tmp_path_factory.mktemp("browser")
    build_index([default_corpus()], root / "index")
    app = create_app({"INDEX_DIR": str(root / "index")})
    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{srv.effective_port}"
    _INDEXES[url] = str(root / "index")
    yield url
    srv.close()


_INDEXES: dict[str, str] = {}


def server_index(url: str) -> str:
    """The index folder the module's server reads (for running the CLI against the same one)."""
    return _INDEXES[url]


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

    page.click(".violated-by li a:has-text('贺某')")
    page.wait_for_selector(".violates")
    assert "贺某" in page.inner_text("h1")
    shot(page, "4-case")
    page.click(".violates a:has-text('第一百三十二条')")
    page.wait_for_selector(".violated-by")
    assert page.url == provision_url
    assert not external, external  # nothing loaded from outside the server


@pytest.mark.parametrize(
    "path, selector",
    [
        ("/search?q=公款吃喝", ".hit"),
        ("/doc/tb-qinghai-nangqian", ".fields"),  # a source line with two long URLs
        ("/doc/jfqd-2024/14", ".basis-cases"),
    ],
)
def test_phone_width_has_no_horizontal_scroll(server, browser, path, selector):
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(server + path)
    page.wait_for_selector(selector)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    if path.startswith("/search"):
        shot(page, "5-phone")


def test_hostile_text_does_not_run_in_the_browser(server, browser, tmp_path):
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server + "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%20%22onerror%3Dalert(2)")
    page.wait_for_selector(".echo")
    assert not dialogs


def test_study_pack_in_the_browser(server, browser, tmp_path):
    import io

    import docx

    ctx = browser.new_context(accept_downloads=True)
    page = ctx.new_page()
    page.goto(server + "/search?q=" + "公车私用")
    page.wait_for_selector(".hit button.addpack")
    page.click(".hit >> nth=0 >> button.addpack")
    page.click(".hit >> nth=1 >> button.addpack")
    page.goto(server + "/pack")
    page.wait_for_selector(".pack-items li")
    assert page.locator(".pack-items li").count() == 2
    first = page.locator(".pack-items li >> nth=0 >> a").inner_text()
    page.focus(".pack-items li >> nth=0")
    page.keyboard.press("Alt+ArrowDown")  # keyboard reordering
    expect(page.locator(".pack-items li a").nth(1)).to_have_text(first.strip())
    page.fill(".pack-items li >> nth=0 >> textarea", "重点学习")
    page.locator(".pack-items li >> nth=0 >> textarea").dispatch_event("change")
    page.reload()  # survives a reload: kept in local storage
    page.wait_for_selector(".pack-items li")
    assert page.locator(".pack-items li >> nth=0 >> textarea").input_value() == "重点学习"
    shot(page, "6-pack")
    with page.expect_download() as dl:
        page.click("button[value=docx]")
    path = tmp_path / "pack.docx"
    dl.value.save_as(path)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(path.read_bytes())).paragraphs)
    assert "学习提示：重点学习" in text
    # the file the page downloads is the file it loads
    with page.expect_download() as dl:
        page.click("button[value=toml]")
    pack_file = tmp_path / "pack.toml"
    dl.value.save_as(pack_file)
    # one click: a pack for a provision, with the cases under it — asked first, since a pack is open
    page.goto(server + "/doc/cdc-2023/132")
    page.click("text=为该条文生成学习包")
    page.wait_for_selector("#pack-ask:not([hidden])")
    assert "已有 2 项" in page.inner_text("#pack-ask")
    shot(page, "6-pack-ask")
    page.click("#pack-ask button[data-choice=替换]")
    page.locator(".pack-items li").nth(2).wait_for()
    labels = page.locator(".pack-items li a").all_inner_texts()
    assert not any(re.fullmatch(r"[a-z0-9/.-]+", t.strip()) for t in labels), labels  # titles, not ids
    assert any("第一百三十二条" in t for t in labels)
    # the replaced pack comes back with one click
    page.click("#pack-undo-button")
    expect(page.locator(".pack-items li")).to_have_count(2)
    # clearing asks; 取消 keeps everything
    page.click("#pack-clear")
    page.click("#pack-ask button[data-choice=取消]")
    assert page.locator(".pack-items li").count() == 2
    page.click("#pack-clear")
    page.click("#pack-ask button[data-choice=清空]")
    expect(page.locator(".pack-items li")).to_have_count(0)
    # loading the downloaded file brings the two items back, with their note
    page.set_input_files("#pack-file", str(pack_file))
    expect(page.locator(".pack-items li")).to_have_count(2)
    assert page.locator(".pack-items li >> nth=0 >> textarea").input_value() == "重点学习"
    # anything else is refused in Chinese
    junk = tmp_path / "junk.toml"
    junk.write_text("<html>not a pack</html>", encoding="utf-8")
    page.set_input_files("#pack-file", str(junk))
    expect(page.locator("#pack-status")).to_contain_text("学习包文件有误")
    assert page.locator(".pack-items li").count() == 2
    ctx.close()


def test_phone_facets_sit_behind_a_filter_button_above_the_results(server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(server + "/search?q=" + "公车私用")
    page.wait_for_selector(".hit")
    button = page.locator("label.facet-button")
    assert button.is_visible() and not page.locator("#facets").is_visible()
    assert button.bounding_box()["y"] < page.locator(".hit >> nth=0").bounding_box()["y"]
    button.click()
    page.wait_for_selector("#facets", state="visible")
    assert page.locator("#facets").bounding_box()["y"] < page.locator(".hit >> nth=0").bounding_box()["y"]
    shot(page, "5-phone-filters")
    # a long facet folds after eight values under 更多
    page.goto(server + "/search?q=&f.kind=case")
    page.click("label.facet-button")
    region = page.locator("details.facet:has(summary:text-is('地区'))")
    if region.count():
        assert region.locator(":scope > ul > li").count() <= 8
    # a facet's own page lists its values on a phone too, each a toggle back into the search
    page.goto(server + "/search/facet/region?f.kind=case")
    values = page.locator(".facet-page a[data-facet=region]")
    assert values.count() >= 1 and values.first.is_visible()
    values.first.click()
    page.wait_for_selector(".hit")
    assert "f.region=" in page.url and "f.kind=case" in page.url
    # a badge never wraps inside its words
    page.goto(server + "/search?q=" + "政务撤职")
    page.wait_for_selector(".hit")
    for badge in page.locator(".sanction").all()[:10]:
        box = badge.bounding_box()
        assert box["height"] < 2 * 16 * 1.3, badge.inner_text()  # one line


def test_desktop_shows_facets_beside_results_without_the_button(server, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(server + "/search?q=" + "公车私用")
    page.wait_for_selector(".hit")
    assert page.locator("#facets").is_visible() and not page.locator("label.facet-button").is_visible()


@pytest.mark.parametrize("width, height", [(1366, 900), (390, 844)])
def test_dead_ends_offer_a_way_on(server, browser, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(server + "/search?q=" + "公车私用" + "&page=99999")
    page.wait_for_selector(".hit")
    assert "只有" in page.inner_text(".results-head")
    current, pages = re.search(r"第 (\d+) / (\d+) 页", page.inner_text(".paging")).groups()
    assert current == pages
    page.goto(server + "/search?q=" + "公车私用" + "&f.year=1999")
    page.wait_for_selector(".empty")
    links = page.locator(".empty li a")
    assert links.count() >= 1 and "去掉筛选" in links.first.inner_text()
    shot(page, f"7-empty-{width}")
    links.first.click()
    page.wait_for_selector(".hit")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width, height", [(1366, 900), (390, 844)])
def test_draft_check_in_the_browser_speaks_chinese_and_counts_as_the_cli(
    server, browser, tmp_path, width, height
):
    """An old .doc uploaded says to save it as .docx; a pasted draft (the browser sends CRLF) is
    flagged at the same place the CLI flags it, counted from 1."""
    import json

    from click.testing import CliRunner

    from kbcli.main import main

    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(server + "/check")
    doc = tmp_path / "旧稿.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    page.set_input_files("input[type=file]", str(doc))
    page.click("form.checkform button[type=submit]")
    page.wait_for_selector("p.note")
    assert "另存为 .docx" in page.inner_text("p.note")
    draft = "关于开展检查的通知\n各乡镇：\n请每天拍照打卡上传工作群留痕，纳入考核。\n"
    page.goto(server + "/check")
    page.fill("textarea[name=text]", draft)
    page.click("form.checkform button[type=submit]")
    page.wait_for_selector(".flag, .meta")
    shown = re.findall(r"第(\d+)字起", page.content())
    path = tmp_path / "draft.txt"
    path.write_text(draft, encoding="utf-8")
    index = server_index(server)
    cli = json.loads(CliRunner().invoke(main, ["check", str(path), "--index", index, "--json"]).output)
    assert shown and int(shown[0]) == cli["flags"][0]["start"] + 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"8-check-{width}")


@pytest.mark.parametrize("width, height", [(390, 844)])
def test_study_pack_asks_before_replacing_on_a_phone(server, browser, width, height):
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    page.goto(server + "/search?q=" + "公车私用")
    page.wait_for_selector(".hit button.addpack")
    page.click(".hit >> nth=0 >> button.addpack")
    page.goto(server + "/doc/cdc-2023/132")
    page.click("text=为该条文生成学习包")
    page.wait_for_selector("#pack-ask:not([hidden])")
    assert page.locator("#pack-ask button[data-choice=取消]").is_visible()
    page.click("#pack-ask button[data-choice=加入当前学习包]")
    page.locator(".pack-items li").nth(2).wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, "6-pack-phone")
    ctx.close()
