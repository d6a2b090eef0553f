"""Benchmarks: import and build throughput, search latency with a warm searcher, draft check.

    python bench/run.py            # full run over ../shared (seeds, guiding cases, 940 analyses)
    python bench/run.py --quick    # the same without the 940 case analyses

Prints a table and writes bench/results/<date>-<mode>.json. Figures are medians and p95 over
repeated runs, measured on whatever machine runs it (the JSON records which)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("KB_SHARED", ROOT.parent / "shared"))

QUERIES = {
    "plain": ["文山会海", "公款吃喝", "收受礼金", "督检考", "形式主义", "给领导送礼", "公车私用", "处分"],
    "phrase": ['"基层减负"', '"形式主义"', '"违反中央八项规定精神"', '"过度留痕"'],
    "filtered": ["类型:案例 处分:党内警告", "形式主义 年份:2021", "礼金 类型:条文"],
}


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip the 940 case analyses; fewer repeats")
    args = ap.parse_args()
    if not SHARED.exists():
        sys.exit(f"{SHARED} is absent: the benchmark reads the real documents from ../shared")
    from indexer.build import build_index
    from indexer.search import SearchService
    from kb.check import check_draft
    from kb.cli import default_corpus
    from kb.ingest import import_paths

    results: dict = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
    }
    tmp = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    real = SHARED / "real"
    sources = [
        ([SHARED / "seeds"], "material", {}),
        ([real / "xt/cases-ccdi-guiding"], "case", {}),
        ([real / "xt/dangfa/dangfa008.md"], "policy", {"id": "b-cdc-2023"}),
        ([real / "xt/dangfa/dangfa009.md"], "policy", {"id": "b-cdc-2018", "issuer": "中共中央"}),
    ]
    if not args.quick:
        sources.append(([real / "xt/case-analyses"], "case", {}))
    t = time.perf_counter()
    n_records = chars = 0
    for paths, kind, over in sources:
        report = import_paths(paths, kind, tmp / "imported", over)
        n_records += len(report.records)
        chars += sum(len(r.text) for r in report.records)
    secs = time.perf_counter() - t
    results["import"] = {
        "records": n_records,
        "chars": chars,
        "seconds": round(secs, 2),
        "records_per_s": round(n_records / secs, 1),
        "chars_per_s": round(chars / secs),
    }

    t = time.perf_counter()
    build = build_index([default_corpus(), tmp / "imported"], tmp / "index")
    secs = time.perf_counter() - t
    again = build_index([default_corpus(), tmp / "imported"], tmp / "index")
    results["build"] = {
        "records": build.records,
        "hits": build.hits,
        "seconds": round(secs, 2),
        "records_per_s": round(build.records / secs, 1),
        "chars_per_s": round(chars / secs),
        "unchanged_rebuild_seconds": round(again.seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }

    t = time.perf_counter()
    service = SearchService(tmp / "index")
    results["open_seconds"] = round(time.perf_counter() - t, 2)
    repeat = 5 if args.quick else 20
    latency = {}
    for kind, queries in QUERIES.items():
        for q in queries:  # warm up
            service.search(q)
        times = [
            x
            for q in queries
            for x in timed(lambda q=q: service.search(q, facets=False, snippets=False), repeat)
        ]
        latency[kind] = times
    latency["with facets"] = [
        x for q in QUERIES["plain"] for x in timed(lambda q=q: service.search(q, snippets=False), repeat)
    ]
    latency["facets + highlights"] = [
        x for q in QUERIES["plain"] for x in timed(lambda q=q: service.search(q), repeat)
    ]
    results["search_ms"] = {
        k: {"median": round(statistics.median(v), 1), "p95": round(pct(v, 95), 1), "n": len(v)}
        for k, v in latency.items()
    }

    draft = (
        "关于开展专项整治的通知\n"
        + "请各村每日在工作群打卡上传照片，各乡镇将台账分别报送县委办和县政府办。" * 30_000
    )
    draft = draft[:1_000_000]
    t = time.perf_counter()
    rules_only = check_draft(draft)
    results["check"] = {
        "chars": len(draft),
        "rules_only_seconds": round(time.perf_counter() - t, 2),
        "flags": len(rules_only.flags),
    }
    t = time.perf_counter()
    service.check(draft[:20_000])
    results["check"]["with_index_20k_chars_seconds"] = round(time.perf_counter() - t, 2)

    out = ROOT / "bench" / "results" / f"{dt.date.today().isoformat()}-{results['mode']}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    imp, b = results["import"], results["build"]
    print(
        f"machine: {results['machine']['platform']}, {results['machine']['cpus']} cpus, Python {results['machine']['python']}"
    )
    print(
        f"import : {imp['records']} records, {imp['chars']:,} chars in {imp['seconds']} s ({imp['records_per_s']} rec/s, {imp['chars_per_s']:,} chars/s)"
    )
    print(
        f"build  : {b['records']} records / {b['hits']} hits in {b['seconds']} s ({b['records_per_s']} rec/s); unchanged rebuild {b['unchanged_rebuild_seconds']} s; peak RSS {b['peak_rss_mb']} MB"
    )
    print(f"open   : {results['open_seconds']} s (jieba + index)")
    print("search (ms)            median     p95")
    for k, v in results["search_ms"].items():
        print(f"  {k:<20} {v['median']:>8} {v['p95']:>8}")
    c = results["check"]
    print(
        f"check  : {c['chars']:,} chars, rules only {c['rules_only_seconds']} s ({c['flags']} flags); 20k chars with the index {c['with_index_20k_chars_seconds']} s"
    )
    print(f"written: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
