"""Chinese numerals as they appear in article numbers (第一百三十二条) and back."""

from __future__ import annotations

import re

DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL = "零〇一二三四五六七八九十百千两"
_CN_RE = re.compile(f"^[{CN_NUMERAL}]+$")


def cn_to_int(text: str) -> int | None:
    """Parse 一百三十二 → 132, 十 → 10, 一百零五 → 105, 42 → 42. None when it is not a numeral."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or not _CN_RE.match(text):
        return None
    total, current = 0, 0
    last_unit = 10_000
    for ch in text:
        if ch in DIGITS:
            if current:  # two digits in a row (一二) is not an ordinary numeral
                return None
            current = DIGITS[ch] or 0
            if ch in "零〇":
                current = 0
        else:
            unit = UNITS[ch]
            if unit >= last_unit:  # 百百, 十百: garbled
                return None
            total += (current or 1) * unit
            current = 0
            last_unit = unit
    return total + current


def int_to_cn(n: int) -> str:
    """132 → 一百三十二, 10 → 十, 105 → 一百零五 (the style of article numbers)."""
    if n < 0 or n >= 10_000:
        raise ValueError(f"out of range for article numbers: {n}")
    if n == 0:
        return "零"
    names = "零一二三四五六七八九"
    parts: list[str] = []
    pending_zero = False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // unit % 10
        if d == 0:
            if parts:
                pending_zero = True
            continue
        if pending_zero:
            parts.append("零")
            pending_zero = False
        if unit == 10 and d == 1 and not parts:
            parts.append("十")
        else:
            parts.append(names[d] + name)
    return "".join(parts)


def article_label(n: int) -> str:
    """132 → 第一百三十二条."""
    return f"第{int_to_cn(n)}条"


_BIG = {"万": 10_000, "亿": 100_000_000}
_FW = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
QUANTITY = rf"(?:\d[\d,，]*(?:\.\d+)?|[{CN_NUMERAL}]+(?:\.\d+)?)(?:[万亿](?:[{CN_NUMERAL}\d]+)?)?(?:个?半)?"


def parse_number(text: str) -> float | None:
    """A quantity as written in a draft: 8000, １０,000, 1.2万, 一万二千, 两万, 三千, 1万5千,
    九十, 一个半 (1.5). None when it is not a number."""
    t = (text or "").strip().translate(_FW).replace(",", "")
    if not t:
        return None
    half = 0.0
    if t.endswith("半"):
        half, t = 0.5, t[:-1].removesuffix("个")
        if not t:
            return 0.5
    for big, factor in _BIG.items():
        if big in t:
            head, _, tail = t.partition(big)
            h = parse_number(head) if head else 1.0
            if h is None:
                return None
            rest = 0.0
            if tail:
                r = parse_number(tail)
                if r is None:
                    return None
                # 一万二 (no unit after the digit) means 一万二千
                rest = r * (factor // 10) if tail in "一二两三四五六七八九" and len(tail) == 1 else r
            return h * factor + rest + half
    try:
        return float(t) + half
    except ValueError:
        pass
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([千百十])", t)  # 5千
    if m:
        return float(m.group(1)) * UNITS[m.group(2)] + half
    if t[-1] in "千百十" or all(c in CN_NUMERAL for c in t):
        n = cn_to_int(t)
        if n is None and len(t) > 1 and all(c in "零〇一二三四五六七八九" for c in t):
            n = int("".join(str(DIGITS[c]) for c in t))  # 二〇二四 written digit by digit
        return None if n is None else n + half
    return None
