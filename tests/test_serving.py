"""The server keeps answering while `kb build` swaps new indexes in underneath it."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from pathlib import Path

from indexer.build import build_index
from tests.conftest import TINY, case, write_records


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


def test_serve_with_two_workers_answers_and_stops(tmp_path):
    """`kb serve --workers 2`: forked processes share one port; SIGTERM stops them all."""
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
        [sys.executable, "-c", "from kb.cli import main; main()", "serve", "--index", str(root),
         "--port", str(port), "--workers", "2"],
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
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        if children.exists():  # Linux: the two workers are the parent's children
            pids = [int(x) for x in children.read_text().split()]
            assert len(pids) == 2
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    for pid in pids if children.exists() else []:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
