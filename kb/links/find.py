"""Find citations in text: 《条例》第一百二十二条, 第五十条第二款, 第三十九条第（三）项, 本条例第…,
and 八项规定精神 without an article. Each Citation keeps its span and sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.numerals import CN_NUMERAL, cn_to_int

N = f"[{CN_NUMERAL}\\d]+"
_TITLE = re.compile(r"《([^《》\n]{2,60})》")
_SELF = re.compile(r"(本条例|本规定|本法|本细则|本办法|该条例|该法|条例|若干规定|政务处分法|监察法)(?=第)")
_ARTICLE = re.compile(
    rf"第({N})条(?:第({N})款)?(?:第?[（(]({N})[）)](?:[、和及]?[（(]{N}[）)])*项|第({N})项)?"
)
_SEPARATORS = re.compile(r"^[、，,和及与或以及\s]*$")
_SENTENCE = re.compile(r"[^。！？\n]*[。！？\n]?")
_HEADING_TITLE = re.compile(r"^《([^《》\n]{2,60})》\s*(?:[（(]([^（）()\n]{0,30})[）)])?\s*$")
_EIGHT = re.compile(r"(中央)?八项规定(及其实施细则)?精神")


@dataclass(frozen=True)
class Citation:
    title: str  # as written: 中国共产党纪律处分条例, 条例, 本条例; "" when no title stands near
    article: int | None
    paragraph: int | None = None  # 款
    item: int | None = None  # 项
    start: int = 0
    end: int = 0
    text: str = ""  # the citation as written
    sentence: str = ""
    before: str = ""  # up to 30 characters of the sentence before the article (edition years live there)
    edition: str = ""  # the edition a title heading above names: 2018年8月18日

    def dump(self) -> dict[str, object]:
        return {
            k: getattr(self, k)
            for k in ("title", "article", "paragraph", "item", "start", "end", "text", "sentence")
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


def find_citations(text: str) -> list[Citation]:
    """Every citation in the text, in order. An article with no title of its own takes the
    nearest title before it in the same sentence or, failing that, in the same paragraph;
    in a list (第五十条、第一百一十二条) each article inherits the list's title."""
    found: list[Citation] = []
    carried = ""  # the title heading above: a paragraph that opens with 第X条 quotes that document
    carried_edition = ""
    for para_match in re.finditer(r"[^\n]+", text):
        para, base = para_match.group(), para_match.start()
        opens_with_article = bool(_ARTICLE.match(para.strip()))
        last_title = carried if opens_with_article else ""
        for sm in _SENTENCE.finditer(para):
            sentence = sm.group()
            if not sentence.strip():
                continue
            s0 = sm.start()
            # titles and self-references with their positions, to know what stands before each article
            marks: list[tuple[int, int, str]] = [
                (m.start(), m.end(), m.group(1)) for m in _TITLE.finditer(sentence)
            ]
            marks += [(m.start(), m.end(), m.group(1)) for m in _SELF.finditer(sentence)]
            marks.sort()
            current = last_title
            for am in _ARTICLE.finditer(sentence):
                title = current
                for _ms, me, name in marks:
                    if me <= am.start():
                        title = title if name.startswith("该") and title else name  # 该法: the law just named
                art = cn_to_int(am.group(1))
                para_no = cn_to_int(am.group(2)) if am.group(2) else None
                item_raw = am.group(3) or am.group(4)
                item = cn_to_int(item_raw) if item_raw else None
                found.append(
                    Citation(
                        title,
                        art,
                        para_no,
                        item,
                        base + s0 + am.start(),
                        base + s0 + am.end(),
                        am.group(),
                        sentence.strip(),
                        sentence[max(0, am.start() - 30) : am.start()],
                        carried_edition if opens_with_article and title == carried else "",
                    )
                )
            for _ms, _me, name in marks:
                if not name.startswith("本") or name in ("本条例", "本规定", "本法", "本细则", "本办法"):
                    current = name
            last_title = current
        heading = _HEADING_TITLE.match(para.strip())
        if heading:  # 《…》（2018年8月18日）on a line of its own heads the article lines below it
            carried, carried_edition = heading.group(1), heading.group(2) or ""
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
                    )
                )
    found.sort(key=lambda c: c.start)
    return found


def article_citations(text: str) -> list[Citation]:
    """Only the citations that name an article."""
    return [c for c in find_citations(text) if c.article is not None]
