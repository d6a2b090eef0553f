"""Citations found and resolved on real text from ../shared, measured against hand labels.

The gold set is the headline citation of every article line in the 相关条款 sections of the
guiding cases (where the title must be carried down from a 《…》 line above, and the edition
chosen by the date in brackets), plus running-prose citations. Labels were made by reading the
sections; the test reports precision and recall of found and of resolved citations."""

from __future__ import annotations

import re

import pytest

from kb.ingest import import_paths
from kb.links.correspondence import load_correspondence
from kb.links.find import article_citations, find_citations
from kb.links.resolve import PolicyIndex, resolve_citations
from kb.links.versions import align
from kb.records import read_record
from tests.conftest import REAL, need

pytestmark = pytest.mark.engines  # run once per search engine (tests/conftest.py)

CDC, ZWCF, JDGD = "中国共产党纪律处分条例", "中华人民共和国公职人员政务处分法", "党政机关国内公务接待管理规定"
# (case file, [(title, article, paragraph, item), ...]) for each article line of its 相关条款, in order
GOLD = {
    "alj001": [(CDC, 122, None, None), (ZWCF, 39, None, 3)],
    "alj002": [
        (CDC, 4, None, None),
        (CDC, 20, None, None),
        (CDC, 40, 1, None),
        (CDC, 91, None, None),
        (ZWCF, 4, None, None),
        (ZWCF, 13, None, None),
        (ZWCF, 25, 1, None),
        (ZWCF, 33, 1, 2),
    ],
    "alj003": [
        (CDC, 40, 1, None),
        (CDC, 92, None, None),
        (CDC, 103, None, None),
        (ZWCF, 25, 1, None),
        (ZWCF, 34, 2, None),
        (ZWCF, 35, None, 3),
    ],
    "alj004": [(CDC, 27, None, None), (CDC, 111, None, None)],
    "alj007": [
        (CDC, 27, None, None),
        (CDC, 28, None, None),
        (CDC, 107, None, None),
        (ZWCF, 33, 1, 1),
        (ZWCF, 35, None, 2),
        ("中国共产党组织工作条例", 41, None, None),
        ("中国共产党组织处理规定（试行）", 6, None, None),
        ("中国共产党组织处理规定（试行）", 7, None, 15),
        ("中国共产党组织处理规定（试行）", 8, None, None),
    ],
    "alj008": [
        ("财政违法行为处罚处分条例", 6, None, None),
        ("党政机关厉行节约反对浪费条例", 20, None, None),
        ("党政机关厉行节约反对浪费条例", 58, None, 4),
        ("党政机关厉行节约反对浪费条例", 60, None, None),
        ("党政机关厉行节约反对浪费条例", 61, None, None),
        (JDGD, 5, 2, None),
        (JDGD, 7, 1, None),
        (JDGD, 10, 1, None),
        (JDGD, 14, None, None),
        ("中华人民共和国会计法", 9, None, None),
        (CDC, 28, None, None),
        (CDC, 40, 1, None),
        (CDC, 104, None, None),
        (CDC, 105, None, None),
        (CDC, 106, None, None),
        (CDC, 111, None, None),
        (CDC, 133, None, None),
        (ZWCF, 25, 1, None),
        (ZWCF, 33, 1, 1),
        (ZWCF, 35, None, None),
        (ZWCF, 39, None, 4),
        (ZWCF, 41, None, None),
    ],
    "alj009": [(CDC, 88, 1, None), (CDC, 112, 1, None), (ZWCF, 34, 1, None), (ZWCF, 38, None, None)],
    "alj010": [
        (CDC, 24, None, None),
        (CDC, 57, None, None),
        (CDC, 27, None, None),
        (CDC, 55, None, None),
        (CDC, 56, None, None),
        (CDC, 63, None, None),
        (CDC, 73, 1, 2),
        (ZWCF, 13, None, None),
        (ZWCF, 33, 1, 1),
        (ZWCF, 40, 1, 2),
    ],
}
# which policy each gold title resolves to in the test corpus, by the edition its line names
IN_CORPUS = {CDC: "t-cdc-2018", ZWCF: "t-zwcf", JDGD: "t-jdgd"}
# alj010 cites the 2003 and 2015 条例 for its first two lines: those editions are not in the corpus
NOT_IN_CORPUS = {("alj010", 0), ("alj010", 1)}
PROSE = [  # (case, expected article citations of the sentence that contains the locator)
    (
        "alj001",
        "列举的情形属于形式主义",
        [(CDC, 122), (CDC, 50), (CDC, 112), (CDC, 113), (CDC, 116), (CDC, 117), (CDC, 133)],
    ),
]


