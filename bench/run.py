"""Benchmarks: import and build throughput, search latency with a warm searcher, cold start,
draft check, and the same generated corpus in SQLite FTS5 and tantivy, as ratios.

    python bench/run.py --quick          # real texts without the 940 analyses + a generated 2,000
    python bench/run.py                  # all real texts + a generated 10,000, and the load test
    python bench/run.py --scale 100000   # add (or replace with) other generated sizes

Prints tables, checks the performance budget in bench/budget.toml (the README states the same
figures) and writes bench/results/<date>-<mode>.json. Figures are medians and p95 over repeated
runs on whatever machine runs it (the JSON records which). Generated corpora (bench/generate.py)
are made of real sentences and live in a temporary folder only."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
SHARED = Path(os.environ.get("KB_SHARED", ROOT.parent / "shared"))

QUERIES = {
    "plain": ["文山会海", "公款吃喝", "收受礼金", "督检考", "形式主义", "给领导送礼", "公车私用", "处分"],
    "phrase": ['"基层减负"', '"形式主义"', '"违反中央八项规定精神"', '"过度留痕"'],
    "filtered": ["类型:案例 处分:党内警告", "形式主义 年份:2021", "礼金 类型:条文"],
    # words that do not all stand together: the search relaxes to most, then any of them
    "relaxed": [
        "请客 督检考",
        "搞变通 隐形变异 四风",
        "调研扰民",
        "公车私用 文山会海 礼金",
        "留痕 宴请 借调",
    ],
}
PEER_MODES = {  # what the peers are timed on: the plain and phrase queries, then with extras
    "plain": ("plain", {}),
    "phrase": ("phrase", {}),
    "with facets": ("plain", {"facets": True}),
    "facets + highlights": ("plain", {"facets": True, "highlights": True}),
}


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def summary(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 1), "p95": round(pct(values, 95), 1), "n": len(values)}


def build_in_subprocess(corpora: list[Path], index: Path, engine: str = "whoosh") -> dict[str, Any]:
    """`build_index` in a fresh process, so its peak memory (writer processes included) is its own."""
    code = (
        "import json, resource, sys, threading, time\n"
        "from pathlib import Path\n"
        "from indexer.build import build_index\n"
        # RSS counts the index files tantivy maps while it merges and proves the generation, which
        # the kernel drops under pressure; the anonymous part is the memory the build needs
        "peak = {'anon': 0, 'file': 0}\n"
        "def sample():\n"
        "    while True:\n"
        "        f = dict(l.split(':', 1) for l in open('/proc/self/status') if l.startswith('Rss'))\n"
        "        anon, file = (int(f.get(k, '0 kB').split()[0]) for k in ('RssAnon', 'RssFile'))\n"
        "        if anon > peak['anon']: peak.update(anon=anon, file=file)\n"
        "        time.sleep(0.2)\n"
        "threading.Thread(target=sample, daemon=True).start()\n"
        "t = time.perf_counter()\n"
        f"r = build_index([Path(p) for p in {[str(c) for c in corpora]!r}], Path({str(index)!r}), engine={engine!r})\n"
        "s = time.perf_counter() - t\n"
        "me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps({'records': r.records, 'hits': r.hits, 'seconds': s, 'incremental': r.incremental,"
        " 'peak_rss_mb': round(me / 1024), 'peak_rss_writer_mb': round(kids / 1024),"
        " 'peak_anon_mb': round(peak['anon'] / 1024), 'file_mapped_at_peak_anon_mb': round(peak['file'] / 1024)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"build failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def latency(service: Any, repeat: int) -> dict[str, dict[str, float]]:
    out: dict[str, list[float]] = {}
    for kind, queries in QUERIES.items():
        for q in queries:  # warm up (facet tables, caches)
            service.search(q)
        out[kind] = [
            x
            for q in queries
            for x in timed(lambda q=q: service.search(q, facets=False, snippets=False), repeat)
        ]
    plain = QUERIES["plain"]
    # as the search page asks: the values of each facet it shows (web/views/search.py)
    from web.views.search import FACET_FOLDED, FACET_SHOWN

    shown = FACET_SHOWN + FACET_FOLDED
    out["with facets"] = [
        x
        for q in plain
        for x in timed(lambda q=q: service.search(q, snippets=False, facet_values=shown), repeat)
    ]
    out["facets + highlights"] = [
        x for q in plain for x in timed(lambda q=q: service.search(q, facet_values=shown), repeat)
    ]
    result = {k: summary(v) for k, v in out.items()}
    # relaxation must not run away: relaxed queries against plain ones (the search issue: ≤ 2×)
    result["relaxed / plain"] = {
        "median": round(result["relaxed"]["median"] / max(result["plain"]["median"], 1e-6), 2),
        "p95": round(result["relaxed"]["p95"] / max(result["plain"]["p95"], 1e-6), 2),
    }
    return result


def peer_runs(corpora: list[Path], tmp: Path, repeat: int) -> dict[str, Any]:
    """FTS5 and tantivy over the same hits, pre-tokenised once by the project's analyzer."""
    from peers import build_peer, make_peers, pretokenise

    from indexer.build import Links, entries
    from kb.corpus import load_corpus

    corpus = load_corpus(corpora)
    links = Links(corpus.records)
    hits = [e for r in corpus.records for e in entries(r, links) if e["entry"] == "hit"]
    t = time.perf_counter()
    docs = pretokenise(hits)
    result: dict[str, Any] = {"hits": len(docs), "pretokenise_seconds": round(time.perf_counter() - t, 2)}
    for peer in make_peers(tmp):
        row: dict[str, Any] = {"build_seconds": round(build_peer(peer, docs), 2)}
        for mode, (qset, kw) in PEER_MODES.items():
            for q in QUERIES[qset]:
                peer.search(q, **kw)
            row[mode] = summary(
                [
                    x
                    for q in QUERIES[qset]
                    for x in timed(lambda q=q, kw=kw, p=peer: p.search(q, **kw), repeat)
                ]
            )
        result[peer.name] = row
    return result


