"""Find citations in text: 《条例》第一百二十二条, 第五十条第二款, 第三十九条第（三）项, 本条例第…,
刑法第三百八十二条, 该条例第…, lists (第五十条、第一百一十二条; 第三十五、三十六条) and ranges
(第八十七条至第九十条), and 八项规定精神 without an article.

Each Citation keeps its span and sentence, the document name that governs it and *how* that
name was found (``named``) — the evidence the resolver weighs:

``title``     《…》 written before the article in the same clause;
``name``      a known document's name written directly before 第 (刑法第…, 监察法实施条例第…);
``alias``     a name the text itself defined (``（以下简称《条例》）``);
``anaphora``  该条例, 同条例, 上述条例, 本法 …: the last document of that kind named before;
``self``      本条例, 本规定 … in a policy's own text;
``list``      an article in a list or range after one that names its document;
``heading``   an article line under a 《…》 heading line (相关条款 sections);
``paragraph`` the document named last in the same paragraph, with no other named since;
``record``    the only document the record cites articles of, when it names no other;
``""``        nothing names it.

A name written directly before 第 that is longer than any known name (财政违法行为处罚处分条例)
is an unknown document, never the known name it ends with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from kb.numerals import CN_NUMERAL, cn_to_int

N = f"[{CN_NUMERAL}\\d０-９]+"
_TITLE = re.compile(r"《([^《》\n]{2,60})》")
_ARTICLE = re.compile(
    rf"第({N})条(?:第({N})款)?(?:第?[（(]({N})[）)](?:[、和及]?[（(]{N}[）)])*项|第({N})项)?"
)
# 第三十五、三十六、三十八条 / 第二十八条至四十条: numbers after the first that lack their own 第
_SHORT_LIST = re.compile(rf"第({N})((?:[、，,和及至到~-]第?{N})+)条")
_SENTENCE = re.compile(r"[^。！？\n]*[。！？\n]?")
_HEADING_TITLE = re.compile(r"^《([^《》\n]{2,60})》\s*(?:[（(]([^（）()\n]{0,30})[）)])?\s*$")
_EIGHT = re.compile(r"(中央)?八项规定(及其实施细则)?精神")
_ALIAS = re.compile(
    r"[（(]\s*(?:以下|下文|下)?(?:简称|称)\s*[《“\"]?([^《》“”\"（）()，,。]{1,12})[》”\"]?\s*[）)]"
)
_ANAPHORA = re.compile(
    r"(该|同|上述|前述|此|这一?|本)(条例|规定|办法|细则|规则|准则|意见|解释|决定|法)(?=第)"
)
_SELF = ("本条例", "本规定", "本法", "本细则", "本办法")
_KINDS = (
    "法",
    "条例",
    "规定",
    "办法",
    "细则",
    "规则",
    "准则",
    "解释",
    "意见",
    "纪要",
    "决定",
    "通知",
    "章程",
    "标准",
)
# what may stand between a document's name and its article: 《条例》中第…, 《条例》的第…, 《刑法》规定的第…
_BRIDGE = re.compile(r"^[\s的中之规定关于有所第、，,]*$")
# words that end right before a name written without 《》 (根据刑法第…, 违反条例第…)
_FUNCTION_ENDINGS = (
    "根据",
    "依据",
    "按照",
    "依照",
    "适用",
    "违反",
    "触犯",
    "符合",
    "属于",
    "参照",
    "对照",
    "援引",
    "引用",
    "即",
    "是",
    "了",
    "的",
    "和",
    "与",
    "及",
    "或",
    "对",
    "在",
    "由",
    "将",
    "把",
    "中",
    "见",
    "按",
    "依",
    "照",
    "据",
    "为",
    "从",
    "以",
    "原",
    "新",
    "其",
    "该",
    "同",
    "本",
    "部",
    "修订",
    "修正",
    "现行",
    "旧",
    "构成",
    "认定",
    "判断",
    "规定",
    "明确",
)
SPECIFIC = 5  # a known name this long is a name whatever stands before it (构成党纪处分条例第…)
_CJK_BEFORE = re.compile(r"[\u4e00-\u9fff]{1,24}$")


@dataclass(frozen=True, slots=True)  # slots: a corpus of 100k records holds ~300k of them
class Citation:
    title: str  # the document's name as the text gives it (alias resolved); "" when nothing names it
    article: int | None
    paragraph: int | None = None  # 款
    item: int | None = None  # 项
    start: int = 0
    end: int = 0
    text: str = ""  # the citation as written
    sentence: str = ""
    before: str = ""  # up to 30 characters of the sentence before the article (edition words live there)
    edition: str = ""  # the edition a title heading above names: 2018年8月18日
    named: str = ""  # how the document was found (see the module docstring)
    written: str = ""  # the name as written when an alias stood for it (条例 for 监察法实施条例)
    after: str = ""  # up to 120 characters after the article (a quoted article text lives there)
    title_before: str = ""  # up to 30 characters before the governing title, and the title (2015年《条例》)

    def dump(self) -> dict[str, object]:
        return {
            k: getattr(self, k)
            for k in ("title", "article", "paragraph", "item", "start", "end", "text", "sentence", "named")
        }

    @property
    def label(self) -> str:
        from kb.numerals import int_to_cn

        parts = [f"《{self.title}》" if self.title and not self.title.startswith("本") else self.title]
        if self.article:
            parts.append(f"第{int_to_cn(self.article)}条")
        if self.paragraph:
            parts.append(f"第{int_to_cn(self.paragraph)}款")
        if self.item:
            parts.append(f"第（{int_to_cn(self.item)}）项")
        return "".join(parts)


def _num(text: str) -> int | None:
    return cn_to_int(text.translate(str.maketrans("０１２３４５６７８９", "0123456789")))


@cache
def known_names() -> frozenset[str]:
    """Names of documents citations may name without 《》: kb/data/documents.toml's names."""
    from kb.links.documents import catalogue

    return frozenset(n for fam in catalogue().values() for n in fam)


