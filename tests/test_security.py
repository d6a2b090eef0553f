"""Security properties: parsers fail only with their own named errors; nothing leaves loopback."""

from __future__ import annotations

import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.packs import PackError, pack_from_dict
from kb.records import RecordError, parse_record

pytestmark = pytest.mark.engines  # run once per search engine (tests/conftest.py)

TOKENS = list("+=[]\"'#{}\n .:-_abcid0123456789条例案例") + [
    "id",
    "kind",
    "title",
    "units",
    "+++",
    "## ",
    " {#a}",
    "\n+++\n",
]
toml_ish = st.lists(st.sampled_from(TOKENS), max_size=80).map("".join)


@settings(max_examples=300, deadline=None)
@given(toml_ish)
def test_record_parser_raises_only_record_errors(text):
    try:
        parse_record(text, "fuzz.md")
    except RecordError as e:
        assert e.path == "fuzz.md" and e.line >= 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["title", "section", "item", "id", "note", "quiz", "x"]), inner, max_size=4
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_pack_loader_raises_only_pack_errors(data):
    try:
        pack_from_dict(data, "fuzz.json")
    except PackError as e:
        assert e.path == "fuzz.json"


def test_outbound_connections_fail_the_run():
    s = socket.socket()
    try:
        with pytest.raises(AssertionError, match="outbound"):
            s.connect(("203.0.113.1", 80))  # TEST-NET-3: never a real host
    finally:
        s.close()


def test_importer_never_crashes_on_random_bytes(tmp_path):
    import os

    from kb.ingest import import_paths

    for i in range(30):
        (tmp_path / f"r{i}.txt").write_bytes(os.urandom(64 * (i + 1)))
    report = import_paths([tmp_path], "material", tmp_path / "out")
    assert len(report.records) + len(report.errors) >= 30  # every file accounted for
    assert all("import failed" not in e.message for e in report.errors), [e.message for e in report.errors][
        :3
    ]


DOC_TOKENS = [
    "第一条", "第十二条", "第一百三十二条", "第一章 总则", "一、", "（一）", "1.", "【基本案情】",
    "【处理结果】", "##paidbegin##", "哒哒", "客服", "XXX", "**", "〔*〕", "<p>", "</p>", "<script>",
    "\n", "\n\n", "。", "，", " ", "\t", "\ufeff", "\x00", "形式主义", "处分", "2023年12月19日",
    "＃", "——", "第", "条", "# ", "+++",
]  # fmt: skip
documents = st.one_of(
    st.binary(max_size=2000),
    st.lists(st.sampled_from(DOC_TOKENS) | st.text(max_size=8), max_size=120)
    .map("".join)
    .map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(st.sampled_from(DOC_TOKENS), max_size=120)
    .map("".join)
    .map(lambda t: t.encode("gb18030", "replace")),
)


@settings(max_examples=60, deadline=None)
@given(
    documents,
    st.sampled_from([".txt", ".md", ".html", ".docx"]),
    st.sampled_from(["policy", "case", "material"]),
)
def test_importer_accounts_for_every_file_and_never_crashes(tmp_path_factory, data, suffix, kind):
    """Hypothesis: whatever bytes arrive, import either makes records or reports the file by
    name with its own message; it never fails with an unexpected exception."""
    from kb.ingest import import_paths

    folder = tmp_path_factory.mktemp("fuzz")
    src = folder / f"doc{suffix}"
    src.write_bytes(data)
    report = import_paths([src], kind, folder / "out")
    assert report.records or report.errors or any(src.name in w.file for w in report.warnings)
    assert all("import failed" not in e.message for e in report.errors), [e.message for e in report.errors]
    assert all(src.name in e.file for e in report.errors)


# ------------------------------------------------------------------ hardening (issue 20, point 10)


@pytest.fixture(scope="module")
def web_client(tiny_index):
    from web import create_app

    return create_app({"INDEX_DIR": str(tiny_index), "TESTING": True}).test_client()


def test_every_response_carries_the_security_headers(web_client):
    for path in (
        "/",
        "/search?q=公车私用",
        "/doc/demo/4",
        "/doc/demo/4.json",
        "/nosuch",
        "/static/style.css",
    ):
        r = web_client.get(path)
        csp = r.headers.get("Content-Security-Policy", "")
        assert (
            "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        ), path
        assert r.headers.get("X-Content-Type-Options") == "nosniff", path


def test_posts_from_another_site_are_refused(web_client):
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
        r = web_client.post("/check.json", data={"text": "会议"}, headers=headers)
        assert r.status_code == 403, headers
        r = web_client.post("/pack/export", data={"pack": '{"title":"t"}', "format": "md"}, headers=headers)
        assert r.status_code == 403
    ok = web_client.post(
        "/check.json",
        data={"text": "会议"},
        headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
    )
    assert ok.status_code == 200
    assert web_client.post("/check.json", data={"text": "会议"}).status_code == 200  # curl, scripts


def test_no_response_shows_where_the_server_keeps_its_files(web_client, tiny_index):
    root = str(tiny_index.parent)
    for path in (
        "/doc/demo.json",
        "/doc/demo/4.json",
        "/doc/c1.json",
        "/search.json?q=公车私用",
        "/healthz",
        "/index.json",
    ):
        body = web_client.get(path).get_data(as_text=True)
        assert root not in body and '"path": "/' not in body, path


@pytest.mark.parametrize(
    "pack",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"title": "\\ud800", "section": []}',
        '{"title": "t", "section": [{"title": "s", "item": ['
        + ",".join(['{"id": "demo/1"}'] * 10_000)
        + "]}]}",
    ],
)
def test_odd_packs_are_400_not_500(web_client, pack):
    r = web_client.post("/pack/export", data={"pack": pack, "format": "docx"})
    assert r.status_code == 400, r.status_code


def test_a_huge_host_header_does_not_break_the_error_page(web_client):
    r = web_client.get("/nosuch", headers={"Host": "h" * 5000})
    assert r.status_code in (400, 404)


def test_many_long_facet_values_keep_the_page_small(web_client):
    from urllib.parse import quote

    params = "&".join(f"f.region={quote('地' * 3000)}{i}" for i in range(20))
    r = web_client.get("/search?q=&" + params)
    assert r.status_code == 200 and len(r.get_data()) < 300_000
