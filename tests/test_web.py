"""Every route, HTML and JSON, on a tiny index built in tmp."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from indexer.build import build_index
from tests.conftest import TINY, case, policy, write_records
from web import create_app

pytestmark = pytest.mark.engines  # run once per search engine (tests/conftest.py)

HOSTILE_TITLE = '<script>alert("t")</script>"onerror=alert(1) x="'


@pytest.fixture(scope="module")
def client(tmp_path_factory, kb_engine):
    root = tmp_path_factory.mktemp("web")
    records = dict(TINY)
    records["x.md"] = case(
        "x1", HOSTILE_TITLE, '正文<img src=x onerror=alert(2)>"onerror=3 公车私用', ["demo/4"], ["党内警告"]
    )
    records["xp.md"] = policy("xp", "<b>粗体</b>规定", {"1": "<script>evil()</script> 四风"})
    records["l.md"] = (
        '+++\nid = "lst"\nkind = "list"\ntitle = "示例负面清单"\n\n[units.1]\nbasis = ["demo/4"]\n+++\n\n'
        "### 1 {#1}\n\n不得公车私用。\n"
    )
    corpus = write_records(root / "corpus", records)
    build_index([corpus], root / "index")
    app = create_app({"TESTING": True, "INDEX_DIR": str(root / "index")})
    return app.test_client()


def html(resp):
    assert resp.status_code == 200, resp.data[:300]
    assert resp.content_type.startswith("text/html")
    return BeautifulSoup(resp.data, "html.parser")


PAGES = ["/", "/search?q=公车私用", "/doc/demo", "/doc/demo/4", "/doc/c1", "/doc/x1", "/doc/xp/1"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_json_twin(client, path):
    soup = html(client.get(path))
    alt = soup.find("link", rel="alternate", type="application/json")
    assert alt is not None
    twin = client.get(alt["href"])
    assert twin.status_code == 200 and twin.is_json
    by_accept = client.get(path, headers={"Accept": "application/json"})
    assert by_accept.is_json and by_accept.get_json() == twin.get_json()


@pytest.mark.parametrize("path", PAGES + ["/search?q=onerror", "/search?q=script"])
def test_document_text_is_escaped_everywhere(client, path):
    body = client.get(path).data.decode()
    soup = BeautifulSoup(body, "html.parser")
    for s in soup.find_all("script"):
        if not (s.get("src", "").startswith("/static/") and not s.string):
            pytest.fail(f"a <script> element got through on {path}: {s}")
    assert soup.find("img") is None
    assert not any(attr.startswith("on") for tag in soup.find_all(True) for attr in tag.attrs)


def test_hostile_title_shows_as_text(client):
    soup = html(client.get("/doc/x1"))
    assert HOSTILE_TITLE in soup.find("h1").get_text()


def test_search_page(client):
    soup = html(client.get("/search?q=公车私用"))
    assert "您检索的是" in soup.get_text()
    assert soup.select(".hit")
    assert soup.select_one("input[name=q]")["value"] == "公车私用"
    data = client.get("/search.json?q=公车私用").get_json()
    assert data["total"] == len(soup.select(".hit"))
    assert {"query", "parsed", "total", "hits", "facets", "paging", "sorts"} <= set(data)


def test_facets_toggle_through_urls(client):
    data = client.get("/search.json?q=&f.kind=case").get_json()
    years = next(f for f in data["facets"] if f["name"] == "year")["buckets"]
    y2021 = next(b for b in years if b["value"] == "2021")
    both = client.get(y2021["toggle_url"].replace("/search?", "/search.json?")).get_json()
    assert both["filters"] == {"kind": ["case"], "year": ["2021"]}
    assert {h["id"] for h in both["hits"]} == {"c1"}
    year_facet = next(f for f in both["facets"] if f["name"] == "year")["buckets"]
    y2022 = next(b for b in year_facet if b["value"] == "2022")  # multi-select within a facet
    two = client.get(y2022["toggle_url"].replace("/search?", "/search.json?")).get_json()
    assert two["filters"]["year"] == ["2021", "2022"] and two["total"] >= 2
    off = next(
        b for b in next(f for f in two["facets"] if f["name"] == "year")["buckets"] if b["value"] == "2021"
    )
    assert off["selected"] and "2021" not in off["toggle_url"]


def test_provision_page_lists_cases_with_counts(client):
    soup = html(client.get("/doc/demo/4"))
    section = soup.select_one(".violated-by")
    titles = [a.get_text() for a in section.select("li a")]
    assert "某甲公车私用案" in titles and "某丙脚本案" in titles
    data = client.get("/doc/demo/4.json").get_json()
    counts = data["violated_by_counts"]
    assert counts["total"] == 3  # c1 (2021), x1 (2022), c3 (2023)
    assert sorted((y["value"], y["count"]) for y in counts["by_year"]) == [
        ("2021", 1),
        ("2022", 1),
        ("2023", 1),
    ]
    assert {(s["value"], s["count"]) for s in counts["by_sanction"]} == {("党内警告", 2)}
    assert soup.select_one("a[rel=next]")["href"].endswith("/doc/demo/5")


def test_list_item_page_shows_the_cases_under_its_basis(client):
    """A list item no case names directly still leads to the cases under the rule it rests on."""
    soup = html(client.get("/doc/lst/1"))
    assert "知识库中暂无认定违反本条的案例" in soup.select_one(".violated-by").get_text()
    titles = [a.get_text() for a in soup.select(".basis-cases li a")]
    assert set(titles) == {"某甲公车私用案", "某丙脚本案", HOSTILE_TITLE}
    assert titles[0] == "某丙脚本案"  # newest first: c3 (2023), x1 (2022), c1 (2021)
    data = client.get("/doc/lst/1.json").get_json()
    assert [c["id"] for c in data["basis_cases"]] == ["c3", "x1", "c1"]
    assert not html(client.get("/doc/demo/4")).select(".basis-cases")


def test_case_page_links_back_to_its_provisions(client):
    soup = html(client.get("/doc/c1"))
    links = [a["href"] for a in soup.select(".links a")]
    assert "/doc/demo/4" in links and "/doc/demo/5" in links
    assert "党内警告" in soup.get_text()


def test_unknown_ids_give_a_chinese_404_with_a_search_box(client):
    r = client.get("/doc/no/such/thing")
    assert r.status_code == 404
    soup = BeautifulSoup(r.data, "html.parser")
    assert "没有找到" in soup.get_text() and soup.select_one("form.searchbox")
    assert client.get("/doc/nope.json").status_code == 404
    assert client.get("/doc/nope.json").is_json
    assert client.get("/nowhere").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/search?q=%22",
        "/search?page=999999999999999999999",
        "/search?page=-3",
        "/search?page=abc",
        "/search?f.year=abc",
        "/search?f.nope=1",
        "/search?sort=evil",
        "/search?q=" + "x" * 5000,
        "/search?q=%00%01",
        "/search?q=%E4%B8",
        "/doc/" + "a" * 2000,
        "/search?f.kind=&q=OR",
        "/search?q=%F0%9F%98%80",
    ],
)
def test_malformed_requests_never_500(client, url):
    r = client.get(url)
    assert r.status_code in (200, 404), (url, r.status_code)


def test_health_and_opensearch(client):
    h = client.get("/healthz").get_json()
    assert h["status"] == "ok" and h["counts"]["records"] == 7
    r = client.get("/opensearch.xml")
    assert r.status_code == 200 and b"{searchTerms}" in r.data


def test_no_external_resources(client):
    for path in PAGES:
        soup = html(client.get(path))
        for tag, attr in (("link", "href"), ("script", "src"), ("img", "src")):
            for el in soup.find_all(tag):
                url = el.get(attr, "")
                assert not url.startswith(("http:", "https:", "//")), (path, url)


def test_forms_and_links_point_at_html_pages_not_json_twins(client):
    """Regression: with two rules on one view, url_for built /search.json for the search form."""
    for path in ("/", "/search?q=礼金", "/doc/demo/4"):
        soup = html(client.get(path))
        assert soup.select_one("form.searchbox")["action"] == "/search"
        for a in soup.select("main a[href]"):
            assert ".json" not in a["href"], (path, a["href"])


def test_check_page_and_json_twin(client):
    soup = html(client.get("/check"))
    assert soup.select_one("textarea[name=text]")
    draft = "关于做好某项工作的通知\n请各村每日在工作群打卡上传照片<script>x()</script>。"
    soup = html(client.post("/check", data={"text": draft}))
    assert soup.select(".flag") and soup.select("mark.sev-high")
    assert all(
        s.get("src", "").startswith("/static/") for s in soup.find_all("script")
    )  # the pasted text is escaped
    data = client.post("/check.json", data={"text": draft}).get_json()
    (flag,) = [f for f in data["result"]["flags"] if f["kind"] == "pattern"]
    assert draft[flag["start"] : flag["end"]] == flag["sentence"]
    assert flag["provisions"] and all("citation" in p for p in flag["provisions"])


def test_check_upload_docx_and_bad_files(client):
    import io

    import docx

    d = docx.Document()
    d.add_paragraph("关于开展专项整治的通知")
    d.add_paragraph("对未完成任务的单位实行一票否决。")
    buf = io.BytesIO()
    d.save(buf)
    data = client.post(
        "/check.json",
        data={"file": (io.BytesIO(buf.getvalue()), "draft.docx")},
        content_type="multipart/form-data",
    ).get_json()
    assert any(f["rule"] == "veto-pledge" for f in data["result"]["flags"])
    bad = client.post(
        "/check.json", data={"file": (io.BytesIO(b"not a zip"), "x.docx")}, content_type="multipart/form-data"
    ).get_json()
    assert "zip" in bad["error"] and bad["result"] is None
    gbk = client.post(
        "/check.json",
        data={"file": (io.BytesIO("请各村每日在工作群打卡上传照片。".encode("gb18030")), "g.txt")},
        content_type="multipart/form-data",
    ).get_json()
    assert gbk["result"]["flags"]
    empty = client.post("/check.json", data={"text": ""}).get_json()
    assert empty["result"]["flags"] == []
    huge = client.post("/check", data={"text": "字" * (2 * 1024 * 1024)})  # 6 MB of UTF-8
    assert huge.status_code == 413


def test_pack_page_export_and_for_provision(client):
    import io
    import json as _json

    import docx

    assert html(client.get("/pack")).select_one("#pack")
    assert client.get("/pack.json").is_json
    gathered = client.get("/pack/for/demo/4.json").get_json()
    ids = [i["id"] for s in gathered["sections"] for i in s["items"]]
    assert ids[:3] == ["demo/3", "demo/4", "demo/5"] and "c1" in ids
    pack = {
        "title": "测试包",
        "quiz": True,
        "section": [{"title": "规定", "item": [{"id": "demo/4", "note": "<b>注意</b>"}, {"id": "gone/1"}]}],
    }
    r = client.post("/pack/export", data={"pack": _json.dumps(pack), "format": "docx"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(r.data)).paragraphs)
    assert "<b>注意</b>" in body and "已不在知识库中" in body
    r = client.post("/pack/export", data={"pack": _json.dumps(pack), "format": "html"})
    assert b"&lt;b&gt;" in r.data and b"<b>\xe6\xb3\xa8" not in r.data
    bad = client.post(
        "/pack/export",
        data={
            "pack": '{"title": "x", "section": [{"title": "s", "item": [{"id": "BAD!"}]}]}',
            "format": "docx",
        },
    )
    bad_text = bad.data.decode()
    assert bad.status_code == 400 and ("字段 &#39;id&#39;" in bad_text or "字段 'id'" in bad_text)
    assert client.post("/pack/export", data={"pack": "{", "format": "md"}).status_code == 400
    assert client.get("/pack/for/nope.json").status_code == 404


def test_add_to_pack_markers_on_hits_and_pages(client):
    soup = html(client.get("/search?q=礼金"))
    assert all(hit.get("data-pack-id") for hit in soup.select(".hit"))
    assert html(client.get("/doc/demo/4")).select_one("[data-pack-id='demo/4']")


def test_pack_files_load_on_the_server_in_either_format(client):
    """载入学习包文件: the TOML the page downloads and a JSON pack both load, items titled;
    anything else is refused with a Chinese message and a 4xx, never a 500."""
    import io

    toml = (
        "title = '学习包'\n[[section]]\ntitle = '条文'\n[[section.item]]\nid = 'demo/4'\nnote = '<b>注</b>'\n"
    )
    for name, body in (
        ("p.toml", toml),
        (
            "p.json",
            '{"title": "学习包", "sections": [{"title": "条文", "items": [{"id": "demo/4"}, {"id": "gone/1"}]}]}',
        ),
    ):
        r = client.post("/pack/read", data={"file": (io.BytesIO(body.encode()), name)})
        assert r.status_code == 200, r.get_json()
        items = r.get_json()["sections"][0]["items"]
        assert items[0]["label"] != "demo/4" and items[0]["missing"] is False
    assert items[1]["missing"] is True
    for body, status in (
        (b"<html>x</html>", 400),
        (b"\xff\xfe\x00t", 400),
        (b"title='t'\n" + b"#" * 2_100_000, 413),
    ):
        r = client.post("/pack/read", data={"file": (io.BytesIO(body), "x.toml")})
        assert r.status_code == status and "学习包" in r.get_json()["error"]
    assert client.post("/pack/read").status_code == 400


def test_a_page_past_the_end_shows_the_last_page_and_says_so(client):
    r = client.get("/search.json?q=&page=99999").get_json()
    assert r["paging"]["page"] == r["paging"]["pages"] and r["hits"]
    assert any(f"只有 {r['paging']['pages']} 页" in n for n in r["notes"])


def test_an_empty_result_offers_ways_that_find_something(client):
    """Each filter to drop and each word alone, with the count it would give; never a way that
    finds nothing."""
    r = client.get("/search.json?q=公车私用&f.year=1999").get_json()
    assert r["total"] == 0
    labels = {s["label"]: s["count"] for s in r["suggestions"]}
    assert any("去掉筛选" in k and "1999" in k for k in labels), labels
    assert all(n > 0 for n in labels.values())
    r = client.get("/search.json?q=公车私用 文山会海 不存在的词甲乙").get_json()
    if r["total"] == 0:
        assert r["suggestions"] and all(s["count"] > 0 for s in r["suggestions"])
    page = client.get("/search?q=公车私用&f.year=1999").get_data(as_text=True)
    assert "可以试试" in page and "条）" in page


def test_the_violates_facet_lists_provisions_only_and_labels_them(client):
    r = client.get("/search.json?q=&f.kind=case").get_json()
    violates = next(f for f in r["facets"] if f["name"] == "violates")
    values = [v["value"] for v in violates["buckets"] + violates["folded"]]
    assert values and all(v.startswith(("demo/", "xp/")) for v in values), values
    assert all(v["label"] != v["value"] for v in violates["buckets"])


def test_long_facets_fold_after_eight(client):
    r = client.get("/search.json?q=").get_json()
    for f in r["facets"]:
        assert len([v for v in f["buckets"] if not v["selected"]]) <= 8
    page = client.get("/search?q=").get_data(as_text=True)
    assert 'id="show-facets"' in page and "筛选" in page


def test_cases_that_answer_a_query_name_the_provision_they_broke(tiny_service):
    """相关条文: the provisions the best-ranked cases broke, unless the page already shows them."""
    r = tiny_service.search("某甲公车私用案", per_page=1)
    assert r["hits"][0]["id"] == "c1"
    assert {p["id"] for p in r["provisions"]} == {"demo/4", "demo/5"}
    assert all(p["cases"] >= 1 and p["label"] != p["id"] for p in r["provisions"])
    wide = tiny_service.search("某甲公车私用案", per_page=20)
    shown = {h["id"] for h in wide["hits"]}
    assert not shown & {p["id"] for p in wide["provisions"]}


@pytest.mark.parametrize(
    ("name", "body", "fragment"),
    [
        ("draft.docx", b"just text named .docx", "另存为 .docx"),
        ("draft.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "另存为 .docx"),
        ("draft.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, ".doc"),
        ("draft.pdf", b"%PDF-1.4 binary", "PDF"),
        ("draft.txt", b"\xff\xfe\x41", "UTF-16"),
    ],
)
def test_unreadable_uploads_say_what_to_do_in_chinese(client, name, body, fragment):
    import io

    r = client.post("/check.json", data={"file": (io.BytesIO(body), name)})
    assert r.status_code == 400 and fragment in r.get_json()["error"]
    page = client.post("/check", data={"file": (io.BytesIO(body), name)}).get_data(as_text=True)
    assert fragment in page and "Traceback" not in page


def test_a_docx_that_unpacks_to_gigabytes_is_refused_unread(client):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"0" * 60_000_000)  # 60 MB of zeros, ~60 KB packed
    r = client.post("/check.json", data={"file": (io.BytesIO(buf.getvalue()), "bomb.docx")})
    assert r.status_code == 400 and "解压" in r.get_json()["error"]


def test_an_overlong_draft_is_refused_with_the_limit(client):
    from web.views.check import MAX_CHARS

    r = client.post("/check.json", data={"text": "会议" * (MAX_CHARS // 2 + 10)})
    assert r.status_code == 400 and "分成几段" in r.get_json()["error"]


def test_facet_links_built_together_equal_links_built_one_by_one(client):
    """The search page builds a facet's toggle links together (the shared query string encoded
    once); each must be the link the one-at-a-time builder makes: selection added at its
    facet's place, removed when selected, page reset, sort kept, characters escaped."""
    from web.views.search import _toggle, _toggles

    states = [
        {"q": "", "sort": "relevance", "page": 3, "filters": {}},
        {"q": "形式 主义&x=1", "sort": "date", "page": 2, "filters": {"kind": ["case"], "year": ["2021", "2020"]}},
        {"q": "礼金", "sort": "relevance", "page": 1,
         "filters": {"region": ["浙江省"], "kind": ["case", "policy"], "violates": ["cdc-2023/132"]}},
    ]  # fmt: skip
    values = ["case", "policy", "2021", "2019", "浙江省", "a b&c=d", "cdc-2023/132", "新"]
    with client.application.test_request_context("/search"):
        for state in states:
            for facet in ("kind", "year", "region", "violates", "category"):
                links = _toggles(state, facet, values)
                assert links == {v: _toggle(state, facet, v) for v in values}


