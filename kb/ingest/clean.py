"""Cleaning: one small rule a function, applied in order by ``clean_text``.

Each rule takes text and returns text; none touches ordinary prose. The order matters: ads go
before page counters are rejoined (an ad can sit between two halves of a word), and masks are
marked last, when the words around them are whole again.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

#: what masked figures become: one character that no tokenizer takes for a word
MASK = "□"

# ------------------------------------------------------------------ whitespace


_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def normalise_whitespace(text: str) -> str:
    """CRLF → LF, zero-width characters out, NBSP and ideographic spaces at line edges out,
    runs of blank lines folded to one."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_ZERO_WIDTH)
    text = text.replace("\u00a0", " ").replace("\t", " ")
    lines = [line.strip(" \u3000") for line in text.split("\n")]
    lines = [re.sub(r"[ \u3000]{2,}", " ", line) for line in lines]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


# ------------------------------------------------------------------ advertising

#: words that only the ad and document-sharing sites use; two of them make a line an ad
AD_MARKERS = (
    "哒哒",
    "客服",
    "会员群",
    "svip",
    "素材库",
    "网盘群",
    "代发布",
    "润笔",
    "好评如潮",
    "绝对保密",
    "包满意",
    "高质量服务",
    "代笔",
    "接单",
    "公众号：",
    "谨防假冒",
    "一键极速下载",
)
_AD_BRACKET = re.compile(r"\[\s*【[^\[\]\n]{0,200}?】[^\[\]\n]{0,200}?\]")
_PAID = re.compile(r"#{1,3}paid(?:begin|end)#{1,3}", re.I)
_SHARE_SITE = re.compile(
    r"^[^\n]{0,120}(?:由会员分享|可在线阅读|请在[^\n]{1,12}上搜索|文档下载|下载文档|VIP专享|原创力文档|豆丁网|道客巴巴)[^\n]*$",
    re.M,
)


def _ad_score(s: str) -> int:
    low = s.lower()
    return sum(1 for m in AD_MARKERS if m.lower() in low)


def remove_ads(text: str) -> str:
    """Remove spliced-in advertising: ``[【…】…]`` runs that read as ads, lines made of ad
    vocabulary, paid-content markers and document-sharing site headers."""
    text = _PAID.sub("", text)
    text = _AD_BRACKET.sub(lambda m: "" if _ad_score(m.group()) >= 2 else m.group(), text)
    text = _SHARE_SITE.sub("", text)
    kept = []
    for line in text.split("\n"):
        if _ad_score(line) >= 2:
            # keep what precedes an ad that starts mid-line with 【
            cut = line.find("【")
            head = line[:cut] if cut > 0 else ""
            if head and _ad_score(head) == 0:
                kept.append(head)
            continue
        kept.append(line)
    return "\n".join(kept)


# ------------------------------------------------------------------ web page furniture

_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)|<img\b[^>\n]*>", re.I)
#: what a page asks its reader to do (click, share, go back) — never what a document says
_UI_PHRASE = re.compile(
    r"点击(?:查看|进入|阅读|下载|这里|此处|关注|收听|播放)|查看更多|阅读原文|展开全文|扫一扫|扫码(?:关注|阅读|下载)|"
    r"分享到|上一篇|下一篇|返回(?:顶部|首页|列表|搜狐)|关闭窗口|打印本页|【\s*[大中小]\s*】|字号[:：]|"
    r"^\s*(?:>>|»|》》)"  # a link line (>>了解本书更多)
)


def remove_web_furniture(text: str) -> str:
    """Remove what a web page wraps around a document: image links (a text base shows no
    pictures) and short lines that only ask the reader to click, share or go back
    (``>>点击查看更多回复``). A line that says something in a sentence is kept."""
    kept = []
    for line in text.split("\n"):
        bare = _IMAGE.sub("", line)
        if bare != line and not bare.strip():
            continue  # a line of images only
        if len(bare) <= 60 and _UI_PHRASE.search(bare) and not re.search(r"[。！？；]", bare):
            continue
        kept.append(bare)
    return "\n".join(kept)