def _section(record, name):
    return next(u.text for u in record.units if u.number == name)


def headline_citations(text: str):
    out = []
    cites = find_citations(text)
    for line_match in re.finditer(r"[^\n]+", text):
        line = line_match.group().strip()
        if re.match(r"^第[一二三四五六七八九十百零〇]+条", line):
            first = next(c for c in cites if c.start >= line_match.start() and c.article is not None)
            out.append(first)
    return out


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    need(REAL)
    out = tmp_path_factory.mktemp("cases")
    report = import_paths([REAL / "xt/cases-ccdi-guiding"], "case", out)
    return {r.id: r for r in report.records}


@pytest.fixture(scope="module")
def policies(tmp_path_factory):
    need(REAL)
    out = tmp_path_factory.mktemp("policies")
    for path, over in [
        (
            "xt/dangfa/dangfa009.md",
            {
                "id": "t-cdc-2018",
                "version_of": "cdc",
                "issuer": "中共中央",
                "date": "2018-08-18",
                "effective": "2018-10-01",
            },
        ),
        ("xt/dangfa/dangfa008.md", {"id": "t-cdc-2023", "version_of": "cdc", "effective": "2024-01-01"}),
        ("lawrefbook/gongzhi-renyuan-zhengwu-chufen-fa-2020.md", {"id": "t-zwcf"}),
        ("xt/8gui/16.md", {"id": "t-jdgd", "issuer": "中共中央办公厅、国务院办公厅"}),
    ]:
        report = import_paths([REAL / path], "policy", out, over)
        assert not report.errors, report.errors
    return [read_record(p) for p in sorted(out.rglob("*.md"))]


def test_headline_citations_precision_and_recall(cases):
    gold_n = found_n = correct = 0
    for rid, gold in GOLD.items():
        found = headline_citations(_section(cases[rid], "相关条款"))
        got = [(c.title, c.article, c.paragraph, c.item) for c in found]
        gold_n += len(gold)
        found_n += len(got)
        correct += sum(1 for g, f in zip(gold, got, strict=False) if g == f)
    precision, recall = correct / found_n, correct / gold_n
    print(
        f"\ncitations found: gold {gold_n}, found {found_n}, correct {correct}: precision {precision:.3f}, recall {recall:.3f}"
    )
    assert gold_n >= 60
    assert precision >= 0.95 and recall >= 0.95


def test_resolution_precision_and_recall(cases, policies):
    index = PolicyIndex(policies)
    resolvable = resolved = right = 0
    wrong = []
    for rid, gold in GOLD.items():
        record = cases[rid]
        found = headline_citations(_section(record, "相关条款"))
        results = resolve_citations(found, record, index)
        for i, (g, res) in enumerate(zip(gold, results, strict=False)):
            expected = None
            if g[0] in IN_CORPUS and (rid, i) not in NOT_IN_CORPUS:
                expected = f"{IN_CORPUS[g[0]]}/{g[1]}"
                resolvable += 1
            if res.target:
                resolved += 1
                if res.target == expected:
                    right += 1
                else:
                    wrong.append((rid, g, res.target, res.reason))
    precision, recall = right / resolved, right / resolvable
    print(
        f"\nresolution: resolvable {resolvable}, resolved {resolved}, right {right}: precision {precision:.3f}, recall {recall:.3f}"
    )
    assert not wrong, wrong  # never linked to a wrong provision
    assert recall >= 0.95


def test_prose_citations(cases):
    for rid, locator, expected in PROSE:
        text = "\n".join(u.text for u in cases[rid].units)
        sentence = next(s for s in re.split(r"(?<=[。！？])", text) if locator in s)
        got = [(c.title, c.article) for c in article_citations(sentence)]
        assert got == expected, (locator, got)


