"""The same hits indexed and queried by the engines a user might pick instead of Whoosh.

Both peers get what Whoosh gets: the hits of ``indexer.build.entries`` (a provision, a list
item, a case, a material section), cut into words by the project's own analyzer, so that the
ratios compare engines, not tokenisers. They do less than the project's search does (no
synonyms, no dictionary sub-words, no bigram recall net, no field boosts): a plain AND of the
query's words, or the phrase. The table says so.

- SQLite FTS5 (the standard library's sqlite3): words joined by spaces under ``unicode61``;
  facet counts with GROUP BY over the matching rowids; highlights with ``snippet()``.
- tantivy (the tantivy Python package, Rust): ``whitespace`` tokenizer on the same words;
  facets as raw fast fields counted with a terms aggregation; highlights with SnippetGenerator.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from indexer.analysis import cut
from indexer.schema import FACETS, MULTI_VALUED

SINGLE = [f for f in FACETS.values() if f not in MULTI_VALUED]
MULTI = [f for f in FACETS.values() if f in MULTI_VALUED]


def pretokenise(hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each hit with its title and text as space-joined words (the costly part, done once)."""
    out = []
    for h in hits:
        out.append(
            {
                **{f: h.get(f, "") for f in ("id", *SINGLE)},
                **{f: [v for v in (h.get(f) or "").split(",") if v] for f in MULTI},
                "title": " ".join(cut(h.get("title", ""))),
                "text": " ".join(cut(h.get("text", ""))),
            }
        )
    return out


def query_words(q: str) -> list[str]:
    return cut(q.strip('"'))


class Fts5:
    name = "SQLite FTS5"

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path, check_same_thread=False)

    def build(self, docs: list[dict[str, Any]]) -> None:
        db = self.db
        db.execute("CREATE VIRTUAL TABLE hits USING fts5(title, text, tokenize='unicode61')")
        db.execute(f"CREATE TABLE meta(rowid INTEGER PRIMARY KEY, id TEXT, {', '.join(SINGLE)})")
        db.execute("CREATE TABLE vals(hit INTEGER, facet TEXT, value TEXT)")
        with db:
            for i, d in enumerate(docs, start=1):
                db.execute(
                    "INSERT INTO hits(rowid, title, text) VALUES (?, ?, ?)", (i, d["title"], d["text"])
                )
                db.execute(
                    f"INSERT INTO meta VALUES (?, ?, {', '.join('?' * len(SINGLE))})",
                    (i, d["id"], *(d[f] for f in SINGLE)),
                )
                db.executemany("INSERT INTO vals VALUES (?, ?, ?)", [(i, f, v) for f in MULTI for v in d[f]])
            db.execute("CREATE INDEX vals_hit ON vals(hit)")
            db.execute("INSERT INTO hits(hits) VALUES ('optimize')")

    @staticmethod
    def _match(q: str) -> str:
        words = query_words(q)
        if q.startswith('"'):
            return '"' + " ".join(words) + '"'
        return " AND ".join(f'"{w}"' for w in words)

    def search(self, q: str, *, facets: bool = False, highlights: bool = False) -> list[str]:
        if not query_words(q):
            return []
        m = self._match(q)
        snippet = ", snippet(hits, 1, '<mark>', '</mark>', '…', 24)" if highlights else ""
        rows = self.db.execute(
            f"SELECT meta.id{snippet} FROM hits JOIN meta ON meta.rowid = hits.rowid "
            "WHERE hits MATCH ? ORDER BY hits.rank LIMIT 10",
            (m,),
        ).fetchall()
        self.db.execute("SELECT count(*) FROM hits WHERE hits MATCH ?", (m,)).fetchone()
        if facets:
            self.db.execute("DROP TABLE IF EXISTS temp.m")
            self.db.execute("CREATE TEMP TABLE m AS SELECT rowid AS hit FROM hits WHERE hits MATCH ?", (m,))
            for f in SINGLE:
                self.db.execute(
                    f"SELECT {f}, count(*) FROM meta JOIN m ON meta.rowid = m.hit GROUP BY {f}"
                ).fetchall()
            self.db.execute(
                "SELECT facet, value, count(*) FROM vals JOIN m USING (hit) GROUP BY facet, value"
            ).fetchall()
        return [r[0] for r in rows]


class Tantivy:
    name = "tantivy"

    def __init__(self, path: Path):
        import tantivy

        self.t = tantivy
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("title", stored=True, tokenizer_name="whitespace")
        sb.add_text_field("text", stored=True, tokenizer_name="whitespace")
        for f in SINGLE + MULTI:
            sb.add_text_field(f, stored=False, fast=True, tokenizer_name="raw")
        self.schema = sb.build()
        path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(path))

    def build(self, docs: list[dict[str, Any]]) -> None:
        writer = self.index.writer(heap_size=256_000_000, num_threads=2)
        for d in docs:
            doc = self.t.Document()
            for f in ("id", "title", "text", *SINGLE):
                if d[f]:
                    doc.add_text(f, d[f])
            for f in MULTI:
                for v in d[f]:
                    doc.add_text(f, v)
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def _query(self, q: str) -> Any:
        t, schema = self.t, self.schema
        words = query_words(q)
        if q.startswith('"') and len(words) > 1:
            return t.Query.phrase_query(schema, "text", words)
        must = [
            (
                t.Occur.Must,
                t.Query.boolean_query(
                    [(t.Occur.Should, t.Query.term_query(schema, f, w)) for f in ("title", "text")]
                ),
            )
            for w in words
        ]
        return t.Query.boolean_query(must)

    def search(self, q: str, *, facets: bool = False, highlights: bool = False) -> list[str]:
        if not query_words(q):
            return []
        query = self._query(q)
        result = self.searcher.search(query, 10, count=True)
        ids = []
        gen = (
            self.t.SnippetGenerator.create(self.searcher, query, self.schema, "text") if highlights else None
        )
        for _, addr in result.hits:
            doc = self.searcher.doc(addr)
            ids.append(doc["id"][0])
            if gen is not None:
                gen.snippet_from_doc(doc).to_html()
        if facets:
            self.searcher.aggregate(query, {f: {"terms": {"field": f, "size": 100}} for f in SINGLE + MULTI})
        return ids


def make_peers(root: Path) -> list[Any]:
    root.mkdir(parents=True, exist_ok=True)
    peers: list[Any] = [Fts5(root / "fts5.sqlite")]
    try:
        peers.append(Tantivy(root / "tantivy"))
    except ImportError:
        print("tantivy is not installed (pip install -e '.[bench]'): compared with FTS5 only")
    return peers


def build_peer(peer: Any, docs: list[dict[str, Any]]) -> float:
    t = time.perf_counter()
    peer.build(docs)
    return time.perf_counter() - t
