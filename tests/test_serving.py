"""The server keeps answering while `kb build` swaps new indexes in underneath it."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from indexer.build import build_index
from tests.conftest import TINY, case, write_records

pytestmark = pytest.mark.engines  # run once per search engine (tests/conftest.py)


def test_no_failed_request_during_rebuilds(tmp_path):
    from waitress.server import create_server

    from web import create_app

    corpus = write_records(tmp_path / "corpus", dict(TINY))
    root = tmp_path / "index"
    build_index([corpus], root)
    srv = create_server(create_app({"INDEX_DIR": str(root)}), host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=srv.run, daemon=True).start()
    base = f"http://127.0.0.1:{srv.effective_port}"
    statuses: list[int] = []
    stop = threading.Event()

    def hammer() -> None:
        paths = ["/search?q=%E7%A4%BC%E9%87%91", "/doc/demo/4", "/search.json?q=&f.kind=case", "/healthz"]
        i = 0
        while not stop.is_set() and i < 2000:
            try:
                with urllib.request.urlopen(base + paths[i % len(paths)], timeout=10) as r:
                    statuses.append(r.status)
            except urllib.error.HTTPError as e:
                statuses.append(e.code)
            except OSError:  # refused, reset: a failed request all the same
                statuses.append(-1)
            i += 1

    t = threading.Thread(target=hammer)
    t.start()
    try:
        for n in range(2):
            (corpus / f"new{n}.md").write_text(
                case(f"new{n}", f"新增案例{n}", "案情涉及鲸鱼。"), encoding="utf-8"
            )
            build_index([corpus], root)
    finally:
        stop.set()
        t.join()
    with urllib.request.urlopen(base + "/search.json?q=%E9%B2%B8%E9%B1%BC", timeout=10) as r:
        import json

        assert json.load(r)["total"] == 2  # the new index is being served
    srv.close()
    assert statuses and set(statuses) == {200}, f"{len(statuses)} requests"


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_workers_answer_come_back_and_stop(tmp_path, workers, kb_engine):
    """`kb serve [--workers 2]`: forked processes share one port; a worker that dies (SIGBUS
    from a memory-mapped file cut short, the OOM killer) is replaced — over tantivy, which maps
    its files, even the only one (one Whoosh worker serves in-process); SIGTERM stops them all."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    root = tmp_path / "ix"
    build_index([write_records(tmp_path / "corpus", dict(TINY))], root)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-c", "from kbcli.main import main; main()", "serve", "--index", str(root),
         "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        for _ in range(20):
            with urllib.request.urlopen(url + "/search.json?q=%E7%A4%BC%E9%87%91", timeout=5) as r:
                assert r.status == 200 and b'"total"' in r.read()
        # a second server on the same port is refused, not let in beside the first to split its
        # connections (SO_REUSEPORT would allow it)
        other = subprocess.run(
            [sys.executable, "-c", "from kbcli.main import main; main()", "serve", "--index", str(root),
             "--port", str(port), "--workers", "2"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert other.returncode == 1 and "已被占用" in other.stderr, other.stderr
        assert "已启动" not in other.stderr
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        if children.exists():  # Linux: the two workers are the parent's children
            pids = [int(x) for x in children.read_text().split()]
            if workers == 1 and kb_engine == "whoosh":
                assert pids == []  # served in-process: nothing to replace
                return
            assert len(pids) == workers
            # a worker killed by SIGBUS (a memory-mapped file cut short) is replaced; the port answers
            os.kill(pids[0], signal.SIGBUS)
            for _ in range(100):
                now = [int(x) for x in children.read_text().split()]
                if len(now) == workers and pids[0] not in now:
                    break
                time.sleep(0.1)
            assert len(now) == workers and pids[0] not in now, now
            for _ in range(100):  # the replacement opens the index, then answers
                try:
                    with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
                        assert r.status == 200
                    break
                except OSError:
                    time.sleep(0.1)
            for _ in range(10):
                with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
                    assert r.status == 200
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    for pid in pids if children.exists() else []:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_threads_share_a_service_without_corrupt_reads(tmp_path):
    """Whoosh searchers read shared file objects: used from many threads at once they returned
    truncated zlib streams and bad pickles (seen by bench/load.py under a rebuild, which is
    where the corruption itself reproduces). Each thread now has its own searcher of the current
    generation: 8 threads hammer one service, all succeed, each with a searcher of its own."""
    from indexer.search import SearchService
    from kb.corpus import default_corpus

    root = tmp_path / "ix"
    build_index([default_corpus()], root)
    svc = SearchService(root)
    queries = ["文山会海", "公款吃喝", "收受礼金", "督检考", "形式主义", "处分", '"基层减负"', "类型:案例"]
    errors: list[BaseException] = []
    searchers = set()

    def work(i: int) -> None:
        try:
            for n in range(60):
                q = queries[(i + n) % len(queries)]
                r = svc.search(q, sort="date" if n % 3 == 0 else "relevance")
                for h in r["hits"][:3]:
                    assert svc.get_with_links(h["id"]) is not None
            searchers.add(id(svc.engine.searcher))
        except BaseException as e:  # collected and re-raised in the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    # Whoosh: one searcher per thread (its searchers share file objects); tantivy's searcher is
    # safe to share, so one serves every thread
    assert len(searchers) == (8 if svc.engine.name == "whoosh" else 1)