def _bare_name(before: str, extra: frozenset[str] = frozenset()) -> tuple[str, bool] | None:
    """The document name written directly before 第 in ``before`` (the text up to 第): (name,
    known). A known name counts only where a function word or punctuation stands before it;
    otherwise the longer name it ends is an unknown document."""
    m = _CJK_BEFORE.search(before)
    if not m:
        return None
    run = m.group()
    names = known_names() | extra
    best = max((n for n in names if run.endswith(n)), key=len, default="")
    if best:
        rest = run[: -len(best)]
        if not rest or rest.endswith(_FUNCTION_ENDINGS) or len(best) >= SPECIFIC:
            return best, True
    # an unknown name: the longest tail that ends in a document kind, after a function word
    for kind in _KINDS:
        if run.endswith(kind):
            for i in range(len(run) - len(kind)):
                tail = run[i:]
                if len(tail) > len(kind) + 1 and (i == 0 or run[:i].endswith(_FUNCTION_ENDINGS)):
                    return tail, False
            return (best, True) if best else None
    return None


def _articles(sentence: str) -> list[tuple[int, int, int | None, int | None, int | None, str]]:
    """(start, end, article, 款, 项, text) of each article in a sentence, short lists expanded."""
    out = []
    for am in _ARTICLE.finditer(sentence):
        item_raw = am.group(3) or am.group(4)
        out.append(
            (
                am.start(),
                am.end(),
                _num(am.group(1)),
                _num(am.group(2)) if am.group(2) else None,
                _num(item_raw) if item_raw else None,
                am.group(),
            )
        )
    for lm in _SHORT_LIST.finditer(sentence):  # 第三十五、三十六、三十八条: the numbers without 第
        numbers = [(lm.start(1), lm.group(1))]
        numbers += [(lm.start(2) + nm.start(), nm.group()) for nm in re.finditer(N, lm.group(2))]
        for pos, raw in numbers:
            if not any(s <= pos < e for s, e, *_ in out):
                out.append((pos, pos + len(raw), _num(raw), None, None, f"第{raw}条"))
    out.sort()
    return out


