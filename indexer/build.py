"""``kb build``: corpus folders → a Whoosh index, built aside and swapped in atomically.

Layout of an index folder::

    CURRENT            the name of the generation being served (replaced atomically)
    gen-<n>/           Whoosh segments + manifest.json (record hashes, counts, edges)
    .build.lock        present while a build runs (holds the builder's pid)

A build writes a new generation (starting from a copy of the current one when only some
records changed), and only then points CURRENT at it. A failed or interrupted build leaves
CURRENT, and so the index being served, as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from indexer import pool
from indexer.analysis import ANALYSIS_VERSION, get_tokenizer
from indexer.engine import ENGINES, open_engine
from indexer.mpwriter import CheckedMpWriter
from indexer.schema import build_schema
from kb.categories import canonical, category_map
from kb.corpus import Corpus, Problem, load_corpus
from kb.links.anchors import anchor_texts
from kb.links.correspondence import load_correspondence
from kb.links.graph import build_edges
from kb.models import KIND_LABELS, Record, date_key

# 4: key is a column; 5: meta, anchor fields; 6: sort_date (year-only dates); 7: tantivy key hash;
# 8: tantivy counts a facet that leaves hits out from a field of its own; 9: tantivy stores a
# hit's fields packed in one value
SCHEMA_VERSION = "9"
CURRENT = "CURRENT"
LOCK = ".build.lock"
MANIFEST = "manifest.json"
Progress = Callable[[int, int], None]


class IndexBusy(RuntimeError):
    """Another build holds the lock."""


class BuildFailed(RuntimeError):
    """The corpus has errors; nothing was swapped in."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the corpus; the index was not changed")


class IndexIncomplete(RuntimeError):
    """The new generation does not hold exactly the entries the build wrote; it was not swapped in."""

    def __init__(self, gen: Path, problems: list[str]):
        self.gen, self.problems = gen, problems
        super().__init__(f"新索引 {gen.name} 不完整（{'；'.join(problems)}），未替换正在使用的索引")


class NoIndex(FileNotFoundError):
    """No index has been built in that folder yet."""


class IndexDamaged(RuntimeError):
    """A generation's files do not match what its build wrote, or Whoosh cannot read them."""

    def __init__(self, gen: Path, problems: list[str], message: str = ""):
        self.gen, self.problems = gen, problems
        super().__init__(
            message
            or f"索引 {gen} 已损坏（{'；'.join(problems)}）。运行 `kb build --full` 按语料重建（kb build 也会自动全量重建）"
        )


def built_by(manifest: dict[str, Any]) -> tuple[Any, Any]:
    """The (schema, analysis) versions a generation was built with."""
    return manifest.get("schema_version"), manifest.get("analysis_version")


def outdated(manifest: dict[str, Any]) -> bool:
    """Whether a generation was built by another version of the schema or the analysis."""
    return built_by(manifest) != (SCHEMA_VERSION, ANALYSIS_VERSION)


class IndexOutdated(IndexDamaged):
    """A generation built by an older version of the schema or the analysis: its entries do not
    say what this code reads them as. Rebuilt, never read (kb serve rebuilds it by itself)."""

    def __init__(self, gen: Path, found: tuple[Any, Any]):
        super().__init__(
            gen,
            [f"schema {found[0]}、analysis {found[1]}"],
            f"索引 {gen} 由旧版本建成（schema {found[0]}、analysis {found[1]}，现为 {SCHEMA_VERSION}、"
            f"{ANALYSIS_VERSION}）。运行 `kb build --full` 按语料重建（kb serve 会自动重建）",
        )


@dataclass
class BuildResult:
    generation: str
    path: Path
    records: int
    hits: int
    added: int
    removed: int
    unchanged: int
    seconds: float
    incremental: bool
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    damaged_previous: list[str] = field(default_factory=list)  # why the last one was not reused
    engine: str = "whoosh"


