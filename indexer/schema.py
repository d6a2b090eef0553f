"""What a hit is, and the fields it carries.

A hit is a provision, a list item, a case (one hit for the whole case) or a material section;
each carries its document's fields. Every record also has one ``document`` entry (never a hit)
that stores the record itself, so ``kb show`` and the pages read from the index alone.
"""

from __future__ import annotations

from whoosh import fields

from indexer.analysis import BigramAnalyzer, ChineseAnalyzer
from kb.models import KIND_LABELS

#: facet name → index field; multi-valued ones are comma KEYWORD fields (need allow_overlap)
FACETS = {
    "kind": "kind",
    "issuer": "issuer",
    "document": "doc_id",
    "year": "year",
    "region": "region",
    "category": "category",
    "rank": "rank",
    "sanction": "sanction",
    "violates": "violates",
}
MULTI_VALUED = {"category", "sanction", "violates"}
#: hits a facet leaves out of its counts, as (facet, value): a case is its own document, so 文件
#: counts the hits that belong to a policy, list or material (at 100k records, counting cases
#: there was 100k one-count values and most of a search's facet time). Every engine applies it.
FACET_LEAVES_OUT: dict[str, tuple[str, str]] = {"document": ("kind", "case")}
FACET_LABELS = {
    "kind": "类型",
    "issuer": "发文机关",
    "document": "文件",
    "year": "年份",
    "region": "地区",
    "category": "类别",
    "rank": "职级",
    "sanction": "处分",
    "violates": "违反条文",
}

#: Chinese names a cadre types in field filters (类型:案例) → facet names
FIELD_NAMES = {
    "类型": "kind",
    "种类": "kind",
    "kind": "kind",
    "type": "kind",
    "发文机关": "issuer",
    "机关": "issuer",
    "issuer": "issuer",
    "发布": "issuer",
    "文件": "document",
    "document": "document",
    "doc": "document",
    "年份": "year",
    "年度": "year",
    "年": "year",
    "year": "year",
    "地区": "region",
    "region": "region",
    "类别": "category",
    "问题": "category",
    "category": "category",
    "级别": "rank",
    "职级": "rank",
    "rank": "rank",
    "处分": "sanction",
    "sanction": "sanction",
    "条文": "violates",
    "违反": "violates",
    "violates": "violates",
}
#: values a cadre types for 类型: → hit kinds
KIND_VALUES = {
    "条文": "provision",
    "规定": "provision",
    "法规": "provision",
    "provision": "provision",
    "清单": "list-item",
    "负面清单": "list-item",
    "list-item": "list-item",
    "案例": "case",
    "案件": "case",
    "case": "case",
    "材料": "material",
    "报告": "material",
    "讲话": "material",
    "material": "material",
}


#: facets whose values have a Chinese label other than themselves (hit kinds have English keys)
VALUE_LABELS: dict[str, dict[str, str]] = {"kind": KIND_LABELS}


def value_label(facet: str, value: str) -> str:
    """How a facet value reads in Chinese."""
    return VALUE_LABELS.get(facet, {}).get(value, value)


def build_schema() -> fields.Schema:
    zh = ChineseAnalyzer()
    return fields.Schema(
        key=fields.ID(stored=True, unique=True, sortable=True),  # "hit:<id>" or "doc:<record id>"; a column
        id=fields.ID(stored=True),
        entry=fields.ID(stored=True),  # "hit" | "document"
        kind=fields.ID(
            stored=True
        ),  # provision | list-item | case | material (document entries: record kind)
        doc_id=fields.ID(stored=True),
        doc_title=fields.TEXT(analyzer=zh, stored=True, field_boost=1.5),
        title=fields.TEXT(analyzer=zh, stored=True, field_boost=3.0),
        number=fields.STORED(),
        heading=fields.STORED(),
        text=fields.TEXT(analyzer=zh, stored=True, phrase=True),
        bigram=fields.TEXT(analyzer=BigramAnalyzer(), phrase=True, field_boost=0.4),
        # genre, issuer, short names, keywords, post, sanctions, preface, chapter path
        meta=fields.TEXT(analyzer=zh, phrase=True),  # weighed at query time (query.OTHER_FIELDS)
        # the words of the records that link here: cases' titles, list items, the summary's 要点
        anchor=fields.TEXT(analyzer=zh, phrase=True),
        date=fields.ID(stored=True),  # YYYY-MM-DD, "" when unknown
        # the order in time: the date, or YYYY-00-00 when only the year is known (kb.models.date_key)
        sort_date=fields.ID(sortable=True),
        year=fields.ID(stored=True),
        issuer=fields.ID(stored=True),
        region=fields.ID(stored=True),
        rank=fields.ID(stored=True),
        category=fields.KEYWORD(stored=True, commas=True),
        sanction=fields.KEYWORD(stored=True, commas=True),
        violates=fields.KEYWORD(stored=True, commas=True),
        ordinal=fields.NUMERIC(stored=True, sortable=True),
        summary=fields.BOOLEAN(stored=True),
        record=fields.STORED(),  # document entries: the record as JSON
    )
