"""减负知识库 domain: records, corpus loading, import and cleaning. No Flask, no Whoosh."""

from kb.models import Record, Unit

__all__ = ["Record", "Unit"]