def test_a_long_facet_links_to_its_own_page_listing_every_value(client, monkeypatch):
    import web.views.search as views

    monkeypatch.setattr(views, "FACET_SHOWN", 1)
    monkeypatch.setattr(views, "FACET_FOLDED", 0)
    r = client.get("/search.json?q=&f.kind=case").get_json()
    long = [f for f in r["facets"] if f["size"] > 1 and f["name"] != "kind"]
    assert long, [(f["name"], f["size"]) for f in r["facets"]]
    facet = long[0]
    assert len(facet["buckets"]) + len(facet["folded"]) < facet["size"]
    assert (
        facet["all_url"].startswith(f"/search/facet/{facet['name']}?") and "f.kind=case" in facet["all_url"]
    )
    page = html(client.get("/search?q=&f.kind=case"))
    assert page.select_one(f'p.all a[href="{facet["all_url"]}"]').get_text() == f"全部 {facet['size']} 项…"
    soup = html(client.get(facet["all_url"]))
    links = soup.select(f"a[data-facet={facet['name']}]")
    assert len(links) == facet["size"]  # every value, each a toggle that keeps the search
    assert all("f.kind=case" in a["href"] for a in links)
    assert soup.select_one("a[href^='/search?']").get_text().startswith("←")
    twin = client.get(facet["all_url"].replace(f"/{facet['name']}?", f"/{facet['name']}.json?")).get_json()
    assert twin["facet"]["size"] == facet["size"] and twin["total"] == r["total"]
    assert client.get("/search/facet/no-such-facet").status_code == 404
    assert client.get("/search/facet/no-such-facet.json").status_code == 404


def test_pages_leave_the_shared_search_result_as_the_service_made_it(client):
    from indexer.search import SearchService
    from web.views.search import FACET_FOLDED, FACET_SHOWN

    svc = client.application.extensions["kb_search"]
    asked = {"sort": "relevance", "page": 1, "per_page": 10, "facet_values": FACET_SHOWN + FACET_FOLDED}
    for path in ("/search?q=公车私用&f.kind=case", "/search.json?q=公车私用&f.kind=case"):
        assert client.get(path).status_code == 200
    with svc.pinned() as generation:
        before = generation.results.hits
        cached = svc.search("公车私用", filters={"kind": ["case"]}, **asked)
        assert generation.results.hits == before + 1  # the very result the pages were given
    fresh = SearchService(svc.root, results_cached=0).search("公车私用", filters={"kind": ["case"]}, **asked)
    assert cached == fresh
    assert all("url" not in h for h in cached["hits"])
