"""Mark resolved citations in a text for display: the text is escaped, each citation becomes a
link to its provision (an unresolved one is marked, with the reason as its title)."""

from __future__ import annotations

import html
from collections.abc import Callable

from kb.links.find import find_citations
from kb.links.resolve import PolicyIndex, resolve_citations
from kb.models import Record


def annotate(text: str, record: Record, index: PolicyIndex, url_for: Callable[[str], str]) -> str:
    """HTML-safe text with <a class="cite"> around resolved citations."""
    spans = []
    for res in resolve_citations(find_citations(text), record, index):
        c = res.citation
        spans.append((c.start, c.end, res.target, res.reason))
    out: list[str] = []
    pos = 0
    for start, end, target, reason in sorted(spans):
        if start < pos:
            continue
        out.append(html.escape(text[pos:start]))
        inner = html.escape(text[start:end])
        if target:
            out.append(
                f'<a class="cite" href="{html.escape(url_for(target))}" title="{html.escape(target)}">{inner}</a>'
            )
        else:
            out.append(f'<span class="cite-unresolved" title="{html.escape(reason)}">{inner}</span>')
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)
