"""A short quiz made only from the pack's own content: fill in a key figure of a provision, or
name the sanction a case received. Each question carries its answer."""

from __future__ import annotations

import re
from typing import Any

_FIGURE = re.compile(r"(\d+(?:\.\d+)?)\s*(字|人|小时|分钟|天|次|个月|年|元|%|份)")
_CN_FIGURE = re.compile(r"([一二三四五六七八九十]+)(个月|人|次|天)")


def make_quiz(sections: list[tuple[str, list[Any]]], limit: int = 10) -> list[tuple[str, str]]:
    questions: list[tuple[str, str]] = []
    for _, entries in sections:
        for e in entries:
            if len(questions) >= limit:
                return questions
            if e.kind == "case" and e.heading and "（" in e.heading:
                name = e.heading.split("（")[0]
                answer = e.heading.rsplit("（", 1)[1].rstrip("）")
                questions.append((f"{name}中，当事人受到了什么处分？", answer))
            elif e.kind in ("provision", "list-item") and e.text:
                for sentence in re.split(r"(?<=[。；])", e.text):
                    m = next(
                        (
                            x
                            for x in _FIGURE.finditer(sentence)
                            if not (x.group(2) == "年" and float(x.group(1)) >= 1900)
                        ),
                        None,
                    )
                    m = m or _CN_FIGURE.search(sentence)
                    if m:
                        blank = sentence[: m.start(1)] + "____" + sentence[m.end(1) :]
                        blank = blank.removeprefix("要点：").strip()
                        questions.append((f"依据{e.heading}：{blank}", m.group(1) + m.group(2)))
                        break
    return questions