def parity(index: Path, fts5_db: Path, repeat: int, rounds: int = 7) -> dict[str, Any]:
    """Our search and SQLite FTS5's, both with facets and highlights, timed in alternating
    rounds over the plain queries. A shared VM's speed drifts by tens of percent within a run,
    and the peers are timed minutes after our engine is: the two medians in the tables compare
    the drift as much as the engines. Alternating rounds give both the same moments."""
    from peers import Fts5

    from indexer.search import SearchService
    from web.views.search import FACET_FOLDED, FACET_SHOWN

    service = SearchService(index, results_cached=0)
    fts5 = Fts5(fts5_db)
    plain, shown = QUERIES["plain"], FACET_SHOWN + FACET_FOLDED
    engines = {
        "ours": lambda q: service.search(q, facet_values=shown),
        "fts5": lambda q: fts5.search(q, facets=True, highlights=True),
    }
    for q in plain:  # warm up
        for run in engines.values():
            run(q)
    samples: dict[str, list[float]] = {name: [] for name in engines}
    ratios = []
    for _ in range(rounds):
        medians = {}
        for name, run in engines.items():
            times = [x for q in plain for x in timed(lambda q=q, run=run: run(q), repeat)]
            samples[name] += times
            medians[name] = statistics.median(times)
        ratios.append(round(medians["ours"] / medians["fts5"], 2))
    service.close()
    return {
        "engine": service_engine(index),
        "rounds": rounds,
        "ours": summary(samples["ours"]),
        "fts5": summary(samples["fts5"]),
        "ratio": round(statistics.median(samples["ours"]) / statistics.median(samples["fts5"]), 2),
        "round_ratios": ratios,
    }


def service_engine(index: Path) -> str:
    from indexer.build import current_generation, read_manifest

    gen = current_generation(index)
    return read_manifest(gen).get("engine", "whoosh") if gen else "?"


def cold_start(index: Path) -> dict[str, float]:
    from load import start_server, stop_server

    proc, url, seconds = start_server(index, workers=1)
    try:
        import urllib.parse
        import urllib.request

        t = time.perf_counter()
        urllib.request.urlopen(url + "/search?q=" + urllib.parse.quote("形式主义"), timeout=120).read()
        first = time.perf_counter() - t
    finally:
        stop_server(proc)
    return {"serve_ready_seconds": round(seconds, 2), "first_search_seconds": round(first, 2)}


