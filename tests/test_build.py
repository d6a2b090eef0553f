"""kb build: atomic swap, failures leave the served index alone, one writer, incremental."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from indexer.build import BuildFailed, BuildLock, IndexBusy, build_index, current_generation
from indexer.search import SearchService
from kbcli.main import main
from tests.conftest import TINY, case, policy, write_records

pytestmark = pytest.mark.engines  # run once per search engine (tests/conftest.py)


@pytest.fixture
def corpus(tmp_path):
    return write_records(tmp_path / "corpus", dict(TINY))


def test_build_then_swap(corpus, tmp_path):
    root = tmp_path / "ix"
    first = build_index([corpus], root)
    assert current_generation(root).name == first.generation
    assert first.records == 4 and first.hits == 8 and not first.incremental
    manifest = json.loads((first.path / "manifest.json").read_text())
    assert manifest["counts"]["case"] == 3 and len(manifest["records"]) == 4


def test_rebuild_is_incremental(corpus, tmp_path):
    root = tmp_path / "ix"
    first = build_index([corpus], root)
    same = build_index([corpus], root)
    assert same.incremental and same.added == 0 and same.unchanged == 4
    # nothing changed: the proven current generation stays; no copy of it is written and swapped
    assert same.generation == first.generation
    assert sorted(p.name for p in root.glob("gen-*")) == [first.generation]
    (corpus / "c2.md").write_text(case("c2", "某乙改名案", "某乙改了案情，提到督检考。"), encoding="utf-8")
    (corpus / "c3.md").unlink()
    changed = build_index([corpus], root)
    # c2 changed, c3 went, and the policy is re-indexed too: its provisions carry the words of
    # the cases that name them (anchor text), and those changed; c1 is untouched
    assert (changed.added, changed.removed, changed.unchanged) == (2, 1, 1)
    service = SearchService(root)
    assert service.get("c3") is None
    assert service.get("c2")["title"] == "某乙改名案"
    assert service.search("类型:案例")["total"] == 2
    full = build_index([corpus], root, full=True)
    assert not full.incremental and full.added == 3


def test_broken_corpus_leaves_the_index_serving(corpus, tmp_path):
    root = tmp_path / "ix"
    good = build_index([corpus], root)
    (corpus / "bad.md").write_text("+++\nid = 'x'\nkind = \n+++\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as e:
        build_index([corpus], root)
    assert "bad.md:3" in str(e.value.problems[0])
    assert current_generation(root).name == good.generation
    assert SearchService(root).search("礼金")["total"] > 0


def test_crash_mid_build_leaves_the_index_serving(corpus, tmp_path, monkeypatch):
    root = tmp_path / "ix"
    good = build_index([corpus], root)
    (corpus / "c4.md").write_text(case("c4", "新案", "新的案情。"), encoding="utf-8")
    import indexer.build as b

    def boom(record, links=None):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(b, "entries", boom)
    with pytest.raises(RuntimeError):
        build_index([corpus], root, full=True)
    assert current_generation(root).name == good.generation
    assert sorted(p.name for p in root.glob("gen-*")) == [good.generation]  # the half-built one is gone
    assert not (root / ".build.lock").exists()
    monkeypatch.undo()
    assert build_index([corpus], root).added == 1


def test_killed_builder_leaves_the_index_serving_and_a_stale_lock_is_taken_over(corpus, tmp_path):
    root = tmp_path / "ix"
    good = build_index([corpus], root)
    # a builder killed with SIGKILL mid-way leaves its lock and a half generation behind
    script = (
        "import os, sys, signal\n"
        "from pathlib import Path\n"
        "import indexer.build as b\n"
        "real = b.entries\n"
        "def dying(r, *a):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return real(r, *a)\n"
        "b.entries = dying\n"
        f"b.build_index([Path({str(corpus)!r})], Path({str(root)!r}), full=True)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=os.getcwd(), capture_output=True)
    assert proc.returncode != 0
    assert (root / ".build.lock").exists()
    assert current_generation(root).name == good.generation
    assert SearchService(root).search("礼金")["total"] > 0
    again = build_index([corpus], root)  # the dead builder's lock is stale: taken over
    assert current_generation(root).name == again.generation


def test_one_writer_at_a_time(corpus, tmp_path):
    root = tmp_path / "ix"
    root.mkdir()
    with BuildLock(root), pytest.raises(IndexBusy, match="正由进程"):
        build_index([corpus], root)
    result = CliRunner().invoke(main, ["build", "--corpus", str(corpus), "--index", str(root)])
    assert result.exit_code == 0


def test_cli_reports_busy_index(corpus, tmp_path):
    root = tmp_path / "ix"
    root.mkdir()
    with BuildLock(root):
        result = CliRunner().invoke(main, ["build", "--corpus", str(corpus), "--index", str(root)])
    assert result.exit_code == 1 and "正由进程" in result.output


def test_service_refreshes_after_a_swap(corpus, tmp_path):
    root = tmp_path / "ix"
    build_index([corpus], root)
    service = SearchService(root)
    assert service.search("鲸鱼")["total"] == 0
    (corpus / "c4.md").write_text(case("c4", "新案", "案情涉及鲸鱼。"), encoding="utf-8")
    build_index([corpus], root)
    assert service.search("鲸鱼")["total"] == 1
    assert service.generation == current_generation(root).name


def test_highlight_past_32kb(tmp_path):
    long_text = "无关的内容。" * 7000 + "这里提到文山会海。"
    corpus = write_records(tmp_path / "c", {"long.md": case("long", "长案", long_text)})
    build_index([corpus], tmp_path / "ix")
    hit = SearchService(tmp_path / "ix").search('"文山会海"')["hits"][0]
    assert "<mark>文山会海</mark>" in hit["snippet"]


def test_cli_search_and_show_json(corpus, tmp_path):
    root = tmp_path / "ix"
    runner = CliRunner()
    assert (
        runner.invoke(main, ["build", "--corpus", str(corpus), "--index", str(root), "--json"]).exit_code == 0
    )
    out = runner.invoke(main, ["search", "礼金", "--index", str(root), "--json", "--type", "案例"])
    data = json.loads(out.stdout)
    assert data["total"] == 1 and data["hits"][0]["id"] == "c1"
    out = runner.invoke(
        main, ["search", "礼金", "--filter", "year=2021", "--index", str(root)], env={"KB_INDEX": str(root)}
    )
    assert "某甲公车私用案" in out.stdout
    shown = json.loads(runner.invoke(main, ["show", "demo/5", "--json"], env={"KB_INDEX": str(root)}).stdout)
    assert shown["number"] == "第5条" and "礼金" in shown["text"]
    assert [c["id"] for c in shown["links"]["violated_by"]] == ["c1"]  # the cases under it, with counts
    assert shown["links"]["violated_by_counts"]["by_year"] == [{"value": "2021", "count": 1}]
    case = json.loads(runner.invoke(main, ["show", "c1", "--json"], env={"KB_INDEX": str(root)}).stdout)
    assert {v["id"] for v in case["links"]["violates"]} == {"demo/4", "demo/5"}
    missing = runner.invoke(main, ["show", "nope", "--index", str(root)])
    assert missing.exit_code == 1 and "nope" in missing.output
    no_index = runner.invoke(main, ["search", "x", "--index", str(tmp_path / "none")])
    assert no_index.exit_code == 1 and "kb build" in no_index.output


def test_serve_rebuilds_an_index_from_an_older_version(corpus, tmp_path, monkeypatch):
    import json as _json

    root = tmp_path / "ix"
    first = build_index([corpus], root)
    manifest = first.path / "manifest.json"
    data = _json.loads(manifest.read_text())
    data["schema_version"] = "0"
    manifest.write_text(_json.dumps(data))
    served = {}
    import kbcli.main as cli  # the serving itself is not under test: what serve does before it

    monkeypatch.setattr(
        cli,
        "serve_app",
        lambda root, host, port, threads, workers, cache=128: served.update(host=host, port=port),
    )
    result = CliRunner().invoke(main, ["serve", "--index", str(root), "--port", "8999"])
    assert result.exit_code == 0, result.output
    assert served["host"] == "127.0.0.1" and served["port"] == 8999
    assert current_generation(root).name != first.generation  # rebuilt, from the same corpus
    assert SearchService(root).get("c1") is not None


def test_postings_spilled_to_disk_index_the_same(corpus, tmp_path):
    """limitmb=0 makes every writer spill each posting as a sorted run (indexer/pool.py writes
    and merges them in chunks): the index must answer exactly as one sorted in memory."""
    spilled = SearchService(build_index([corpus], tmp_path / "a", limitmb=0).path.parent)
    in_memory = SearchService(build_index([corpus], tmp_path / "b").path.parent)
    for q in ("礼金", "形式主义", '"基层减负"', "类型:案例", "公款 吃喝"):
        a, b = spilled.search(q), in_memory.search(q)
        assert [h["id"] for h in a["hits"]] == [h["id"] for h in b["hits"]], q
        assert a["total"] == b["total"] and a["facets"] == b["facets"], q


@pytest.mark.skipif(not hasattr(os, "nice"), reason="POSIX only")
def test_kb_build_lowers_its_priority_and_serve_does_not(corpus, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(os, "nice", lambda n: calls.append(n) or 0)
    assert (
        CliRunner().invoke(main, ["build", "--index", str(tmp_path / "a"), "--corpus", str(corpus)]).exit_code
        == 0
    )
    assert calls == [10]
    calls.clear()

    import kbcli.main as cli  # the serving itself is not under test: what serve does before it

    monkeypatch.setattr(cli, "serve_app", lambda *a: None)
    result = CliRunner().invoke(main, ["serve", "--index", str(tmp_path / "b"), "--port", "8997"])
    assert result.exit_code == 0, result.output
    assert calls == []  # the server builds its first index at normal priority


@pytest.mark.parametrize("holder", ["pid 1", "our own pid", "old format, live pid that is no build"])
def test_a_lock_whose_pid_was_reused_is_taken_over(tmp_path, holder):
    """A lock names its builder's pid and start time: PID 1 (alive in any container) or our own
    pid with another start time is not the builder, and the build goes ahead."""
    import os

    corpus = write_records(tmp_path / "corpus", {"p.md": policy("demo", "示例", {"1": "内容"})})
    root = tmp_path / "ix"
    root.mkdir()
    line = {
        "pid 1": "1 start=1 2020-01-01T00:00:00",
        "our own pid": f"{os.getpid()} start=1 2020-01-01T00:00:00",
        "old format, live pid that is no build": "1 x",
    }[holder]
    (root / ".build.lock").write_text(line + "\n")
    assert build_index([corpus], root).records == 1
    assert not (root / ".build.lock").exists()


def test_the_same_search_again_comes_from_the_generations_cache(corpus, tmp_path):
    root = tmp_path / "ix"
    build_index([corpus], root)
    service = SearchService(root)
    first = service.search("形式主义", filters={"kind": ["provision"]})
    assert service.search("形式主义", filters={"kind": ["provision"]}) is first
    assert service.search("形式主义", filters={"kind": ["provision"]}, page=2) is not first
    assert service.search("形式主义") is not first
    assert service.snapshot.results.hits == 1
    (corpus / "c4.md").write_text(case("c4", "新案", "案情涉及形式主义。"), encoding="utf-8")
    build_index([corpus], root)
    again = service.search("形式主义")
    assert again is not first and "c4" in [h["id"] for h in again["hits"]]
    assert SearchService(root, results_cached=0).search("形式主义") == again  # the cache changes nothing


def test_a_request_pinned_before_a_swap_reads_its_generation_throughout(corpus, tmp_path):
    root = tmp_path / "ix"
    build_index([corpus], root)
    service = SearchService(root)
    old = service.label("demo")
    service.pin()
    (corpus / "p.md").write_text(
        (corpus / "p.md").read_text(encoding="utf-8").replace("示例纪律规定", "改名后的规定"),
        encoding="utf-8",
    )
    build_index([corpus], root)
    assert service.label("demo") == old  # labels, records and searches: the pinned build's

    def title() -> str:
        return service.search("", filters={"document": ["demo"]})["hits"][0]["document_title"]

    assert title() == "示例纪律规定"
    service.unpin()
    assert service.label("demo") == "改名后的规定"
    assert title() == "改名后的规定"


def test_a_retired_generation_is_freed_once_its_grace_is_over(corpus, tmp_path, monkeypatch):
    import indexer.search as search_module

    root = tmp_path / "ix"
    build_index([corpus], root)
    service = SearchService(root)
    old = service.snapshot
    (corpus / "c4.md").write_text(case("c4", "新案", "案情涉及鲸鱼。"), encoding="utf-8")
    build_index([corpus], root)
    service.search("鲸鱼")  # the swap: the old generation retires, in its grace period
    assert [g for _, g in service._retired] == [old]
    service.search("鲸鱼")
    assert service._retired  # still within the grace: a request may be reading it
    monkeypatch.setattr(search_module, "RETIRE_AFTER", 0.0)
    service.search("鲸鱼")  # no swap since: freed all the same
    assert service._retired == []


def test_a_reader_refuses_an_index_of_an_older_schema_with_the_command_to_fix_it(corpus, tmp_path):
    """Whoosh would open it and read its entries as this code's; kb serve rebuilds it first."""
    import json as _json

    from indexer.build import IndexOutdated

    root = tmp_path / "ix"
    first = build_index([corpus], root)
    manifest = first.path / "manifest.json"
    manifest.write_text(_json.dumps({**_json.loads(manifest.read_text()), "schema_version": "0"}))
    with pytest.raises(IndexOutdated):
        SearchService(root)
    result = CliRunner().invoke(main, ["search", "礼金", "--index", str(root)])
    assert result.exit_code == 1 and "旧版本" in result.output and "kb build --full" in result.output
    assert "Traceback" not in result.output
