"""Search engine: jieba analysis, Whoosh schema, atomic builds, and the search service."""
