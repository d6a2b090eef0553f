"""Load test: `kb serve` on loopback under wrk, mixed searches and page views, then the same while
`kb build --full` swaps a new index in.

    python bench/load.py --index IX --corpus DIR [--workers 2] [--seconds 20] [--connections 16]

wrk (apt install wrk) drives the load from one thread, so most of the two cores stay with the
server. The request mix (bench/load.lua): 60% searches over 24 queries (a third with a facet
filter or a second page), 25% provision and case pages, 10% JSON twins, 5% the home page.
That mix repeats its 72 search addresses, so each worker's result cache (kb serve --cache)
answers most of them after the first time; ``--mix distinct`` asks two-word searches drawn from
several hundred instead (each asked rarely: mostly cache misses), in the same proportions, and
``--cache 0`` turns the cache off. Prints and returns throughput, latency percentiles and
failed requests (non-2xx or socket errors); a request that fails during the rebuild is a defect."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from indexer.generation import RESULTS_CACHED  # kb serve --cache's default

ROOT = Path(__file__).resolve().parent.parent
KB = [sys.executable, "-c", "from kbcli.main import main; main()"]
QUERIES = [
    "文山会海", "公款吃喝", "收受礼金", "督检考", "形式主义", "给领导送礼", "公车私用", "处分",
    "过度留痕", "层层加码", "指尖上的形式主义", "借调", "违规发放津补贴", "公款旅游", "宴请",
    '"基层减负"', '"违反中央八项规定精神"', "会议 -视频", "类型:案例 处分:党内警告",
    "形式主义 年份:2021", "礼金 类型:条文", "接待 地区:浙江省", "问责", "台账",
]  # fmt: skip

LUA = r"""
local paths = {}
local n = 0
function init(args)
  for line in io.lines(args[1]) do n = n + 1; paths[n] = line end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
function request()
  return wrk.format("GET", paths[math.random(n)])