def test_every_guiding_case_shows_the_articles_it_cites(cases):
    for rid, record in cases.items():
        assert record.cites, rid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("依据《中国共产党纪律处分条例》第一百二十二条", [("中国共产党纪律处分条例", 122, None, None)]),
        ("违反《条例》第五十条第二款", [("条例", 50, 2, None)]),
        ("符合第三十九条第（三）项", [("", 39, None, 3)]),
        ("第三十九条第(三)项", [("", 39, None, 3)]),
        ("本条例第八条规定", [("本条例", 8, None, None)]),
        ("《若干规定》第3条", [("若干规定", 3, None, None)]),
        ("《监察法》第十五条第六项规定的人员", [("监察法", 15, None, 6)]),
        ("第一二条", []),  # garbled numeral: not a citation
    ],
)
def test_find_table(text, expected):
    assert [(c.title, c.article, c.paragraph, c.item) for c in article_citations(text)] == expected


def test_unresolved_kinds(policies):
    from kb.models import Record

    index = PolicyIndex(policies)
    case = Record(id="x", kind="case", title="t", year=2021)
    texts = {
        "《中国共产党问责条例》第七条": ("document-not-held", "不在知识库中"),
        "《中国共产党纪律处分条例》第九百条": ("article-not-held", "共 142 条"),
        "《中国共产党纪律处分条例》（2003年12月31日）第二十四条": ("edition-not-held", "2003"),
        "2015年修订的《中国共产党纪律处分条例》第八十八条": ("edition-not-held", "2015"),
        "2016年《党纪处分条例》第八十八条": ("edition-not-held", "2015"),  # the revision in force from 2016
        "监察法实施条例第四十六条": ("document-not-held", "监察法实施条例"),
        "根据财政违法行为处罚处分条例第六条": ("document-not-held", "财政违法行为处罚处分条例"),
        "《管理办法》第五条": ("document-not-held", "管理办法"),
        "第五条": ("no-document", ""),
    }
    for text, (outcome, why) in texts.items():
        (res,) = resolve_citations(article_citations(text), case, index)
        assert res.target is None and res.outcome == outcome and why in res.reason, (text, res)


def test_version_in_force_on_the_case_date(policies):
    from kb.models import Record

    index = PolicyIndex(policies)
    for year, expected in ((2021, "t-cdc-2018/122"), (2024, "t-cdc-2023/122")):
        case = Record(id="x", kind="case", title="t", year=year)
        (res,) = resolve_citations(article_citations("《中国共产党纪律处分条例》第一百二十二条"), case, index)
        assert res.target == expected
    case = Record(id="x", kind="case", title="t", year=2021)
    (res,) = resolve_citations(article_citations("对应2023年条例第一百三十二条"), case, index)
    assert res.target == "t-cdc-2023/132"


# 20 pairs checked by hand against both texts (2018 article → 2023 article)
HAND_PAIRS = {
    "1": "1",
    "3": "3",
    "8": "8",
    "20": "20",
    "40": "43",
    "55": "62",
    "56": "63",
    "70": "77",
    "85": "94",
    "88": "97",
    "91": "100",
    "92": "101",
    "95": "104",
    "100": "110",
    "102": "112",
    "107": "117",
    "111": "121",
    "122": "132",
    "125": "140",
    "135": "151",
}


def test_correspondence_matches_hand_sample_and_covers_90_percent(policies):
    old = next(p for p in policies if p.id == "t-cdc-2018")
    new = next(p for p in policies if p.id == "t-cdc-2023")
    pairs = {p.old: p.new for p in align(old.units, new.units)}
    assert all(pairs.get(a) == b for a, b in HAND_PAIRS.items()), {a: pairs.get(a) for a in HAND_PAIRS}
    assert len(pairs) / len(old.units) >= 0.9
    corr = load_correspondence(policies)
    assert "t-cdc-2023/132" in corr.counterparts("t-cdc-2018/122")
    assert "t-cdc-2018/117" in corr.table and "t-cdc-2023/57" in corr.counterparts(
        "t-cdc-2018/117"
    )  # an editor row