# ---------------------------------------------------------------- locking


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_start(pid: int) -> str:
    """When a process started, in clock ticks since boot (/proc/<pid>/stat field 22); "" where
    there is no /proc. A pid with another start time is another process that reused the number."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[-1].split()[19]


def _holder_is_building(pid: int, started: str) -> bool:
    """Whether the process a lock names is still the build that took it: alive, and started when
    the lock says (a reused pid — PID 1 in a container, our own — is not the builder)."""
    if pid <= 0 or not _alive(pid):
        return False
    now = process_start(pid)
    if started and now:
        return now == started
    if not now:  # no /proc: alive is all that can be known
        return True
    try:  # a lock from an older version, without the start time: is it a kb build at all?
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return False
    return "build" in cmdline


class BuildLock:
    """One writer at a time: an O_EXCL lock file holding the builder's pid and start time; a lock
    whose builder is gone (dead, or its pid reused by another process) is taken over."""

    def __init__(self, root: Path):
        self.path = root / LOCK

    def __enter__(self) -> BuildLock:
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                try:
                    parts = self.path.read_text().split()
                    pid = int(parts[0])
                except (OSError, ValueError, IndexError):
                    pid, parts = -1, []
                started = next((p.split("=", 1)[1] for p in parts if p.startswith("start=")), "")
                if _holder_is_building(pid, started):
                    raise IndexBusy(f"索引正由进程 {pid} 构建，请等它完成后再试（{self.path}）") from None
                self.path.unlink(missing_ok=True)  # stale: its builder is gone
                continue
            with os.fdopen(fd, "w") as f:
                stamp = dt.datetime.now().isoformat(timespec="seconds")
                f.write(f"{os.getpid()} start={process_start(os.getpid())} {stamp}\n")
            return self
        raise IndexBusy(f"无法取得建索引锁 {self.path}")

    def __exit__(self, *exc: object) -> None:
        self.path.unlink(missing_ok=True)


# ---------------------------------------------------------------- generations


def current_generation(root: Path) -> Path | None:
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    path = root / name
    return path if name and path.is_dir() else None


def read_manifest(gen: Path) -> dict[str, Any]:
    try:
        return json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:  # streamed: segment files run to hundreds of MB at 100k records
        return hashlib.file_digest(f, "sha256").hexdigest()


def file_table(gen: Path) -> dict[str, dict[str, Any]]:
    """Size and SHA-256 of every index file of a generation, as its build left them."""
    table = {}
    for f in sorted(gen.iterdir()):
        if f.is_file() and f.name != MANIFEST and not f.name.endswith(("WRITELOCK", ".lock")):
            table[f.name] = {"size": f.stat().st_size, "sha256": _sha256(f)}
    return table


def verify_generation(gen: Path, *, checksums: bool = True) -> list[str]:
    """What is wrong with a generation's files, by the manifest's table (sizes always, content
    hashes when ``checksums``); [] when nothing is. A generation without a table (built by an
    older version) is checked by opening it only."""
    if not (gen / MANIFEST).exists():
        return [f"{MANIFEST} 缺失"]
    try:
        manifest = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        return [f"{MANIFEST} 无法读取：{e}"]
    problems = []
    for name, want in manifest.get("files", {}).items():
        f = gen / name
        if not f.is_file():
            problems.append(f"{name} 缺失")
        elif f.stat().st_size != want["size"]:
            problems.append(f"{name} 大小 {f.stat().st_size} 字节，应为 {want['size']}")
        elif checksums and _sha256(f) != want["sha256"]:
            problems.append(f"{name} 内容校验不符")
    return problems


def open_generation(gen: Path, *, checksums: bool = False) -> tuple[Any, Any]:
    """(index, searcher) of a generation, or IndexDamaged naming what is wrong."""
    problems = verify_generation(gen, checksums=checksums)
    if problems:
        raise IndexDamaged(gen, problems)
    try:
        # read, not memory-mapped: a segment truncated under a running server then fails one
        # request with an error instead of killing the process with SIGBUS (about 14% slower)
        ix = FileStorage(str(gen), supports_mmap=False, readonly=True).open_index()
        searcher = ix.searcher()
        searcher.doc_count_all()
    except Exception as e:  # Whoosh raises EOFError, struct.error, KeyError… on damaged files
        raise IndexDamaged(gen, [f"Whoosh 无法打开：{type(e).__name__}: {e}"]) from e
    return ix, searcher


def _new_generation_name(root: Path) -> str:
    n = 1
    for p in root.glob("gen-*"):
        try:
            n = max(n, int(p.name.split("-")[1]) + 1)
        except (IndexError, ValueError):
            continue
    return f"gen-{n:06d}"


def _swap(root: Path, name: str) -> None:
    tmp = root / (CURRENT + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, root / CURRENT)


def _prune(root: Path, keep: Iterable[str]) -> None:
    """Remove generations other than the ones kept (the new one and the one it replaced, which a
    running server may still be reading), and leftovers of interrupted builds."""
    keep = set(keep)
    for p in root.glob("gen-*"):
        if p.name not in keep and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)


# ---------------------------------------------------------------- entries


def record_hash(record: Record, links: Links | None = None) -> str:
    """Content hash of a record and of what the links give it (so a case is re-indexed when the
    provisions it points to gain a counterpart)."""
    extra = links.signature(record) if links else ""
    data = json.dumps(
        record.dump() | {"path": "", "links": extra}, ensure_ascii=False, sort_keys=True, default=str
    )
    return hashlib.sha1(data.encode("utf-8")).hexdigest()


class Links:
    """The corpus-wide link context entries need: curated targets widened by correspondence."""

    def __init__(self, records: list[Record]):
        self.correspondence = load_correspondence(records)
        self.edges, self.unresolved = build_edges(records, self.correspondence)
        self.anchors = anchor_texts(records, self.edges)
        self.category_map = category_map(records)
        self._violates: dict[str, list[str]] = {}
        for e in self.edges:
            if e.type == "violates":
                bucket = self._violates.setdefault(e.source, [])
                if e.target not in bucket:
                    bucket.append(e.target)

    def violates(self, source: str) -> list[str]:
        return self._violates.get(source, [])

    def anchor(self, unit_id: str) -> str:
        return self.anchors.get(unit_id, "")

    def categories(self, values: Iterable[str]) -> list[str]:
        return canonical(values, self.category_map)

    def signature(self, record: Record) -> str:
        """What the links give a record's entries: a record is re-indexed when this changes (a
        new case names one of its provisions, so the provision's anchor words change)."""
        keys = [record.id, *(f"{record.id}/{u.anchor}" for u in record.units)]
        parts = [",".join(self.violates(k)) for k in keys]
        anchors = "\n".join(self.anchor(k) for k in keys)
        names = ",".join(self.categories([*record.categories, *(u.category for u in record.units)]))
        return "|".join(parts) + "#" + hashlib.sha1((anchors + names).encode("utf-8")).hexdigest()


