"""Analysis traps from DESIGN.md, one test each."""

import pytest

from indexer.analysis import (
    bigrams,
    cut,
    domain_terms,
    get_tokenizer,
    normalise,
    subwords,
    synonym_groups,
    tokens,
)


def test_positions_are_token_ordinals_not_character_offsets():
    toks = list(tokens("整治形式主义为基层减负"))
    assert [p for _, p, _, _ in toks] == list(range(len(toks)))


def test_subwords_share_the_position_of_their_word():
    toks = list(tokens("形式主义官僚主义问题", subwords=True))
    main = [t for t in toks if t[0] in ("形式主义", "官僚主义", "问题")]
    assert [p for _, p, _, _ in main] == [0, 1, 2]
    for word, pos, start, end in toks:
        if word == "形式":
            assert pos == 0 and (start, end) == (0, 2)


def test_query_side_has_no_overlapping_tokens():
    # cut_for_search would give 形式/主义/形式主义 overlapping; the query side keeps one sequence
    assert cut("形式主义") == ["形式主义"]


def test_hmm_new_words_do_not_hide_terms():
    assert "四风" in cut("坚决纠治四风")
    assert "头文件" not in cut("不得滥发红头文件")


def test_masks_and_punctuation_are_not_tokens():
    assert cut("□□市委，（一）") == ["市委", "一"]


def test_offsets_survive_normalisation():
    text = "紅頭文件ＡＰＰ"
    assert normalise(text) == "红头文件app" and len(normalise(text)) == len(text)
    for word, _, start, end in tokens(text):
        assert normalise(text)[start:end] == word


def test_bigrams_cover_every_chinese_character():
    text = "纠治四风，减负。"
    grams = [g for g, _, _, _ in bigrams(text)]
    covered = {c for g in grams for c in g}
    assert covered == {c for c in text if "\u4e00" <= c <= "\u9fff"}


def test_bigram_phrase_does_not_bridge_punctuation():
    pos = {g: p for g, p, _, _ in bigrams("四风，减负")}
    assert pos["减负"] - pos["四风"] > 1


def test_synonyms_are_directional_where_declared():
    assert "督查检查考核" in synonym_groups()["督检考"]
    assert "督检考" in synonym_groups()["督查检查考核"]
    assert "形式主义" in synonym_groups()["四风"]
    assert "四风" not in synonym_groups().get("形式主义", ())


def test_subwords_tile_long_words():
    assert subwords("收受礼金") == ["收受", "礼金"]
    assert "送礼" in domain_terms()


def test_jieba_is_loaded_once():
    assert get_tokenizer() is get_tokenizer()


def test_rjieba_cuts_the_real_texts_exactly_as_jieba(real, seeds):
    """The fast segmenter must be a drop-in: same words, same offsets, user words included
    (督检考 is a user word). Over the seeds and the 940 case analyses."""
    pytest.importorskip("rjieba", reason="rjieba not installed: the analyzer uses jieba alone")
    from indexer import analysis

    get_tokenizer()
    assert analysis._fast is not None, "rjieba is installed but the analyzer did not load it"
    files = sorted((real / "xt/case-analyses").glob("*.md")) + sorted(
        p for p in seeds.iterdir() if p.is_file()
    )
    assert len(files) > 900
    jb = get_tokenizer()
    for path in files:
        norm = normalise(path.read_text(encoding="utf-8", errors="replace"))
        fast = [tuple(t) for t in analysis.segment(norm)]
        slow = [tuple(t) for t in jb.tokenize(norm, HMM=False)]
        assert fast == slow, path.name
    assert [w for w, _, _ in analysis.segment("督检考过多过频")][0] == "督检考"


def test_normalise_for_finds_terms_where_normalising_everything_does(real):
    """The snippet shortcut (skip normalising when no character of the text is another form of
    a term's character) must find every term at the same places as normalising the whole text:
    over the 940 case analyses with traditional, full-width and upper-case forms put in."""
    import random

    from indexer.analysis import normal_forms, normalise_for

    forms, _ = normal_forms()
    rng = random.Random(20261130)
    files = sorted((real / "xt/case-analyses").glob("*.md"))
    assert len(files) > 900
    shortcut = 0
    for path in rng.sample(files, 200):
        text = path.read_text(encoding="utf-8")[:3000]
        words = [w for w in cut(text) if len(w) > 1]
        if not words:
            continue
        terms = rng.sample(words, min(4, len(words))) + ["abc"]
        variant = list(text)
        for k in rng.sample(range(len(variant)), 20) if rng.random() < 0.5 else []:
            if variant[k] in forms:
                variant[k] = rng.choice(sorted(forms[variant[k]]))
        for t in (text, "".join(variant)):
            fast, full = normalise_for(t, terms), normalise(t)
            shortcut += fast is t
            for term in terms:
                assert [i for i in range(len(t)) if fast.startswith(term, i)] == [
                    i for i in range(len(t)) if full.startswith(term, i)
                ], (path.name, term)
    assert shortcut > 100  # the shortcut is taken (most texts have no other forms of the terms)


def test_snippet_marks_what_the_analysis_cuts():
    """A term is marked where the text's words contain it as a token or a sub-word, in any of
    its written forms, and not where it straddles two words."""
    from indexer.snippets import snippet

    assert "<mark>處分</mark>" in snippet("给予處分。", {"处分": 1.0})
    assert "<mark>" not in snippet("办公款项按规定使用。", {"公款": 1.0})  # 办公 / 款项
    marked = snippet("严禁收受礼金，违者处理。", {"礼金": 1.0, "收受礼金": 2.0})
    assert "<mark>收受礼金</mark>" in marked and marked.count("<mark>") == 1
    assert "<mark>礼金</mark>" in snippet("他收了礼金。", {"礼金": 1.0})


