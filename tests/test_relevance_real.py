"""Search measured on practitioners' questions the project did not write (tests/evaluation.py):
the bundled corpus plus the official texts, without the analyses the questions come from.
``pytest -s`` prints dev and test figures and the naive baseline's; ranking is tuned on dev."""

from __future__ import annotations

import pytest

from indexer.build import build_index
from indexer.search import SearchService
from kb.corpus import default_corpus
from tests.conftest import REAL, SHARED, need
from tests.evaluation import evaluate, naive_search, practitioner_questions, project_search
from tests.official import import_official

pytestmark = [pytest.mark.slow, pytest.mark.engines]
MIN_GAIN_AT_5 = 0.15  # success@5 above the naive baseline, on the test split


@pytest.fixture(scope="module")
def service(tmp_path_factory, kb_engine):
    real = need(REAL)
    tmp = tmp_path_factory.mktemp("practitioners")
    assert import_official(real, tmp / "official") == []
    build_index([default_corpus(), tmp / "official"], tmp / "ix")
    return SearchService(tmp / "ix")


def test_practitioners_questions(service):
    judged = practitioner_questions(SHARED)
    related = practitioner_questions(SHARED, min_grade=1)
    assert len(judged) >= 100
    lines = []
    for split in ("dev", "test"):
        js = [j for j in judged if j.split == split]
        ours, _ = evaluate(project_search(service), js)
        naive, _ = evaluate(naive_search(service), js)
        wide, _ = evaluate(project_search(service), [j for j in related if j.split == split])
        lines.append(
            f"{split}: ours {ours.line()}; naive {naive.line()}; with related-only questions {wide.line()}"
        )
        if split == "test":
            assert ours.success_at_5 >= naive.success_at_5 + MIN_GAIN_AT_5
    print("\npractitioners' questions\n  " + "\n  ".join(lines))