_URL = re.compile(r"https?://\S+")


def meta_text(record: Record) -> str:
    """What a user may type about a record besides its words: its genre (执纪执法指导性案例,
    典型问题通报), issuer and publisher, 文号, the short names it is cited by (《条例》, 若干规定),
    keywords, the person's post and sanctions, where it was published (a guiding case's
    number lives in its source: 第3号), and the preface before its first unit."""
    parts = [
        KIND_LABELS.get(record.kind, ""),
        record.genre,
        record.issuer,
        record.publisher,
        record.doc_number,
        *record.short_names,
        *record.keywords,
        record.level,
        record.region,
        record.role,
        record.rank,
        *record.sanctions,
        _URL.sub(" ", record.source),
        record.preface[:4000],
    ]
    return "\n".join(p for p in parts if p)


def _kw(values: Iterable[str]) -> str:
    return ",".join(v.replace(",", "，").strip() for v in values if v and v.strip())


def entry_keys(record: Record) -> list[str]:
    """The index keys of one record's entries, as ``entries`` writes them."""
    if record.kind == "case":
        return [f"doc:{record.id}", f"hit:{record.id}"]
    return [f"doc:{record.id}", *(f"hit:{record.id}/{u.anchor}" for u in record.units if not u.stub)]


def held_keys(ix: Any) -> Counter[str]:
    """The keys of the live (not deleted) entries an index holds, read from the key column."""
    with ix.reader() as reader:
        column = reader.column_reader("key")
        return Counter(column[d] for d in reader.all_doc_ids())