def find_citations(text: str, *, self_names: tuple[str, ...] = _SELF) -> list[Citation]:
    """Every citation in the text, in order (see the module docstring for how each article's
    document is found)."""
    found: list[Citation] = []
    aliases: dict[str, str] = {}  # 条例 → 中华人民共和国监察法实施条例, as the text defined
    carried = ""  # the title heading above: a paragraph that opens with 第X条 quotes that document
    carried_edition = ""
    for para_match in re.finditer(r"[^\n]+", text):
        para, base = para_match.group(), para_match.start()
        opens_with_article = bool(_ARTICLE.match(para.strip()))
        para_last = ""  # the last document named in this paragraph
        for sm in _SENTENCE.finditer(para):
            sentence = sm.group()
            if not sentence.strip():
                continue
            if "第" not in sentence and "《" not in sentence and "八项规定" not in sentence:
                continue  # no article (第…条), no title (《…》), no 八项规定: nothing here cites
            s0 = sm.start()
            titles = [(m.start(), m.end(), m.group(1)) for m in _TITLE.finditer(sentence)]
            for _t_start, t_end, name in titles:  # 《监察法实施条例》（以下简称《条例》）
                am = _ALIAS.match(sentence, t_end)
                if am:
                    aliases[am.group(1).strip()] = name
            last = ""  # the last document named in this sentence, before the current article
            named_how = ""
            prev_end = 0
            for a_start, a_end, art, para_no, item, written in _articles(sentence):
                between = sentence[prev_end:a_start]
                title, how, as_written, title_before = "", "", "", ""
                tm = [t for t in titles if prev_end <= t[0] and t[1] <= a_start]
                anaphora = _ANAPHORA.search(sentence[max(0, a_start - 6) : a_start + 1])
                bare = _bare_name(sentence[:a_start], frozenset(aliases))
                if tm:
                    title_before = sentence[max(0, tm[-1][0] - 30) : tm[-1][1]]
                if tm and _BRIDGE.match(sentence[tm[-1][1] : a_start]):
                    as_written = tm[-1][2]
                    title, how = aliases.get(as_written, as_written), "title"
                    if as_written in aliases:
                        how = "alias"
                elif anaphora and sentence[:a_start].endswith(anaphora.group()):
                    word = anaphora.group()
                    if word in self_names:
                        title, how = word, "self"
                    else:
                        title, how = last or para_last, "anaphora" if (last or para_last) else ""
                elif bare is not None:
                    as_written = bare[0]
                    title = aliases.get(as_written, as_written)
                    how = "alias" if as_written in aliases else "name"
                elif last and re.fullmatch(r"[^。；;]*", between) and len(between) <= 40:
                    title, how = last, "list"
                elif tm:  # 《条例》规定的…第X条: a title earlier in the same clause
                    as_written = tm[-1][2]
                    title, how = aliases.get(as_written, as_written), "title"
                elif opens_with_article and carried:
                    title, how = carried, "heading"
                elif para_last:
                    title, how = para_last, "paragraph"
                found.append(
                    Citation(
                        title,
                        art,
                        para_no,
                        item,
                        base + s0 + a_start,
                        base + s0 + a_end,
                        written,
                        sentence.strip(),
                        sentence[max(0, a_start - 30) : a_start],
                        carried_edition if how == "heading" else "",
                        how,
                        as_written if as_written != title else "",
                        sentence[a_end : a_end + 120],
                        title_before if how in ("title", "alias") else "",
                    )
                )
                if title:
                    last, named_how = title, how
                prev_end = a_end
            # a title named in the sentence without an article still becomes the one in view
            if titles:
                tail = titles[-1][2]
                if not any(c.start >= base + s0 + titles[-1][1] for c in found if c.title):
                    last = aliases.get(tail, tail)
            if last and named_how != "paragraph" or last:
                para_last = last
            for em in _EIGHT.finditer(sentence):
                found.append(
                    Citation(
                        "中央八项规定",
                        None,
                        None,
                        None,
                        base + s0 + em.start(),
                        base + s0 + em.end(),
                        em.group(),
                        sentence.strip(),
                        named="title",
                    )
                )
        heading = _HEADING_TITLE.match(para.strip())
        if heading:  # 《…》（2018年8月18日）on a line of its own heads the article lines below it
            carried, carried_edition = heading.group(1), heading.group(2) or ""
    found.sort(key=lambda c: c.start)
    return _record_level(found)


def _record_level(found: list[Citation]) -> list[Citation]:
    """Articles nothing names take the record's one document, when every named article citation
    of the record names the same one."""
    named = {c.title for c in found if c.article is not None and c.title and c.named != "self"}
    if len(named) != 1:
        return found
    only = next(iter(named))
    return [
        replace(c, title=only, named="record") if c.article is not None and not c.title else c for c in found
    ]


def article_citations(text: str) -> list[Citation]:
    """Only the citations that name an article."""
    return [c for c in find_citations(text) if c.article is not None]
