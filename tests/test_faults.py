"""Faults: builds killed at random points, damaged segment files, a full disk.

In each case the index that was serving keeps serving, the error names what is wrong, and the
next build recovers without help."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.build import (
    IndexDamaged,
    build_index,
    current_generation,
    entry_keys,
    held_keys,
    open_generation,
    verify_complete,
    verify_generation,
)
from indexer.search import SearchService
from kb.corpus import default_corpus
from kbcli.main import main
from tests.conftest import TINY, synthetic_corpus, write_records


@pytest.fixture
def corpus(tmp_path):
    return write_records(tmp_path / "corpus", dict(TINY))


def _segment(gen: Path) -> Path:
    return max(gen.glob("*.seg"), key=lambda p: p.stat().st_size)


def _truncate(path: Path) -> None:
    with open(path, "r+b") as f:
        f.truncate(path.stat().st_size // 3)


def _scribble(path: Path) -> None:
    """Overwrite bytes in the middle, keeping the size: only the checksum can tell."""
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.seek(size // 2)
        f.write(bytes(255 - b for b in f.read(64)))


def test_manifest_records_every_index_file(corpus, tmp_path):
    result = build_index([corpus], tmp_path / "ix")
    files = {p.name for p in result.path.iterdir() if p.name != "manifest.json" and "WRITELOCK" not in p.name}
    from indexer.build import read_manifest

    assert set(read_manifest(result.path)["files"]) == files and files
    assert verify_generation(result.path) == []


def test_truncated_segment_gives_a_clear_error_and_the_next_build_recovers(corpus, tmp_path):
    root = tmp_path / "ix"
    first = build_index([corpus], root)
    seg = _segment(first.path)
    _truncate(seg)
    with pytest.raises(IndexDamaged) as info:
        SearchService(root)
    assert seg.name in str(info.value) and "kb build" in str(info.value)

    cli = CliRunner().invoke(main, ["search", "--index", str(root), "礼金"])
    assert cli.exit_code == 1 and "已损坏" in cli.output and seg.name in cli.output
    assert "Traceback" not in cli.output

    cli = CliRunner().invoke(main, ["build", "--index", str(root), "--corpus", str(corpus)])
    assert cli.exit_code == 0, cli.output
    assert "已按语料全量重建" in cli.output
    assert current_generation(root).name != first.generation
    assert SearchService(root).search("礼金")["total"] > 0


def test_same_size_damage_is_caught_by_the_checksum_before_an_incremental_build(corpus, tmp_path):
    root = tmp_path / "ix"
    first = build_index([corpus], root)
    _scribble(_segment(first.path))
    assert any("校验" in p for p in verify_generation(first.path))
    again = build_index([corpus], root)  # nothing changed in the corpus, yet not incremental
    assert not again.incremental and again.damaged_previous
    assert verify_generation(again.path) == []
    assert SearchService(root).search("礼金")["total"] > 0


def test_a_damaged_new_generation_never_replaces_the_one_serving(corpus, tmp_path):
    from web import create_app

    root = tmp_path / "ix"
    build_index([corpus], root)
    app = create_app({"INDEX_DIR": str(root), "TESTING": True})
    client = app.test_client()
    assert client.get("/search.json?q=礼金").get_json()["total"] > 0
    second = build_index([corpus], root, full=True)
    _truncate(_segment(second.path))
    assert client.get("/search.json?q=礼金").get_json()["total"] > 0  # the old one, still open
    health = client.get("/healthz").get_json()
    assert health["status"] == "degraded" and "已损坏" in health["problem"]


def test_serve_rebuilds_a_damaged_index_before_serving(corpus, tmp_path, monkeypatch):

    root = tmp_path / "ix"
    first = build_index([corpus], root)
    _truncate(_segment(first.path))
    import kbcli.main as cli  # the serving itself is not under test: what serve does before it

    monkeypatch.setattr(cli, "serve_app", lambda *a: None)
    result = CliRunner().invoke(main, ["serve", "--index", str(root), "--port", "8998"])
    assert result.exit_code == 0, result.output
    assert "已损坏" in result.output
    gen = current_generation(root)
    assert gen.name != first.generation
    open_generation(gen, checksums=True)[1].close()


def test_disk_full_while_writing_leaves_the_index_serving(corpus, tmp_path, monkeypatch):
    """ENOSPC from the segment writer, simulated (a real full disk needs a mount we may not
    have): the build fails with the OS error, no half generation or lock is left behind."""
    from whoosh.filedb import structfile

    root = tmp_path / "ix"
    good = build_index([corpus], root)
    real_write = structfile.StructFile.write
    calls = {"n": 0}

    def write(self, data):
        calls["n"] += 1
        if calls["n"] > 20:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, data)

    monkeypatch.setattr(structfile.StructFile, "write", write)
    with pytest.raises(OSError) as info:
        build_index([corpus], root, full=True)
    assert info.value.errno == errno.ENOSPC
    monkeypatch.undo()
    assert current_generation(root).name == good.generation
    assert sorted(p.name for p in root.glob("gen-*")) == [good.generation]
    assert not (root / ".build.lock").exists()
    assert SearchService(root).search("礼金")["total"] > 0
    assert build_index([corpus], root, full=True).generation != good.generation


@pytest.mark.slow
def test_builds_killed_at_random_points_never_cost_the_serving_index(tmp_path):
    """`kb build --full` of the bundled corpus, SIGKILLed after a random delay, six times: at
    each point the previous generation serves, and the next build takes over the stale lock."""
    root = tmp_path / "ix"
    good = build_index([default_corpus()], root).path
    kb = [sys.executable, "-c", "from kbcli.main import main; main()"]
    rng = random.Random(20261122)
    for delay in sorted(rng.uniform(0.2, 3.0) for _ in range(6)):
        proc = subprocess.Popen(
            [*kb, "build", "--full", "--index", str(root)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(delay)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the builder and any writer processes it forked
        proc.wait()
        gen = current_generation(root)
        assert gen is not None
        # the generation that served before, or (killed after its swap) the new one, complete
        assert gen.name >= good.name, f"killed after {delay:.2f} s"
        open_generation(gen, checksums=True)[1].close()
        assert SearchService(root).search("文山会海")["total"] > 0, f"killed after {delay:.2f} s"
        good = gen
    final = build_index([default_corpus()], root)
    assert current_generation(root).name == final.generation
    assert SearchService(root).search("文山会海")["total"] > 0


# ------------------------------------------------------------------ silent loss (issue: reliability 1)

KB = [sys.executable, "-c", "from kbcli.main import main; main()"]


def _children(pid: int) -> list[int]:
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    except FileNotFoundError:
        pytest.skip("pgrep is not installed")
    return [int(x) for x in out.split()]


def _start_build_with_writers(corpus: Path, root: Path) -> tuple[subprocess.Popen, list[int]]:
    """`kb build --full` in its own process, returned once it has forked two writer processes."""
    proc = subprocess.Popen(
        [*KB, "build", "--full", "--nice", "0", "--index", str(root), "--corpus", str(corpus)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        kids = _children(proc.pid)
        if len(kids) >= 2:
            time.sleep(0.5)  # let them take work
            return proc, kids
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    pytest.fail("the build never ran two writer processes")


def _complete(root: Path, corpus: Path) -> bool:
    from whoosh import index as whoosh_index

    from kb.corpus import load_corpus

    ix = whoosh_index.open_dir(str(current_generation(root)))
    return verify_complete(ix, (k for r in load_corpus([corpus]).records for k in entry_keys(r))) == []


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory):
    return synthetic_corpus(tmp_path_factory.mktemp("big") / "corpus", 1500)


def test_a_lost_entry_is_found_by_the_completeness_proof(corpus, tmp_path):
    from whoosh import index as whoosh_index

    result = build_index([corpus], tmp_path / "ix")
    ix = whoosh_index.open_dir(str(result.path))
    keys = held_keys(ix)
    assert keys["hit:c1"] == 1 and keys["doc:demo"] == 1
    expected = list(keys.elements())
    assert verify_complete(ix, expected) == []
    with ix.writer() as w:  # what a writer that died would leave: an entry never written
        w.delete_by_term("key", "hit:c1")
    problems = verify_complete(ix, expected)
    assert problems and "缺少 1 条" in problems[0] and "hit:c1" in problems[0]
    assert any("多出 1 条" in p for p in verify_complete(ix, [k for k in expected if k != "doc:demo"]))


def test_an_incremental_build_over_a_short_generation_rewrites_everything(corpus, tmp_path):
    from whoosh import index as whoosh_index

    root = tmp_path / "ix"
    first = build_index([corpus], root)
    ix = whoosh_index.open_dir(str(first.path))
    with ix.writer() as w:  # a generation that lost an entry before this version proved builds
        w.delete_by_term("key", "hit:c2")
    from indexer.build import MANIFEST, file_table, read_manifest

    manifest = read_manifest(first.path) | {"files": file_table(first.path)}
    (first.path / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    again = build_index([corpus], root)
    assert not again.incremental and again.added == 4
    assert any("不完整" in p for p in again.damaged_previous)
    assert _complete(root, corpus)


@pytest.mark.slow
def test_a_killed_writer_fails_the_build_and_the_next_build_is_complete(big_corpus, tmp_path):
    """What the out-of-memory killer does: SIGKILL one writer process, not the builder. Before,
    the build exited 0 and swapped in an index without that writer's documents."""
    root = tmp_path / "ix"
    good = build_index([big_corpus], root, procs=1)
    proc, kids = _start_build_with_writers(big_corpus, root)
    os.kill(kids[-1], signal.SIGKILL)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, out + err
    assert "写入进程" in err and str(kids[-1]) in err and "SIGKILL" in err
    assert "Traceback" not in err
    assert current_generation(root).name == good.generation  # the previous index serves
    assert sorted(p.name for p in root.glob("gen-*")) == [good.generation]
    assert not (root / ".build.lock").exists()
    assert SearchService(root).search("文山会海")["total"] > 0
    after = CliRunner().invoke(
        main, ["build", "--nice", "0", "--index", str(root), "--corpus", str(big_corpus)]
    )
    assert after.exit_code == 0, after.output
    assert _complete(root, big_corpus)