def verify_complete(ix: Any, expected: Iterable[str], held: Counter[str] | None = None) -> list[str]:
    """What the index lacks or holds twice compared with the keys the build wrote; [] if none.
    ``held``: the keys, when the index is not a Whoosh one (tantivy counts them itself)."""
    held, want = (held if held is not None else held_keys(ix)), Counter(expected)
    problems = []
    missing = sorted(want - held)
    extra = sorted(held - want)
    if missing:
        problems.append(f"缺少 {len(missing)} 条（如 {', '.join(missing[:3])}）")
    if extra:
        problems.append(f"多出 {len(extra)} 条（如 {', '.join(extra[:3])}）")
    return problems


def hit_count(record: Record) -> int:
    """How many hits ``entries`` makes of a record: a case is one hit, other records one per unit."""
    return 1 if record.kind == "case" else len(record.units)


def entries(record: Record, links: Links | None = None) -> Iterator[dict[str, Any]]:
    """The index entries of one record: its document entry, then its hits."""
    violates = links.violates(record.id) if links else list(record.violates)
    cats = links.categories if links else (lambda values: canonical(values, {}))
    date = record.date.isoformat() if record.date else ""
    year = str(record.year or (record.date.year if record.date else "") or "")
    common = {
        "doc_id": record.id,
        "doc_title": record.title,
        "date": date,
        "sort_date": date_key(record.date, record.year),
        "year": year,
        "issuer": record.issuer or record.publisher,
        "region": record.region,
        "rank": record.rank,
        "sanction": _kw(record.sanctions),
        "violates": _kw(violates),
        "summary": record.summary,
        "meta": meta_text(record),
    }
    yield {
        **common,
        "key": f"doc:{record.id}",
        "id": record.id,
        "entry": "document",
        "kind": record.kind,
        "title": record.title,
        "category": _kw(cats(record.categories)),
        "ordinal": 0,
        "record": json.dumps(record.dump(), ensure_ascii=False, default=str),
    }
    if record.kind == "case":
        body = "\n\n".join(
            f"【{u.number}】\n{u.text}" if u.number != "正文" else u.text for u in record.units
        )
        yield {
            **common,
            "key": f"hit:{record.id}",
            "id": record.id,
            "entry": "hit",
            "kind": "case",
            "title": record.title,
            "number": "",
            "heading": "",
            "text": body,
            # The bigram recall net covers a case's title only: a case body is long (2,400
            # characters on average in the analyses), its bigrams were 70% of a build's postings,
            # and its words already carry dictionary sub-words. Relevance did not move.
            "bigram": record.title,
            "category": _kw(cats(record.categories)),
            "anchor": links.anchor(record.id) if links else "",
            "ordinal": 1,
        }
        return
    for i, u in enumerate(record.units, start=1):
        if u.stub:
            continue  # a placeholder is a page to read, never a hit (issue 17)
        uid = f"{record.id}/{u.anchor}"
        text = u.text or u.title
        yield {
            **common,
            "key": f"hit:{uid}",
            "id": uid,
            "entry": "hit",
            "kind": record.unit_kind,
            "title": " ".join(
                x for x in (u.number, u.title) if x
            ),  # 第一百三十二条 and 三、精简文件简报 are searchable
            "number": u.number,
            "heading": " / ".join(u.heading),
            "text": text,
            "bigram": f"{u.title}\n{text}",
            "category": _kw(cats([u.category, *record.categories])),
            # the chapter path (第八章 对违反廉洁纪律行为的处分) is something people search for too
            "meta": common["meta"] + "\n" + "\n".join(u.heading),
            "anchor": links.anchor(uid) if links else u.gist,
            "violates": _kw(links.violates(uid) if links else u.basis)
            if record.kind == "list"
            else common["violates"],
            "ordinal": i,
        }