end
function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
               + summary.errors.timeout + summary.errors.status
  io.stderr:write(string.format(
    'WRKJSON {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50": %.2f, "p90": %.2f, "p99": %.2f, "max": %.2f, "non2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def _distinct_searches(rng: Any) -> list[str]:
    """Two-word searches from the words of QUERIES, a third with a facet or a second page: every
    ordered pair once (several hundred), so few are asked twice in a run."""
    words = sorted({w for q in QUERIES for w in q.replace('"', " ").split() if ":" not in w and w[0] != "-"})
    out = []
    for i, a in enumerate(words):
        for j, b in enumerate(words):
            if a == b:
                continue
            qs = urllib.parse.quote(f"{a} {b}")
            k = (i * len(words) + j) % 6
            out.append(
                f"/search.json?q={qs}" if k == 5
                else f"/search?q={qs}&f.kind=case" if k == 4
                else f"/search?q={qs}&page=2" if k == 3
                else f"/search?q={qs}"
            )  # fmt: skip
    rng.shuffle(out)
    return out


def request_paths(base_ids: list[str], seed: int = 1, mix: str = "repeat") -> list[str]:
    """The request mix as a list of paths, weighted by repetition. ``mix="distinct"``: the
    searches are distinct two-word queries; pages and the home page keep their share."""
    import random

    rng = random.Random(seed)
    if mix == "distinct":
        searches = _distinct_searches(rng)  # 70% of requests: 60% HTML searches, 10% JSON
        docs = rng.sample(base_ids, min(len(base_ids), 40))
        n = len(searches)
        pages = [f"/doc/{urllib.parse.quote(docs[i % len(docs)])}" for i in range(n * 25 // 70)]
        return searches + pages + ["/"] * (n * 5 // 70)
    paths = []
    for i, q in enumerate(QUERIES):
        qs = urllib.parse.quote(q)
        paths += [f"/search?q={qs}"] * 3
        paths.append(f"/search?q={qs}&page=2" if i % 2 else f"/search?q={qs}&f.kind=case")
        paths.append(f"/search.json?q={qs}")
    for doc in rng.sample(base_ids, min(len(base_ids), 40)):
        paths += [f"/doc/{urllib.parse.quote(doc)}"] * 1
    for doc in rng.sample(base_ids, min(len(base_ids), 8)):
        paths.append(f"/doc/{urllib.parse.quote(doc)}.json")
    paths += ["/"] * 6
    return paths


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    index: Path, workers: int, threads: int = 8, log: Path | None = None, cache: int = RESULTS_CACHED
) -> tuple[subprocess.Popen, str, float]:
    """Start `kb serve`; returns the process, its URL and the cold start (seconds until /healthz
    answers, jieba and the index loaded). The server's stderr goes to ``log``."""
    port = free_port()
    t = time.perf_counter()
    err = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 (lives as long as the server)
    proc = subprocess.Popen(
        [*KB, "serve", "--index", str(index), "--port", str(port), "--workers", str(workers),
         "--threads", str(threads), "--cache", str(cache)],
        stdout=subprocess.DEVNULL, stderr=err, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 600
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=5).read()
            return proc, url, time.perf_counter() - t
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"kb serve exited with {proc.returncode}") from None
            time.sleep(0.05)
    raise SystemExit("kb serve did not answer within 10 minutes")


def stop_server(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def warm(url: str, paths: list[str]) -> None:
    """One pass over every distinct path, so each worker has its caches (facet tables) warm."""
    for p in sorted(set(paths)):
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url + p, timeout=60).read()


def wrk(url: str, paths_file: Path, seconds: int, connections: int) -> dict[str, Any]:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt install wrk")
    lua = paths_file.with_suffix(".lua")
    lua.write_text(LUA, encoding="utf-8")
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(lua), url, "--", str(paths_file)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(x for x in out.stderr.splitlines() if x.startswith("WRKJSON "))
    return json.loads(line.removeprefix("WRKJSON "))


def worker_memory(pid: int) -> dict[str, int]:
    """Resident and private memory (MB) of each worker of a `kb serve` process (Linux /proc);
    the server itself when it has no workers."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    pids = [int(x) for x in children.read_text().split()] if children.exists() else []
    out = {}
    for p in pids or [pid]:
        try:
            status = Path(f"/proc/{p}/status").read_text()
            rollup = Path(f"/proc/{p}/smaps_rollup").read_text()
        except OSError:
            continue
        rss = next(int(x.split()[1]) for x in status.splitlines() if x.startswith("VmRSS:"))
        private = sum(
            int(x.split()[1])
            for x in rollup.splitlines()
            if x.startswith(("Private_Clean:", "Private_Dirty:"))
        )
        out[str(p)] = {"rss": rss // 1024, "private": private // 1024}
    return out


def run(
    index: Path,
    corpus: list[Path],
    *,
    workers: int,
    seconds: int,
    connections: int,
    mix: str = "repeat",
    cache: int = RESULTS_CACHED,
    rebuild: bool = True,
) -> dict[str, Any]:
    """Steady load, then (``rebuild``) the same through a full rebuild of ``corpus``."""
    from indexer.search import SearchService

    tmp = Path(tempfile.mkdtemp(prefix="kb-load-"))
    log = tmp / "server.log"
    proc, url, cold = start_server(index, workers, log=log, cache=cache)
    during: dict[str, Any] = {}
    try:
        # the pages asked for are read from the index the server serves, so only once it is up:
        # `kb serve` rebuilds an index of an older version first, and ids read before that were
        # the old build's (one Whoosh run got 1,063 404s for records the rebuild no longer had)
        svc = SearchService(index)
        ids = [
            h["id"]
            for q in ("处分", "形式主义", "礼金")
            for h in svc.search(q, per_page=30, facets=False)["hits"]
        ]
        svc.close()
        paths = request_paths(ids, mix=mix)
        paths_file = tmp / "paths.txt"
        paths_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
        t = time.perf_counter()
        urllib.request.urlopen(url + "/search?q=" + urllib.parse.quote("形式主义"), timeout=60).read()
        first = time.perf_counter() - t
        warm(url, paths)
        steady = wrk(url, paths_file, seconds, connections)
        steady["worker_memory_mb"] = worker_memory(proc.pid)
        steady["failed"] = steady["non2xx"] + steady["socket_errors"]
        if rebuild:
            during = _through_rebuild(url, index, corpus, paths_file, seconds, connections)
            health = json.loads(urllib.request.urlopen(url + "/healthz", timeout=10).read())
            during["generation_after"] = health["generation"]
            during["worker_memory_mb"] = worker_memory(proc.pid)  # after a swap: retired engines closed?
    finally:
        stop_server(proc)
    server_errors = [
        line
        for line in log.read_text(errors="replace").splitlines()
        if "Traceback" in line or "ERROR" in line
    ]
    return {
        "workers": workers,
        "connections": connections,
        "seconds": seconds,
        "mix": mix,
        "cache": cache,
        "distinct_paths": len(set(paths)),
        "cold_start_seconds": round(cold, 2),
        "first_search_seconds": round(first, 3),
        "steady": steady,
        "during_rebuild": during,
        "server_error_lines": server_errors[:20],
    }


def _through_rebuild(
    url: str, index: Path, corpus: list[Path], paths_file: Path, seconds: int, connections: int
) -> dict[str, Any]:
    """wrk in slices while a full rebuild runs and swaps in, then one slice more on the new
    generation."""
    builder: dict[str, Any] = {}

    def rebuild() -> None:
        t = time.perf_counter()
        args = [*KB, "build", "--full", "--index", str(index)]
        for c in corpus:
            args += ["--corpus", str(c)]
        done = subprocess.run(args, capture_output=True, text=True)
        builder.update(returncode=done.returncode, seconds=round(time.perf_counter() - t, 1))

    th = threading.Thread(target=rebuild)
    th.start()
    slices = []
    while th.is_alive():
        slices.append(wrk(url, paths_file, seconds, connections))
    slices.append(wrk(url, paths_file, seconds, connections))
    th.join()
    return {
        "requests": sum(x["requests"] for x in slices),
        "seconds": round(sum(x["seconds"] for x in slices), 1),
        "rps": round(sum(x["requests"] for x in slices) / sum(x["seconds"] for x in slices), 1),
        "p50_worst_slice": max(x["p50"] for x in slices),
        "p99_worst_slice": max(x["p99"] for x in slices),
        "non2xx": sum(x["non2xx"] for x in slices),
        "socket_errors": sum(x["socket_errors"] for x in slices),
        "failed": sum(x["non2xx"] + x["socket_errors"] for x in slices),
        "slices": len(slices),
        "rebuild": builder,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument(
        "--corpus", type=Path, action="append", default=[], help="corpus folders the rebuild reads"
    )
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--mix", choices=["repeat", "distinct"], default="repeat")
    ap.add_argument("--cache", type=int, default=RESULTS_CACHED, help="kb serve --cache (0: no result cache)")
    ap.add_argument("--no-rebuild", action="store_true", help="steady load only")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    report = run(
        args.index,
        args.corpus,
        workers=args.workers,
        seconds=args.seconds,
        connections=args.connections,
        mix=args.mix,
        cache=args.cache,
        rebuild=not args.no_rebuild,
    )
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