def real_corpus(tmp: Path, quick: bool) -> tuple[dict[str, Any], list[Path]]:
    from kb.corpus import default_corpus
    from kb.ingest import import_paths

    real = SHARED / "real"
    sources = [
        ([SHARED / "seeds"], "material", {}),
        ([real / "xt/cases-ccdi-guiding"], "case", {}),
        ([real / "xt/dangfa/dangfa008.md"], "policy", {"id": "b-cdc-2023"}),
        ([real / "xt/dangfa/dangfa009.md"], "policy", {"id": "b-cdc-2018", "issuer": "中共中央"}),
    ]
    if not quick:
        sources.append(([real / "xt/case-analyses"], "case", {}))
    t = time.perf_counter()
    n_records = chars = 0
    for paths, kind, over in sources:
        report = import_paths(paths, kind, tmp / "imported", over)
        n_records += len(report.records)
        chars += sum(len(r.text) for r in report.records)
    secs = time.perf_counter() - t
    imp = {
        "records": n_records,
        "chars": chars,
        "seconds": round(secs, 2),
        "records_per_s": round(n_records / secs, 1),
        "chars_per_s": round(chars / secs),
    }
    return imp, [default_corpus(), tmp / "imported"]


def measure_corpus(
    name: str, corpora: list[Path], tmp: Path, repeat: int, peers: bool, chars: int, engine: str = "whoosh"
) -> dict[str, Any]:
    from indexer.build import build_index
    from indexer.search import SearchService

    index = tmp / f"index-{name}"
    b = build_in_subprocess(corpora, index, engine)
    b["records_per_s"] = round(b["records"] / b["seconds"], 1)
    b["chars_per_s"] = round(chars / b["seconds"])
    b["seconds"] = round(b["seconds"], 2)
    b["unchanged_rebuild_seconds"] = round(build_index(corpora, index).seconds, 2)
    out: dict[str, Any] = {"chars": chars, "engine": engine, "build": b}
    t = time.perf_counter()
    service = SearchService(index, results_cached=0)  # the work of a search, not the result cache
    out["open_seconds"] = round(time.perf_counter() - t, 2)
    out["search_ms"] = latency(service, repeat)
    service.close()
    out["cold_start"] = cold_start(index)
    if peers:
        out["peers"] = peer_runs(corpora, tmp / f"peers-{name}", repeat)
    out["index"] = str(index)
    return out


def check_draft_speed(index: Path) -> dict[str, Any]:
    from indexer.search import SearchService
    from kb.check import check_draft

    draft = (
        "关于开展专项整治的通知\n"
        + "请各村每日在工作群打卡上传照片，各乡镇将台账分别报送县委办和县政府办。" * 30_000
    )
    draft = draft[:1_000_000]
    runs, flags = [], 0
    for _ in range(3):  # best and median of three, as timeit reports: one run on a shared VM varies ±20%
        t = time.perf_counter()
        result = check_draft(draft)
        runs.append(time.perf_counter() - t)
        flags = len(result.flags)
        del result
    out = {
        "chars": len(draft),
        "rules_only_seconds": round(min(runs), 2),
        "rules_only_median_seconds": round(sorted(runs)[1], 2),
        "flags": flags,
    }
    service = SearchService(index)
    t = time.perf_counter()
    service.check(draft[:20_000])
    out["with_index_20k_chars_seconds"] = round(time.perf_counter() - t, 2)
    return out