# ---------------------------------------------------------------- build


@dataclass
class Todo:
    """The records a build writes, handed to the writer to consume: each record leaves the
    queue as its entries are written, so a build does not hold the whole corpus's text to its
    end (at 100k records the text is most of the corpus's ~800 MB)."""

    records: deque[Record]
    hits: int  # entries the records make: a document entry and its hits each
    ids: list[str]

    @classmethod
    def of(cls, records: Iterable[Record]) -> Todo:
        queue = deque(records)
        return cls(queue, sum(1 + hit_count(r) for r in queue), [r.id for r in queue])

    def entries(self, links: Links) -> Iterator[dict[str, Any]]:
        while self.records:
            yield from entries(self.records.popleft(), links)

    def keys(self, expected: list[str]) -> list[str]:
        """The keys of the entries this build writes, among every entry's (``entry_keys``:
        ``doc:<record>``, ``hit:<record>`` or ``hit:<record>/<unit>``)."""
        ids = set(self.ids)
        return [k for k in expected if k.partition(":")[2].partition("/")[0] in ids]


def _write_generation(
    gen: Path,
    previous: Path | None,
    todo: Todo,
    expected: list[str],
    links: Links,
    removed: list[str],
    old_hashes: dict[str, str],
    incremental: bool,
    progress: Progress | None,
    procs: int | None,
    limitmb: int,
    engine: str = "whoosh",
) -> list[str]:
    """Write ``todo`` (the records new or changed, or every record) into a generation in
    ``gen`` and prove it holds exactly the corpus's entries (``expected``, their keys).

    Returns what is missing when an incremental build finds the copied generation lacking
    entries of records it did not touch, so the caller writes everything afresh, else []; any
    other shortfall raises IndexIncomplete, and a writer process that dies raises
    WriterDied, so a generation that lost entries is never swapped in."""
    if engine == "tantivy":
        return _write_tantivy(
            gen, previous, todo, expected, links, removed, old_hashes, incremental, progress, procs
        )
    if incremental and previous is not None:
        shutil.copytree(previous, gen)
        ix = whoosh_index.open_dir(str(gen))
    else:
        gen.mkdir()
        ix = whoosh_index.create_in(str(gen), build_schema())
    # entries are made as they are written, not held in a list: at 100k records the list
    # (stored record JSON included) was most of the build's 5.4 GB peak
    n_todo = todo.hits
    workers = procs if procs is not None else (min(2, os.cpu_count() or 1) if n_todo >= 500 else 1)
    writer = (
        CheckedMpWriter(ix, procs=workers, multisegment=True, limitmb=limitmb)
        if workers > 1
        else ix.writer(limitmb=limitmb)
    )
    try:
        if incremental:
            for rid in removed + [rid for rid in todo.ids if rid in old_hashes]:
                writer.delete_by_term("doc_id", rid)
        for i, e in enumerate(todo.entries(links), start=1):
            writer.add_document(**e)
            if progress and (i % 200 == 0 or i == n_todo):
                progress(i, n_todo)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    # the proof: the generation holds every entry of every record, once, and nothing else
    problems = verify_complete(ix, expected)
    if problems and incremental:
        held = held_keys(ix)
        if all(k in held for k in todo.keys(expected)):  # what this build wrote is there; the copy was short
            return problems
    if problems:
        raise IndexIncomplete(gen, problems)
    return []