def test_snippets_of_a_page_share_one_highlighter_and_match_the_plain_function(real):
    """A search makes one Highlighter for its page and uses it for every hit: nothing one text
    leaves in it changes the next one's snippet (each is what a fresh highlighter makes), over
    case analyses with several terms; markup in a text is escaped and its own private-use
    characters, which stand for the marks inside, stay text."""
    import random

    from indexer.analysis import cut
    from indexer.snippets import Highlighter, snippet

    rng = random.Random(20261130)
    files = sorted((real / "xt/case-analyses").glob("*.md"))
    texts = [p.read_text(encoding="utf-8")[:3000] for p in rng.sample(files, 40)]
    texts += ["甲\ue000乙 <b>处分</b> & 违纪\ue001。", "处分" * 3]
    words = sorted({w for t in texts[:10] for w in cut(t) if len(w) > 1})
    highlight = Highlighter({w: 1.0 + rng.random() for w in rng.sample(words, 4)} | {"处分": 2.0})
    marked = 0
    for text in texts:
        alone = snippet(text, highlight.weights)
        assert highlight(text) == alone
        assert "<b>" not in alone
        marked += "<mark>" in alone
    assert marked > 20
    # the text's own private-use characters stay text; only the matches are marked
    assert highlight(texts[-2]) == "甲\ue000乙 &lt;b&gt;<mark>处分</mark>&lt;/b&gt; &amp; 违纪\ue001。"


def test_a_window_holding_every_match_is_the_one_the_slide_finds():
    """The best window is taken without sliding when every match fits in the first one; what it
    takes is what the full slide finds, also when an earlier, longer match ends after the last
    one starts and ends (a shortcut on the last match's end alone took windows that do not fit)."""
    import random

    from indexer.snippets import LEAD, WINDOW, Highlighter

    def slide(h, matches):
        n, reach = len(matches), WINDOW - LEAD
        best, best_score, j, score = (0, 0), -1.0, -1, 0.0
        seen = dict.fromkeys(h.terms, 0)
        for i in range(n):
            start, _, t = matches[i]
            if j < i:
                j, score = i, score + (h.first[t] if seen[t] == 0 else h.again[t])
                seen[t] += 1
            while j + 1 < n and matches[j + 1][1] - start <= reach:
                j, u = j + 1, matches[j + 1][2]
                score += h.first[u] if seen[u] == 0 else h.again[u]
                seen[u] += 1
            if score > best_score + 1e-9:
                best, best_score = (i, j), score
            seen[t] -= 1
            score -= h.first[t] if seen[t] == 0 else h.again[t]
        return best

    rng = random.Random(3)
    terms = {"甲乙丙丁戊己庚辛"[:k]: rng.random() * 5 for k in range(1, 9)} | {"x" * 40: 1.0, "y" * 60: 2.0}
    h = Highlighter(terms)
    for _ in range(5000):
        picked = rng.sample(list(terms), rng.randint(1, 5))
        matches = sorted(
            ((s, s + len(t), t) for t in picked for s in [rng.randrange(200)]),
            key=lambda m: (m[0], -len(m[2])),
        )
        assert h._best_window(matches) == slide(h, matches), matches


def test_word_starts_of_a_window_are_the_word_spans_around_it():
    """word_starts skips whole blocks of words before a window by their sum: what it gives is
    the run of word_spans from the word holding the window's start through the first word
    past its end, for windows anywhere in texts of any length (and every boundary when a word
    of 256 characters or more needs the escapes)."""
    import random

    from indexer.analysis import add_cut, word_spans, word_starts

    rng = random.Random(7)
    for trial in range(400):
        cuts = bytearray()
        for _ in range(rng.randint(1, 900)):
            add_cut(cuts, rng.choice([1, 1, 2, 2, 2, 3, 4, 7]) if trial % 50 else rng.choice([2, 300]))
        spans = word_spans(bytes(cuts))
        start = rng.randrange(spans[-1])
        end = min(spans[-1], start + rng.randint(1, 200))
        got = word_starts(bytes(cuts), start, end)
        assert got[0] <= start and got == spans[spans.index(got[0]) : spans.index(got[0]) + len(got)]
        assert got[-1] > end or got[-1] == spans[-1]
        assert [a for a in spans if got[0] <= a <= end] == [a for a in got if a <= end]


def test_cuts_kept_at_indexing_give_the_words_back(real):
    """``tokens(..., cuts=)`` records every word the text was cut into (one byte a word, an
    escape past 255 characters); ``word_spans`` gives their boundaries back exactly, and a
    snippet marked from them is the snippet marked by cutting the text again (how the Whoosh
    engine, which keeps no cuts, marks): over case analyses and a 300-character word."""
    import random

    from indexer.analysis import segment, word_spans
    from indexer.snippets import snippet

    rng = random.Random(20261130)
    files = sorted((real / "xt/case-analyses").glob("*.md"))
    texts = [p.read_text(encoding="utf-8")[:4000] for p in rng.sample(files, 60)]
    texts.append("甲" + "x" * 300 + "，违反规定给予处分。")
    marked = 0
    for text in texts:
        cuts = bytearray()
        words = [w for w, _, _, _ in tokens(text, cuts=cuts)]
        assert word_spans(bytes(cuts)) == [0] + [e for _, _, e in segment(normalise(text))]
        terms = {w: 1.0 + rng.random() for w in rng.sample(words, min(3, len(words)))}
        again, kept = snippet(text, terms), snippet(text, terms, bytes(cuts))
        assert kept == again
        marked += "<mark>" in kept
    assert marked > 50
