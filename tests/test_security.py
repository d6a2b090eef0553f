"""Security properties: parsers fail only with their own named errors; nothing leaves loopback."""

from __future__ import annotations

import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.packs import PackError, pack_from_dict
from kb.records import RecordError, parse_record

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