def _write_tantivy(
    gen: Path,
    previous: Path | None,
    todo: Todo,
    expected: list[str],
    links: Links,
    removed: list[str],
    old_hashes: dict[str, str],
    incremental: bool,
    progress: Progress | None,
    procs: int | None,
) -> list[str]:
    """The tantivy writer: one process, the same entries, the same proof of completeness from
    the keys tantivy holds. One indexing thread unless ``procs`` asks for more: this process
    cuts the words (the slow part) and feeds it, so a second thread only splits the index into
    two segments, and every search and facet count then runs twice (at 2k a search took 2.7
    ms on two segments, 2.3 on one; the 10k build was no slower)."""
    from indexer import tantivy_engine as te

    if incremental and previous is not None:
        shutil.copytree(previous, gen, ignore=shutil.ignore_patterns("*.lock"))
        index = te.open_index(gen)
    else:
        gen.mkdir()
        index = te.create_index(gen)
    n_todo = todo.hits
    writer = index.writer(heap_size=TANTIVY_HEAP, num_threads=max(1, procs or 1))
    try:
        if incremental:
            for rid in removed + [rid for rid in todo.ids if rid in old_hashes]:
                writer.delete_documents_by_term("doc_id", rid)
        for i, e in enumerate(todo.entries(links), start=1):
            writer.add_document(te.to_document(e))
            if progress and (i % 200 == 0 or i == n_todo):
                progress(i, n_todo)
        writer.commit()
        writer.wait_merging_threads()
    except BaseException:
        with contextlib.suppress(Exception):
            writer.rollback()
        raise
    index.reload()
    held = te.held_keys(index, expected)
    problems = verify_complete(None, expected, held)
    if problems and incremental and all(k in held for k in todo.keys(expected)):
        return problems
    if problems:
        raise IndexIncomplete(gen, problems)
    return []


def _held(gen: Path, engine: str, expected: list[str]) -> Counter[str]:
    """The keys a generation holds, read by its engine (tantivy names them from ``expected``)."""
    if engine == "tantivy":
        from indexer import tantivy_engine as te

        return te.held_keys(te.open_index(gen), expected)
    ix = whoosh_index.open_dir(str(gen))
    try:
        return held_keys(ix)
    finally:
        ix.close()


TANTIVY_HEAP = 256_000_000  # bytes tantivy's writer buffers before it flushes a segment


def _dumped(o: Any) -> Any:
    """The manifest's objects that are kept as objects until written (unresolved citations)."""
    if hasattr(o, "dump"):
        return o.dump()
    raise TypeError(f"{type(o).__name__} is not JSON serialisable")