def citation_speed(tmp: Path) -> dict[str, Any]:
    """Citation resolution over the case analyses, at a quarter, a half and all of them: the time
    per record must stay flat (linear in the number of records)."""
    sys.path.insert(0, str(ROOT))
    from kb.corpus import default_corpus, load_corpus
    from kb.ingest.importer import build_records
    from kb.links.find import find_citations
    from kb.links.resolve import PolicyIndex, resolve_citations
    from tests.official import import_official

    import_official(SHARED / "real", tmp / "official")
    index = PolicyIndex(load_corpus([default_corpus(), tmp / "official"]).records)
    records = [
        r
        for p in sorted((SHARED / "real/xt/case-analyses").glob("[0-9]*.md"))
        for r in build_records(p, "case", {})[0]
    ]
    out: dict[str, Any] = {}
    for n in (len(records) // 4, len(records) // 2, len(records)):
        t = time.perf_counter()
        cites = 0
        for r in records[:n]:
            res = resolve_citations(find_citations("\n".join(u.text for u in r.units)), r, index)
            cites += len(res)
        secs = time.perf_counter() - t
        out[str(n)] = {
            "seconds": round(secs, 2),
            "citations": cites,
            "ms_per_record": round(secs * 1000 / n, 2),
        }
    return out


def lookup(results: dict[str, Any], path: str) -> Any:
    node: Any = results
    for part in path.split("/"):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def check_budget(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each budget line against what this run measured (lines for sizes not run are skipped)."""
    budget = tomllib.loads((ROOT / "bench" / "budget.toml").read_text(encoding="utf-8"))
    rows = []
    for line in budget["line"]:
        value = lookup(results, line["path"])
        if value is None:
            continue
        ok = value <= line["max"] if "max" in line else value >= line["min"]
        rows.append({**line, "measured": value, "ok": ok})
    return rows


def print_corpus(name: str, c: dict[str, Any]) -> None:
    b = c["build"]
    print(f"\n== {name}: {b['records']:,} records, {b['hits']:,} hits, {c['chars']:,} chars")
    print(
        f"build  : {b['seconds']} s ({b['records_per_s']} rec/s, {b['chars_per_s']:,} chars/s); "
        f"peak RSS {b['peak_rss_mb']} MB (+ writer processes {b['peak_rss_writer_mb']} MB), "
        f"anonymous {b.get('peak_anon_mb')} MB at most ({b.get('file_mapped_at_peak_anon_mb')} MB of "
        "mapped files then); "
        f"unchanged rebuild {b['unchanged_rebuild_seconds']} s"
    )
    cs = c["cold_start"]
    print(f"serve  : ready in {cs['serve_ready_seconds']} s, first search {cs['first_search_seconds']} s")
    peers = c.get("peers", {})
    names = [k for k in peers if isinstance(peers[k], dict)]
    head = "".join(f" | {n:>22}" for n in names)
    ours = f"{c.get('engine', 'whoosh')} (ours)"
    print(f"search (ms, median / p95) | {ours:>22}{head}")
    for mode, v in c["search_ms"].items():
        row = f"  {mode:<23} | {v['median']:>8} / {v['p95']:<8}    "
        for n in names:
            pv = peers[n].get(mode)
            if pv:
                ratio = v["median"] / pv["median"] if pv["median"] else float("inf")
                row += f" | {pv['median']:>6} / {pv['p95']:<6} ×{ratio:>5.0f}"
            else:
                row += f" | {'':>22}"
        print(row)
    if peers:
        builds = ", ".join(f"{n} {peers[n]['build_seconds']} s" for n in names)
        print(
            f"peers  : same {peers['hits']:,} hits, jieba pre-tokenised once in {peers['pretokenise_seconds']} s "
            f"(not in their build times): {builds}. ×N = our median / peer median."
        )


def _has_tantivy() -> bool:
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--quick", action="store_true", help="fewer texts, a 2,000-record generated corpus, fewer repeats"
    )
    ap.add_argument(
        "--scale", type=int, action="append", help="generated corpus sizes (default 2,000 quick, 10,000 full)"
    )
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument(
        "--load",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run the wrk load test (default: full runs)",
    )
    ap.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (indexes, generated corpora)"
    )
    ap.add_argument("--repeat", type=int, help="timed repeats per query (default 3 quick, 10 full)")
    ap.add_argument("--no-real", action="store_true", help="only the generated corpora")
    ap.add_argument(
        "--engine",
        action="append",
        choices=["whoosh", "tantivy"],
        help="engines to measure (repeatable; default both when tantivy is installed); tantivy "
        "corpora are reported as <name>-tantivy",
    )
    args = ap.parse_args()
    if not SHARED.exists():
        sys.exit(f"{SHARED} is absent: the benchmark reads the real documents from ../shared")
    from generate import write_corpus

    from kb.corpus import default_corpus

    mode = "quick" if args.quick else "full"
    if args.scale and not args.quick:
        mode = "scale-" + "-".join(str(n) for n in args.scale)
    if args.engine:
        mode += "-" + "-".join(args.engine)
    sizes = args.scale or ([2000] if args.quick else [10000])
    engines = args.engine or ["whoosh"] + (["tantivy"] if _has_tantivy() else [])

    def named(name: str, engine: str) -> str:
        return name if engine == "whoosh" else f"{name}-{engine}"

    repeat = args.repeat or (3 if args.quick else 10)
    results: dict[str, Any] = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "mode": mode,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "corpora": {},
    }
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    try:
        if not args.no_real:
            imp, corpora = real_corpus(tmp, args.quick)
            results["import"] = imp
            for engine in engines:
                results["corpora"][named("real", engine)] = measure_corpus(
                    named("real", engine), corpora, tmp, repeat, False, imp["chars"], engine
                )
            first = named("real", engines[0])
            results["check"] = check_draft_speed(Path(results["corpora"][first]["index"]))
            results["citations"] = citation_speed(tmp)
        for n in sizes:
            t = time.perf_counter()
            gen_dir = tmp / f"gen-{n}"
            chars = write_corpus(n, gen_dir, SHARED)
            print(f"generated {n:,} records in {time.perf_counter() - t:.1f} s", file=sys.stderr)
            for i, engine in enumerate(engines):
                results["corpora"][named(str(n), engine)] = measure_corpus(
                    named(str(n), engine),
                    [default_corpus(), gen_dir],
                    tmp,
                    repeat,
                    not args.no_peers and i == 0,
                    chars,
                    engine,
                )
            fts5_db = tmp / f"peers-{named(str(n), engines[0])}" / "fts5.sqlite"
            if fts5_db.exists():  # the fastest of our engines against FTS5, in alternating rounds
                ours = results["corpora"][named(str(n), engines[-1])]["index"]
                results[f"parity-{n}"] = parity(Path(ours), fts5_db, max(repeat, 5))
        first = next(iter(results["corpora"].values()), None)
        if first is not None:
            from hostile import run as hostile_run

            results["hostile"] = hostile_run(Path(first["index"]))
        if args.load if args.load is not None else not args.quick:
            from load import run as load_run

            if shutil.which("wrk"):
                n = str(max(sizes))
                for engine in engines:
                    name = named(n, engine)
                    results[named("load", engine)] = {
                        "corpus": name,
                        **load_run(
                            Path(results["corpora"][name]["index"]),
                            [default_corpus(), tmp / f"gen-{n}"],
                            workers=2,
                            seconds=20,
                            connections=8,
                        ),
                    }
            else:
                print("wrk is not installed (apt install wrk): no load test", file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["budget"] = check_budget(results)

    out = ROOT / "bench" / "results" / f"{dt.date.today().isoformat()}-{mode}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    m = results["machine"]
    print(f"machine: {m['platform']}, {m['cpus']} cpus, Python {m['python']}; {results['seconds']} s in all")
    if "import" in results:
        imp = results["import"]
        print(
            f"import : {imp['records']} records, {imp['chars']:,} chars in {imp['seconds']} s "
            f"({imp['records_per_s']} rec/s, {imp['chars_per_s']:,} chars/s)"
        )
    for name, c in results["corpora"].items():
        print_corpus(name, c)
    if "check" in results:
        c = results["check"]
        print(
            f"\ncheck  : {c['chars']:,} chars, rules only {c['rules_only_seconds']} s best of 3, "
            f"median {c['rules_only_median_seconds']} s ({c['flags']} flags); "
            f"20k chars with the index {c['with_index_20k_chars_seconds']} s"
        )
    if "citations" in results:
        print(
            "\ncite   : "
            + "; ".join(
                f"{n} records {c['seconds']} s ({c['ms_per_record']} ms/record)"
                for n, c in results["citations"].items()
            )
        )
    for key in [k for k in results if k.startswith("parity")]:
        p = results[key]
        print(
            f"\nparity : {key.split('-')[1]} generated, facets + highlights, {p['rounds']} alternating rounds: "
            f"{p['engine']} (ours) {p['ours']['median']} / {p['ours']['p95']} ms, SQLite FTS5 "
            f"{p['fts5']['median']} / {p['fts5']['p95']} ms (median / p95), ×{p['ratio']}; "
            f"per round ×{', ×'.join(str(r) for r in p['round_ratios'])}"
        )
    for key in [k for k in results if k.startswith("load")]:
        ld = results[key]
        s, d = ld["steady"], ld["during_rebuild"]
        print(
            f"load   : {ld['corpus']} records, kb serve --workers {ld['workers']}, wrk {ld['connections']} connections: "
            f"{s['rps']} req/s, p50 {s['p50']} ms, p99 {s['p99']} ms, failed {s['failed']}; "
            f"through a full rebuild ({d['rebuild'].get('seconds')} s): {d['requests']} requests, "
            f"failed {d['failed']}"
        )
    for case, h in results.get("hostile", {}).items():
        print(f"hostile: {case}: {h}")
    print("\nbudget (bench/budget.toml, stated in the README):")
    for row in results["budget"]:
        limit = f"≤ {row['max']}" if "max" in row else f"≥ {row['min']}"
        print(f"  {'ok ' if row['ok'] else 'OVER'} {row['what']:<52} {row['measured']:>9} {limit}")
    print(f"written: {out.relative_to(ROOT)}")
    if not all(r["ok"] for r in results["budget"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