#: a note of origin or of editorial credit closing a page: （来源：人民日报）, 责任编辑：…
_SOURCE_NOTE = re.compile(
    r"^[（(【\[]?\s*(?:文章|信息|稿件)?(?:来源|稿源|摘自|转自|原载|出处)(?:于)?\s*[:：]?\s*"
    r"(?P<source>[^（）()【】\[\]\n]{2,60}?)\s*[）)】\]]?$"
)
_CREDIT = re.compile(
    r"^[（(【\[]?\s*(?:责任编辑|编辑|审核|终审|校对|监制|通讯员|记者)\s*[:：|｜]\s*[^。\n]{1,40}$"
)


def split_source_note(text: str) -> tuple[str, str]:
    """Take the closing lines that say where a text comes from (or who edited it) off its end,
    so that they are not part of the last article or list item. Returns the text and the source
    named, if any (``（来源：人民日报）`` → 人民日报)."""
    lines = text.rstrip().split("\n")
    source = ""
    for _ in range(4):  # a page closes with at most a few such lines
        while lines and not lines[-1].strip():
            lines.pop()
        if not lines:
            break
        last = lines[-1].strip()
        m = _SOURCE_NOTE.match(last)
        if m:
            source = source or m.group("source").strip()
        elif not _CREDIT.match(last):
            break
        lines.pop()
    return "\n".join(lines), source


# ------------------------------------------------------------------ page numbers

_COUNTER = re.compile(r"^(\d{1,3})、")
_SENTENCE_END = tuple("。！？；：”」』）)!?;…")
_PAGE_LINE = re.compile(r"^(?:[-—–\s]*\d{1,3}[-—–\s]*|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?)$")


def _counter_run(lines: list[str]) -> list[int]:
    """Line indexes of the longest 1, 2, 3 … run of ``N、`` line starts."""
    best: list[int] = []
    starts = [i for i, line in enumerate(lines) if (m := _COUNTER.match(line)) and m.group(1) == "1"]
    for start in starts:
        run, want = [start], 2
        for j in range(start + 1, len(lines)):
            m = _COUNTER.match(lines[j])
            if m and int(m.group(1)) == want:
                run.append(j)
                want += 1
        if len(run) > len(best):
            best = run
    return best


def rejoin_page_breaks(text: str) -> str:
    """Documents copied from page viewers carry page counters (``1、`` ``2、`` …) at line starts
    that cut words in half: ``形式主\\n6、义``. When a long 1, 2, 3 … run of them mostly falls
    mid-sentence, drop the counters and glue each page to the one before. Lone page-number lines
    (``- 3 -``, ``第3页``) go too."""
    lines = [line for line in text.split("\n") if not _PAGE_LINE.match(line.strip()) or not line.strip()]
    run = _counter_run(lines)
    if len(run) >= 3:
        mid_sentence = sum(
            1 for i in run[1:] if i > 0 and lines[i - 1] and not lines[i - 1].endswith(_SENTENCE_END)
        )
        if mid_sentence / (len(run) - 1) >= 0.5:
            out: list[str] = []
            runset = set(run)
            for i, line in enumerate(lines):
                if i in runset:
                    line = _COUNTER.sub("", line, count=1)
                    if out and out[-1] and not out[-1].endswith(_SENTENCE_END):
                        out[-1] += line
                        continue
                out.append(line)
            lines = out
    return "\n".join(lines)


# ------------------------------------------------------------------ punctuation

_CJK = r"\u4e00-\u9fff"
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}


