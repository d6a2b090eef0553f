"""Coverage of the provisions staff look up first (issue 17, point 4): every one has at least
MINIMUM published cases or a written reason why not, and no reason outlives its shortfall.
Run with -s to see the table."""

from __future__ import annotations

import tomllib

from kb.corpus import default_corpus, load_corpus
from kb.coverage import DATA, MINIMUM, coverage


def test_every_key_provision_has_cases_or_a_reason():
    rows = coverage(load_corpus([default_corpus()]))
    assert len(rows) == 39  # 条例 第八章 13 and 第十章 11 articles held, 若干规定 7 parts, 八项规定 8 items
    print(f"\n{'provision':<16} cases  {'reason (when fewer than ' + str(MINIMUM) + ')'}")
    for r in rows:
        print(f"{r.provision:<16} {len(r.cases):>5}  {r.reason[:60] if r.short else ''}")
    missing = [r.provision for r in rows if r.short and not r.reason]
    assert not missing, f"fewer than {MINIMUM} cases and no reason in kb/data/coverage.toml: {missing}"
    stale = [r.provision for r in rows if not r.short and r.reason]
    assert not stale, f"reasons for provisions that now have {MINIMUM} cases: {stale}"


def test_reasons_name_provisions_in_scope():
    scope = {r.provision for r in coverage(load_corpus([default_corpus()]))}
    reasons = tomllib.loads(DATA.read_text(encoding="utf-8"))["reasons"]
    assert set(reasons) <= scope, set(reasons) - scope