@pytest.mark.slow
def test_writers_die_with_their_builder(big_corpus, tmp_path):
    """Only the builder is killed (not its process group): its writers must not live on."""
    root = tmp_path / "ix"
    proc, kids = _start_build_with_writers(big_corpus, root)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 10
    alive = kids
    while alive and time.monotonic() < deadline:
        alive = [k for k in kids if Path(f"/proc/{k}").exists() and "Z" not in _state(k)]
        time.sleep(0.1)
    assert alive == [], f"writer processes outlived their builder: {alive}"
    result = build_index([big_corpus], root)  # the stale lock is taken over
    assert _complete(root, big_corpus) and result.records == 1501


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return "gone"


def test_a_segment_truncated_under_a_running_server_does_not_kill_it(tmp_path):
    """The server reads segments rather than memory-mapping them: truncating one under it fails
    requests, never the process (a mapped file cut short raises SIGBUS)."""
    corpus = write_records(tmp_path / "c", dict(TINY))
    root = tmp_path / "ix"
    build_index([corpus], root, engine="whoosh")
    code = f"""
import sys
from pathlib import Path
from indexer.search import SearchService
svc = SearchService(Path({str(root)!r}))
svc.search("公车私用")
gen = svc.engine.path
victim = max((f for f in gen.iterdir() if f.suffix == ".seg"), key=lambda f: f.stat().st_size)
with open(victim, "r+b") as f:
    f.truncate(victim.stat().st_size // 3)
failed = 0
for q in ("公车私用", "四风", "层层加码", "礼金", "文山会海"):
    try:
        svc.search(q)
        svc.get_with_links("demo/4")
    except Exception:
        failed += 1
print("alive", failed)
"""
    p = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode != -signal.SIGBUS, "killed by SIGBUS"
    assert p.returncode == 0 and "alive" in p.stdout, p.stderr[-2000:]