def test_eighty_item_list_links_to_its_handling_basis(tmp_path):
    need(REAL)
    from indexer.build import Links
    from kb.corpus import load_corpus

    out = tmp_path / "c"
    report = import_paths(
        [REAL / "xt/8gui/02.md"], "list", out, {"id": "bx80"}, basis_from=REAL / "xt/8gui/03.md"
    )
    assert not report.errors
    for path, over in [
        ("xt/8gui/16.md", {"id": "t-jdgd", "issuer": "中共中央办公厅、国务院办公厅"}),
        ("xt/8gui/18.md", {"id": "t-hyf", "issuer": "财政部"}),
        ("xt/8gui/15.md", {"id": "t-gc", "issuer": "中共中央办公厅、国务院办公厅"}),
        ("xt/8gui/19.md", {"id": "t-pxf", "issuer": "财政部"}),
    ]:
        assert not import_paths([REAL / path], "policy", out, over).errors
    corpus = load_corpus([out])
    assert not corpus.errors
    links = Links(corpus.records)
    cites = {}
    for e in links.edges:
        if e.type == "cites" and e.source.startswith("bx80/"):
            cites.setdefault(e.source, set()).add(e.target)
    assert "t-jdgd/7" in cites["bx80/12"]  # 无公函的公务活动不予接待 → 接待规定 第七条
    print(f"\n80-item list: {len(cites)} items linked to a provision in the corpus")
    assert len(cites) >= 20


def test_links_unresolved_groups_by_reason_and_explain_shows_the_evidence(tmp_path):
    import json

    from click.testing import CliRunner

    from indexer.build import build_index
    from kbcli.main import main
    from tests.conftest import case, policy, write_records

    text = (
        "依据《示例纪律规定》第二条，并参照监察法实施条例第四十六条、《刑法》第三百八十二条处理。"
        "2015年修订的《示例纪律规定》第九条另有规定。"
    )
    corpus = write_records(
        tmp_path / "c",
        {
            "p.md": policy("demo", "示例纪律规定", {"1": "甲。", "2": "乙。"}),
            "c.md": case("c", "某案", text, year=2024),
        },
    )
    build_index([corpus], tmp_path / "ix")
    run = CliRunner().invoke(main, ["links", "unresolved", "--index", str(tmp_path / "ix"), "--json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.output[run.output.index("{") :])
    assert data["counts"] == {"document-not-held": 2, "edition-not-held": 1}
    assert sum(data["counts"].values()) == len(data["citations"])
    run = CliRunner().invoke(main, ["links", "explain", "c", "--index", str(tmp_path / "ix")])
    assert run.exit_code == 0, run.output
    assert "demo/2" in run.output and "文件依据" in run.output and "监察法实施条例" in run.output
    run = CliRunner().invoke(main, ["links", "explain", "nosuch", "--index", str(tmp_path / "ix")])
    assert run.exit_code == 1 and "nosuch" in run.output


@pytest.mark.parametrize(
    "text",
    [
        "《条例》第八十七条至第九十条",
        "第五十条、第一百一十二条",
        "第三十五、三十六、三十八条",
        "第１２条第２款第（３）项",
        "《" * 5 + "第一条",
        "《" + "长" * 300 + "》第二条",
        "第" * 1000 + "条",
        "",
    ],
)
def test_hostile_citation_text_never_raises(text):
    from kb.models import Record

    cites = article_citations(text)
    res = resolve_citations(cites, Record(id="x", kind="case", title="t"), PolicyIndex([]))
    assert len(res) == len(cites)
    assert all(r.target is None and r.outcome for r in res)


def test_lists_ranges_and_full_width_digits_are_read():
    got = [(c.title, c.article) for c in article_citations("《条例》第八十七条至第九十条")]
    assert got == [("条例", 87), ("条例", 90)]
    assert [c.article for c in article_citations("依据《条例》第三十五、三十六、三十八条")] == [35, 36, 38]
    got = [(c.article, c.paragraph, c.item) for c in article_citations("《条例》第１２条第２款第（３）项")]
    assert got == [(12, 2, 3)]


@pytest.mark.parametrize("marker", ["以下简称", "下称", "简称", "以下称", "下文称"])
def test_a_name_the_text_defines_is_its_own_document(marker):
    """《监察法实施条例》（下称《条例》）第四十条 is the 实施条例's article, never the 党纪 条例's:
    every way a text defines a short name counts as the alias."""
    text = f"《中华人民共和国监察法实施条例》（{marker}《条例》）第四十条规定了认定规则。根据《条例》第四十条第三项，应当如此。"
    found = find_citations(text)
    assert len(found) == 2 and all("监察法实施条例" in c.title for c in found), [c.title for c in found]