def build_index(
    corpus_dirs: list[Path],
    root: Path,
    *,
    full: bool = False,
    progress: Progress | None = None,
    procs: int | None = None,
    limitmb: int = 256,
    engine: str | None = None,
) -> BuildResult:
    """Build (or update) the index in ``root`` from the corpus folders. Raises BuildFailed when
    the corpus has errors and IndexBusy when another build runs; the served index is untouched
    in both cases, and in any other failure. ``limitmb``: postings a writer process sorts in
    memory before it spills a sorted run to a temporary file (indexer/pool.py)."""
    started = time.perf_counter()
    root.mkdir(parents=True, exist_ok=True)
    with BuildLock(root):
        corpus: Corpus = load_corpus(corpus_dirs)
        if corpus.errors:
            raise BuildFailed(corpus.errors)
        previous = current_generation(root)
        manifest = read_manifest(previous) if previous else {}
        # the engine asked for, else the one the index was built with, else $KB_ENGINE or Whoosh
        engine = (
            engine
            or (manifest.get("engine") if manifest else None)
            or os.environ.get("KB_ENGINE")
            or "whoosh"
        )
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}: {engine!r}")
        links = Links(corpus.records)
        hashes = {r.id: record_hash(r, links) for r in corpus.records}
        counts: Counter[str] = Counter()
        for r in corpus.records:
            counts[r.unit_kind] += hit_count(r)
        expected = [k for r in corpus.records for k in entry_keys(r)]  # every entry's key, in order
        old_hashes: dict[str, str] = manifest.get("records", {})
        compatible = not outdated(manifest) and manifest.get("engine", "whoosh") == engine
        incremental = bool(previous) and compatible and not full
        damaged: list[str] = []
        if incremental and previous is not None:
            damaged = verify_generation(previous, checksums=True)
            if not damaged:
                try:  # never copy a damaged generation forward
                    open_engine(previous, manifest).close()
                except IndexDamaged as e:
                    damaged = e.problems
            incremental = not damaged
        if (
            incremental
            and previous is not None
            and hashes == old_hashes
            and manifest.get("corpus") == [str(Path(d).resolve()) for d in corpus_dirs]
            and not verify_complete(None, expected, _held(previous, engine, expected))
        ):  # nothing to write, and the current generation's checksums and entries proved: it stays
            return BuildResult(
                generation=previous.name,
                path=previous,
                records=len(corpus.records),
                hits=sum(counts.values()),
                added=0,
                removed=0,
                unchanged=len(corpus.records),
                seconds=time.perf_counter() - started,
                incremental=True,
                counts=dict(counts),
                warnings=[p for p in corpus.problems if p.severity != "error"],
                engine=engine,
            )
        name = _new_generation_name(root)
        gen = root / name
        get_tokenizer()  # load jieba once, before any writer process forks
        pool.install()
        n_records = len(corpus.records)
        removed = sorted(set(old_hashes) - set(hashes)) if incremental else []
        todo = Todo.of(r for r in corpus.records if not incremental or old_hashes.get(r.id) != hashes[r.id])
        written = len(todo.ids)
        corpus.records = []  # the writer holds the records it writes, each until it is written
        try:
            short = _write_generation(
                gen, previous, todo, expected, links, removed, old_hashes, incremental, progress, procs,
                limitmb, engine,
            )  # fmt: skip
            if short:  # the copied generation lacked entries: write everything afresh
                damaged = [f"上一版索引不完整（{'；'.join(short)}）"]
                incremental = False
                shutil.rmtree(gen)
                todo = Todo.of(load_corpus(corpus_dirs).records)  # read again: the first went as written
                written, removed = len(todo.ids), []
                _write_generation(
                    gen, previous, todo, expected, links, [], {}, False, progress, procs, limitmb, engine
                )
            new_manifest = {
                "built": dt.datetime.now().isoformat(timespec="seconds"),
                "generation": name,
                "analysis_version": ANALYSIS_VERSION,
                "schema_version": SCHEMA_VERSION,
                "engine": engine,
                "corpus": [str(Path(d).resolve()) for d in corpus_dirs],
                "corpus_hash": hashlib.sha1("".join(sorted(hashes.values())).encode()).hexdigest(),
                "records": hashes,
                "counts": {"records": n_records, "hits": sum(counts.values()), **dict(counts)},
                "warnings": [p.dump() for p in corpus.problems if p.severity != "error"],
                "edges": [e.dump() for e in links.edges],
                "unresolved": links.unresolved,
                "aliases": corpus.aliases,
                "merged": corpus.merged,
                "correspondence": links.correspondence.rows,
                "recovered_from": {"generation": previous.name, "problems": damaged}
                if damaged and previous
                else None,
                "files": file_table(gen),
            }
            # written as it is encoded: at 100k records the manifest is ~300 MB of JSON, which as
            # one string (and its UTF-8 copy) was the build's peak memory
            with (gen / MANIFEST).open("w", encoding="utf-8") as out:
                json.dump(new_manifest, out, ensure_ascii=False, separators=(",", ":"), default=_dumped)
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            raise
        _swap(root, name)
        _prune(root, {name, previous.name if previous else name})
    return BuildResult(
        generation=name,
        path=gen,
        records=n_records,
        hits=sum(counts.values()),
        added=written,
        removed=len(removed),
        unchanged=n_records - written,
        seconds=time.perf_counter() - started,
        incremental=incremental,
        counts=dict(counts),
        warnings=[p for p in corpus.problems if p.severity != "error"],
        damaged_previous=damaged,
        engine=engine,
    )