def normalise_punctuation(text: str) -> str:
    """Half-width , ; : ? ! and () next to Chinese characters become full-width; straight
    double quotes in a line with an even count become “ ” pairs; compatibility forms (full-width
    letters and digits, ideographic variants) are folded with NFKC where that keeps meaning."""
    # full-width ASCII letters/digits → half-width (ＡＢＣ１２３ → ABC123); leave CJK punctuation alone
    text = "".join(
        unicodedata.normalize("NFKC", c) if "\uff10" <= c <= "\uff5a" and c.isalnum() else c for c in text
    )
    text = re.sub(
        rf"(?<=[{_CJK}”）])([,;:?!])|([,;:?!])(?=[{_CJK}“（])",
        lambda m: _HALF_TO_FULL[m.group(1) or m.group(2)],
        text,
    )
    text = re.sub(rf"\(([^()\n]{{0,40}}[{_CJK}][^()\n]{{0,40}})\)", r"（\1）", text)
    text = re.sub(r"\(([一二三四五六七八九十]+)）", r"（\1）", text)
    text = re.sub(r"（([一二三四五六七八九十]+)\)", r"（\1）", text)

    def quotes(line: str) -> str:
        if '"' not in line or line.count('"') % 2:
            return line
        parts = line.split('"')
        return "".join(
            p + ("“" if i % 2 == 0 else "”") if i < len(parts) - 1 else p for i, p in enumerate(parts)
        )

    return "\n".join(quotes(line) for line in text.split("\n"))


# ------------------------------------------------------------------ masked figures

_MASKS = re.compile(
    rf"〔\*+〕|\[\*+\]|＊{{2,}}|\*{{2,}}|X{{2,}}|(?<=[{_CJK}“《（])X(?=[{_CJK}”》）])|(?<=请)X(?=同志)"
)


def mark_masked(text: str) -> str:
    """Masked figures and names (``XXX``, ``XX``, ``X同志``, ``**``, ``〔*〕``) become one MASK
    character each, so they are kept, shown and counted but never indexed as a word."""
    return _MASKS.sub(MASK, text)


# ------------------------------------------------------------------ pipeline


@dataclass
class Cleaned:
    text: str
    masked: int = 0
    notes: list[str] = field(default_factory=list)
    source_note: str = ""  # where the closing line said the text comes from (（来源：人民日报）)


@cache
def t2s_table() -> dict[int, str]:
    """Common traditional characters → simplified, one for one (kb/data/t2s.txt), so offsets in
    a simplified shadow of a text are offsets in the text."""
    table: dict[int, str] = {}
    try:  # OpenCC's character table (opencc-python-reimplemented), single characters only
        import opencc

        chars = Path(opencc.__file__).resolve().parent / "dictionary" / "TSCharacters.txt"
        for line in chars.read_text(encoding="utf-8").splitlines():
            trad, _, simp = line.partition("\t")
            first = simp.split(" ")[0] if simp else ""
            if len(trad) == 1 and len(first) == 1 and trad != first:
                table[ord(trad)] = first
    except (ImportError, OSError):
        pass
    path = Path(__file__).resolve().parent.parent / "data" / "t2s.txt"  # the project's own, which wins
    lines = [x.strip() for x in path.read_text(encoding="utf-8").splitlines()]
    table.update({ord(x[0]): x[1] for x in lines if len(x) == 2 and not x.startswith("#")})
    return table


def simplified(text: str) -> str:
    """The text with traditional characters read as simplified, character for character."""
    return text.translate(t2s_table())


_PINYIN = re.compile(r"[（(][a-zA-Zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zA-Zü]*[)）]")


def remove_pinyin(text: str) -> str:
    """Readings inserted after characters, 紀(jì)委 → 紀委 (tone marks tell pinyin from a note)."""
    return _PINYIN.sub("", text)


def clean_text(text: str) -> Cleaned:
    """Run every rule in order. Idempotent: cleaning clean text changes nothing."""
    notes: list[str] = []
    text = normalise_whitespace(remove_pinyin(text))
    stripped = remove_ads(text)
    if stripped != text:
        notes.append("advertising removed")
    text = normalise_whitespace(remove_web_furniture(stripped))
    text = rejoin_page_breaks(text)
    text = normalise_punctuation(text)
    text = normalise_whitespace(mark_masked(text))
    text, source_note = split_source_note(text)
    masked = text.count(MASK)
    if masked:
        notes.append(f"{masked} masked figure(s) marked {MASK}")
    return Cleaned(text, masked, notes, source_note)
