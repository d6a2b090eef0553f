"""The knowledge base over an index, engine-free: records and units by id, the link graph
(what a case violated, which cases violated a provision, versions, citations), labels,
more-like-this suggestions, 学习包 and draft-check helpers. Reads go through ``self.engine``
(indexer/engine.py); nothing here knows which engine that is."""

from __future__ import annotations

import json
from typing import Any

from whoosh import query as Q  # the query language every engine compiles (indexer/engine.py)

from indexer.results import MAX_PER_PAGE
from kb.models import UNIT_KIND, when


class RecordsMixin:
    """The host provides ``engine``, ``manifest``, ``search`` and ``snapshot``: the generation
    being read, with its tables and caches (indexer/generation.py)."""

    engine: Any
    manifest: dict[str, Any]
    snapshot: Any

    # ------------------------------------------------------------ records

    def _kind_of(self, item_id: str) -> str:
        record = self._record(item_id.split("/")[0])
        return record["kind"] if record else ""

    def _record(self, rid: str) -> dict[str, Any] | None:
        """A stored record, parsed once per generation. Shared: read it, never change it. Misses
        are not remembered, so made-up ids in URLs cannot grow the cache."""
        generation = self.snapshot  # one generation for the lookup and the table it fills
        record = generation.records.get(rid)
        if record is None:
            doc = generation.engine.find(f"doc:{rid}")
            if doc is None:
                return None
            record = generation.records[rid] = json.loads(generation.engine.stored(doc)["record"])
        return record

    @staticmethod
    def _find_unit(record: dict[str, Any], anchor: str) -> int | None:
        for i, u in enumerate(record["units"]):
            if u["anchor"] == anchor:
                return i
        return None

    def canonical(self, item_id: str) -> str:
        """The id a record or unit is kept under: an imported official text merged into the
        bundled summary of the same work answers to its own id too (cdc-2023-full/132)."""
        head, sep, rest = item_id.partition("/")
        target = self.manifest.get("aliases", {}).get(head)
        return target + sep + rest if target else item_id

    def get(self, item_id: str) -> dict[str, Any] | None:
        """A record (document) or a unit (provision, item, section) by id, as stored. The caller
        owns the top level and each unit's dict (pages add urls and links to them); what lies
        deeper is shared with the cache and only read."""
        item_id = self.canonical(item_id)
        record = self._record(item_id)
        if record is not None:
            return {**record, "units": [dict(u) for u in record["units"]]}
        if "/" not in item_id:
            return None
        rid, _, anchor = item_id.partition("/")
        record = self._record(rid)
        if record is None:
            return None
        anchor = anchor.split("/")[0]  # cdc-2023/132/2 → its article
        i = self._find_unit(record, anchor)
        if i is None:
            return None
        units, u = record["units"], record["units"][i]
        return {
            "id": f"{rid}/{anchor}",
            "kind": UNIT_KIND.get(record["kind"], record["kind"]),
            "document_id": rid,
            "document_title": record["title"],
            "document_kind": record["kind"],
            "number": u["number"],
            "title": u["title"],
            "heading": list(u["heading"]),
            "text": u["text"],
            "basis": list(u["basis"]),
            "category": u["category"],
            "gist": u.get("gist", ""),
            "stub": u.get("stub", False),
            "summary": record.get("summary", False),
            "source": record.get("source", ""),
            "issuer": record.get("issuer", ""),
            "date": record.get("date"),
            "previous": units[i - 1]["id"] if i > 0 else None,
            "next": units[i + 1]["id"] if i + 1 < len(units) else None,
            "links": {"violated_by": [], "cited_by": [], "cites": [], "related": []},
        }

    @staticmethod
    def _dedupe(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One row per id; a direct link wins over one that came through the correspondence table."""
        best: dict[str, dict[str, Any]] = {}
        for r in rows:
            if r["id"] not in best or (best[r["id"]]["via"] and not r["via"]):
                best[r["id"]] = r
        return list(best.values())

    def _edge_row(self, other: str, e: dict[str, Any]) -> dict[str, Any]:
        rec = self._record(other.split("/")[0]) or {}
        return {
            "id": other,
            "title": self.label(other),
            "date": when(rec.get("date"), rec.get("year")),
            "via": e.get("via", ""),
            "via_label": self.label(e["via"]) if e.get("via") else "",
            "origin": e["origin"],
            "sentence": e.get("sentence", ""),
        }

    def get_with_links(self, item_id: str) -> dict[str, Any] | None:
        """get(), with links filled. For a provision: the cases that violated it (curated, with
        counts by year and sanction; ``via`` names the other version's article when the link came
        through the correspondence table), the records citing it, and suggestions; for a list item
        also the newest cases under the provisions it rests on (``basis_cases``). For a record:
        what it violated and cited, its unresolved citations, and suggestions."""
        item = self.get(item_id)
        if item is None:
            return None
        generation = self.snapshot  # the link graph read once, from one generation
        if "units" in item:
            rid = item["id"]
            own = list(generation.by_source.get(rid, [])) + [
                e for u in item["units"] for e in generation.by_source.get(u["id"], [])
            ]
            item["links"] = {
                "violates": self._dedupe(
                    [self._edge_row(e["target"], e) for e in own if e["type"] == "violates"]
                ),
                "cites": self._dedupe([self._edge_row(e["target"], e) for e in own if e["type"] == "cites"]),
                "unresolved": generation.unresolved.get(rid, []),
            }
            linked = {e["target"] for e in own}
            item["links"]["related"] = (
                self.related(rid, "provision", exclude=linked) if item["kind"] == "case" else []
            )
            return item
        vb = self.violated_by(item["id"])
        via = {
            e["source"]: e.get("via", "")
            for e in generation.by_target.get(item["id"], [])
            if e["type"] == "violates"
        }
        for c in vb["cases"]:
            c["via"] = via.get(c["id"], "")
            c["via_label"] = self.label(c["via"]) if c["via"] else ""
        links = item["links"]
        links["violated_by"] = vb["cases"]
        links["violated_by_counts"] = {
            "total": vb["total"],
            "by_year": vb["by_year"],
            "by_sanction": vb["by_sanction"],
        }
        links["cited_by"] = self._dedupe(
            [
                self._edge_row(e["source"], e)
                for e in generation.by_target.get(item["id"], [])
                if e["type"] == "cites"
            ]
        )
        links["cites"] = self._dedupe(
            [
                self._edge_row(e["target"], e)
                for e in generation.by_source.get(item["id"], [])
                if e["type"] == "cites"
            ]
        )
        links["versions"] = [{"id": o, "title": self.label(o)} for o in self._counterparts(item["id"])]
        # a list item rests on provisions: the cases under those are its cases too
        links["basis_cases"] = self.cases_for(item["basis"], limit=10) if item.get("basis") else []
        linked = {c["id"] for c in vb["cases"]} | {c["id"] for c in links["cited_by"]}
        linked |= {c["id"] for c in links["basis_cases"]}
        links["related"] = self.related(item["id"], "case", exclude=linked)
        return item

    def _counterparts(self, unit_id: str) -> list[str]:
        return list(self.snapshot.versions.get(unit_id, []))

    def related(
        self, item_id: str, kind: str, limit: int = 5, exclude: set[str] | None = None
    ) -> list[dict[str, Any]]:
        """Suggestions by text similarity (more-like-this): shown apart, never mixed with curated links.
        The item's key terms leave out words in more than 5% of hits (收受, 春节 in a gift case):
        they add little to "like this" and made the query score thousands of hits. Kept per
        generation (a page is viewed more than once)."""
        key = (item_id, kind, limit, tuple(sorted(exclude or ())))
        related = self.snapshot.related
        if key not in related:
            engine = self.engine
            doc = engine.find(f"hit:{item_id}")
            out: list[dict[str, Any]] = []
            if doc is not None:
                try:
                    similar = engine.similar(doc, kind, limit + 5)
                except Exception:  # a suggestion's failure must not cost the page
                    similar = []
                for score, f in similar:
                    if f["id"] == item_id or (exclude and f["id"] in exclude):
                        continue
                    out.append(
                        {
                            "id": f["id"],
                            "title": self.label(f["id"]),
                            "score": round(score, 3),
                            "suggestion": True,
                        }
                    )
            related.put(key, out[:limit])
            return [dict(r) for r in out[:limit]]
        return [dict(r) for r in related[key]]

    def label(self, item_id: str) -> str:
        """A short human label for a record or unit id: 中国共产党纪律处分条例 第一百三十二条."""
        labels = self.snapshot.labels
        if item_id not in labels:
            label = item_id
            record = self._record(item_id)
            if record is not None:
                label = record["title"]
            elif "/" in item_id:
                rid, _, anchor = item_id.partition("/")
                parent = self._record(rid)
                i = self._find_unit(parent, anchor.split("/")[0]) if parent else None
                if i is not None:
                    u = parent["units"][i]
                    extra = u["title"] if u["title"] and u["title"] not in u["number"] else ""
                    label = " ".join(x for x in (parent["title"], u["number"], extra) if x)
            if label == item_id:
                return label  # not held: not remembered, so made-up ids cannot grow the cache
            labels[item_id] = label
        return labels[item_id]

    def _newest_cases(self, provision_ids: list[str], limit: int, facets: bool) -> dict[str, Any]:
        """The search behind violated_by and cases_for: cases linked to these provisions, by date."""
        return self.search(
            "",
            filters={"violates": list(provision_ids), "kind": ["case"]},
            sort="date",
            per_page=limit,
            facets=facets,
            snippets=False,
        )

    def violated_by(self, unit_id: str, limit: int = 200) -> dict[str, Any]:
        """Cases whose curated ``violates`` names this provision (or its counterpart in another
        version), newest first, with counts by year and sanction."""
        r = self._newest_cases([unit_id], min(limit, MAX_PER_PAGE), facets=True)
        cases = [
            {
                "id": h["id"],
                "title": h["title"],
                "date": h["date"],
                "year": h["year"],
                "when": when(h["date"], h["year"]),
                "sanctions": h["sanctions"],
            }
            for h in r["hits"]
        ]
        return {
            "total": r["total"],
            "cases": cases,
            "by_year": [{"value": x["value"], "count": x["count"]} for x in r["facets"].get("year", [])],
            "by_sanction": [
                {"value": x["value"], "count": x["count"]} for x in r["facets"].get("sanction", [])
            ],
        }

    def policy_index(self) -> Any:
        """The citation resolver's view of the policies in this generation (built once)."""
        from kb.links.resolve import PolicyIndex
        from kb.records import record_from_dump

        generation = self.snapshot
        if generation.policy_index is None:
            q = Q.And([Q.Term("entry", "document"), Q.Term("kind", "policy")])
            rows = generation.engine.top(q, limit=100_000)
            generation.policy_index = PolicyIndex([record_from_dump(json.loads(h["record"])) for h in rows])
        return generation.policy_index

    def similar_units(self, sentence: str, limit: int = 3) -> list[dict[str, Any]]:
        """List items and provisions that read like a sentence of a draft: the best BM25 matches
        that share at least two content words with it, one of them a domain term."""
        from indexer.analysis import cut, domain_terms

        words = {t for t in cut(sentence) if len(t) > 1}
        if len(words) < 2:
            return []
        q = Q.Or([Q.Term("text", w) for w in words])
        rules = Q.And(
            [Q.Term("entry", "hit"), Q.Or([Q.Term("kind", "list-item"), Q.Term("kind", "provision")])]
        )
        out = []
        generation = self.snapshot
        # the kind as a filter: inside the query, whoosh3's top-N let materials through
        for h in generation.engine.top(q, limit=10, filter=rules):
            if h.get("kind") not in ("list-item", "provision"):
                continue
            # a draft asks about the same provisions sentence after sentence: cut each once
            if h["id"] not in generation.tokens:
                generation.tokens[h["id"]] = set(cut(h["text"]))
            shared = words & generation.tokens[h["id"]]
            if len(shared) >= 2 and shared & domain_terms():
                out.append(
                    {
                        "id": h["id"],
                        "title": self.label(h["id"]),
                        "category": (h.get("category") or "").split(",")[0],
                        "provisions": [h["id"], *[v for v in (h.get("violates") or "").split(",") if v]],
                        "shared": sorted(shared),
                    }
                )
            if len(out) >= limit:
                break
        return out

    def cases_for(self, provision_ids: list[str], limit: int = 3) -> list[dict[str, Any]]:
        """Cases that violated any of these provisions (or their counterparts), newest first."""
        r = self._newest_cases(provision_ids, limit, facets=False)
        return [
            {
                "id": h["id"],
                "title": h["title"],
                "date": when(h["date"], h["year"]),
                "sanctions": h["sanctions"],
            }
            for h in r["hits"]
        ]

    def check(self, text: str) -> dict[str, Any]:
        """The draft check with this index: citations, cases and similar-text suggestions filled."""
        from kb.check import check_draft

        memo: dict[tuple[str, ...], list[dict[str, Any]]] = {}

        def cases(ids: list[str]) -> list[dict[str, Any]]:  # many flags share their provisions
            key = tuple(ids)
            if key not in memo:
                memo[key] = self.cases_for(ids)
            return memo[key]

        return check_draft(text, similar=self.similar_units, cite=self.label, cases=cases).dump()

    def browse(self, kind: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Document entries (records), newest first."""
        q: Q.Query = Q.Term("entry", "document")
        if kind:
            q = Q.And([q, Q.Term("kind", kind)])
        rows = self.engine.top(q, limit=limit, newest_first=True)
        return [{k: h.get(k) for k in ("id", "kind", "title", "date", "issuer")} for h in rows]


__all__ = ["RecordsMixin"]
