"""Citation resolution on the 940 case analyses: the labelled citations (tests/citation_eval.py)
scored on the dev and test splits, and the guarantees the resolver gives on all of them.
``pytest -s`` prints the figures the README reports."""

from __future__ import annotations

from collections import Counter

import pytest

from kb.corpus import load_corpus
from kb.ingest.importer import build_records
from kb.links.find import find_citations
from kb.links.resolve import PolicyIndex, resolve_citations
from tests.citation_eval import labels, score, system_citations
from tests.conftest import REAL, need
from tests.official import import_official

pytestmark = pytest.mark.slow

MIN_TEST_PRECISION = 0.95
MIN_TEST_RECALL = 0.80


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The policies a user holds (bundled corpus + the official texts), and every analysis."""
    from kb.corpus import default_corpus

    real = need(REAL)
    tmp = tmp_path_factory.mktemp("cite")
    assert import_official(real, tmp / "official") == []
    corpus = load_corpus([default_corpus(), tmp / "official"])
    assert not corpus.errors
    index = PolicyIndex(corpus.records)
    folder = real / "xt/case-analyses"
    resolved = {}
    for path in sorted(folder.glob("[0-9]*.md")):
        resolved[path.name] = []  # a near-empty file (a cartoon's caption) makes no record
        for record in build_records(path, "case", {"split": "no"})[0]:
            text = "\n".join(u.text for u in record.units)
            resolved[path.name] += resolve_citations(find_citations(text), record, index)
    return corpus, resolved


def test_labelled_citations_precision_and_recall(world):
    corpus, resolved = world
    labs = labels()
    by_file = {
        f: system_citations(None, res) for f, res in resolved.items() if f in {lab.file for lab in labs}
    }
    units = corpus.unit_ids()
    dev, test = score(labs, by_file, units, "dev"), score(labs, by_file, units, "test")
    print(f"\ncitations, dev:  {dev.line()}\ncitations, test: {test.line()}")
    for w in test.wrong:
        print("  wrong (test):", w)
    assert len(labs) >= 150
    assert test.precision >= MIN_TEST_PRECISION
    assert test.recall >= MIN_TEST_RECALL


def test_outcomes_over_all_940_analyses(world):
    _, resolved = world
    outcomes = Counter(r.outcome for res in resolved.values() for r in res)
    print(f"\n{sum(outcomes.values())} citations in {len(resolved)} analyses: {dict(outcomes.most_common())}")
    assert len(resolved) == 940
    assert set(outcomes) <= {
        "resolved",
        "no-document",
        "document-not-held",
        "edition-not-held",
        "edition-uncertain",
        "article-not-held",
    }
    for res in resolved.values():
        for r in res:
            assert (r.target is not None) == (r.outcome == "resolved")
            if r.outcome == "edition-uncertain":
                assert r.candidates  # a page may show the candidates, marked as such


def test_analyses_about_2018_article_87_are_off_2023_article_87(world):
    """纵容、默许亲属 is 2018 第八十七条; 2023 第八十七条 is about voting rights."""
    _, resolved = world
    for f in ("0054.md", "0079.md", "0082.md", "0186.md", "0439.md", "0932.md"):
        targets = {r.target for r in resolved[f] if r.citation.article == 87}
        assert "cdc-2023/87" not in targets, f


def test_no_older_edition_lands_on_a_held_one(world):
    _, resolved = world
    labs = [lab for lab in labels() if lab.doc == "cdc" and lab.edition in ("1997", "2003", "2015", "old")]
    assert labs
    by_file = {f: system_citations(None, res) for f, res in resolved.items()}
    landed = [
        lab
        for lab in labs
        if getattr(by_file.get(lab.file, {}).get((lab.surface, lab.occurrence)), "target", None)
    ]
    assert landed == []


def test_the_supervision_law_regulations_never_land_in_the_discipline_rules(world):
    _, resolved = world
    for res in resolved.values():
        for r in res:
            if "监察法实施条例" in r.citation.title or "监察法实施条例" in (r.citation.written or ""):
                assert r.target is None or not r.target.startswith("cdc-"), r
