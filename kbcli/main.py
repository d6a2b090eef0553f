"""The ``kb`` command: import, validate, build, search, show, serve."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from indexer.generation import RESULTS_CACHED
from indexer.location import default_index
from kb.corpus import default_corpus
from kb.models import KIND_LABELS, KINDS
from kbcli import zh


def _json_default(o: Any) -> Any:
    from collections.abc import Mapping

    from indexer.search_result import plain

    return plain(o) if isinstance(o, Mapping) else str(o)  # a search result, read-only maps; dates


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))


class KbError(click.ClickException):
    """An error the user can act on, printed as 错误：…"""

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        click.echo(f"错误：{self.format_message()}", err=True)


zh.install()  # click's own words (用法、选项、错误) in Chinese


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="jianfu-kb")
def main() -> None:
    """减负知识库：导入文件、建索引、检索、提供网页服务。"""


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--type", "kind", required=True, type=click.Choice(KINDS), help="文件类型。")
@click.option("--into", type=click.Path(file_okay=False, path_type=Path), help="写入记录的语料文件夹。")
@click.option("--dry-run", is_flag=True, help="只解析并报告，不写文件。")
@click.option(
    "--replace",
    is_flag=True,
    help="Update records already in --into (keeps hand-edited categories, violates, notes …).",
)
@click.option("--replace-all", is_flag=True, help="Update records already in --into, hand edits too.")
@click.option(
    "--no-split",
    "no_split",
    is_flag=True,
    help="通报文件保持为一条记录（默认按案例拆分）。",
)
@click.option(
    "--basis-from",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="清单专用：列出各事项处理依据的文件。",
)
@click.option("--json", "as_json", is_flag=True, help="输出机器可读的报告（JSON）。")
@click.option("--id", "rid", help="记录编号（只用于一个文件）。")
@click.option("--title")
@click.option("--issuer")
@click.option("--publisher")
@click.option("--doc-number", help="文号")
@click.option("--date", help="YYYY-MM-DD：决定适用哪一版本的日期。")
@click.option("--year", type=int)
@click.option("--genre")
@click.option("--level", help="中央 / 省 / 市 / 县 / 区")
@click.option("--region")
@click.option("--status", help="现行有效 / 已修订 / 已废止")
@click.option("--source", help="原文发布的出处。")
@click.option("--version-of", "version_of", help="同一文件各版本共用的家族编号（如 cdc）。")
@click.option("--effective", help="YYYY-MM-DD：施行日期。")
def import_cmd(
    paths: tuple[Path, ...],
    kind: str,
    into: Path | None,
    dry_run: bool,
    basis_from: Path | None,
    as_json: bool,
    rid: str | None,
    replace: bool,
    replace_all: bool,
    no_split: bool,
    **overrides: Any,
) -> None:
    """把原始文件（.txt .md .html .docx）清理、分结构，写成记录文件。"""
    from kb.ingest.importer import import_paths

    if into is None and not dry_run:
        raise click.UsageError("give --into DIR (or --dry-run to only parse)")
    mode = "all" if replace_all else ("keep-edits" if replace else "")
    try:
        report = import_paths(
            paths,
            kind,
            None if dry_run else into,
            {"id": rid, **overrides, "split": "no" if no_split else ""},
            basis_from,
            replace=mode,
        )
    except ValueError as e:  # a malformed --date
        raise click.BadParameter(str(e)) from None
    if as_json:
        _echo_json(report.dump())
    else:
        for row in report.dump()["records"]:
            n = row["provisions"] or row["items"] or row["sections"]
            click.echo(f"{row['id']}\t{row['kind']}\t{n} units\t{row['title']}")
        for w in report.warnings:
            click.echo(f"提醒：{w}", err=True)
        for e in report.errors:
            click.echo(f"错误：{e}", err=True)
        click.echo(
            f"导入 {len(report.records)} 份，提醒 {len(report.warnings)} 条，错误 {len(report.errors)} 个",
            err=True,
        )
    sys.exit(1 if report.errors else 0)


@main.command()
@click.argument("folders", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def validate(folders: tuple[Path, ...], as_json: bool) -> None:
    """检查每条记录：必填字段、编号唯一、日期、链接能否对应。"""
    from kb.corpus import load_corpus

    corpus = load_corpus(folders or (default_corpus(),))
    if as_json:
        _echo_json(
            {
                "records": len(corpus.records),
                "problems": [p.dump() | {"severity": p.severity} for p in corpus.problems],
            }
        )
    else:
        for p in corpus.problems:
            click.echo(f"{p.severity}: {p}", err=True)
        click.echo(f"{len(corpus.records)} record(s), {len(corpus.errors)} error(s)", err=True)
    sys.exit(1 if corpus.errors else 0)


INDEX_OPTION = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="索引文件夹（默认：$KB_INDEX 或 ~/.local/share/jianfu-kb/index）。",
)


def open_service(index_dir: Path | None):  # -> SearchService
    from indexer.build import IndexDamaged, NoIndex
    from indexer.search import SearchService

    root = index_dir or default_index()
    try:
        return SearchService(root)
    except NoIndex:
        raise KbError(f"{root} 还没有索引：请先运行 kb build（或用 --index / KB_INDEX 指定索引）") from None
    except IndexDamaged as e:
        raise KbError(str(e)) from None


@main.command()
@click.option(
    "--corpus",
    "corpora",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="语料文件夹（可重复；默认：内置知识库）。",
)
@INDEX_OPTION
@click.option("--full", is_flag=True, help="全部重建，而不只是变动的部分。")
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--nice",
    default=10,
    show_default=True,
    type=click.IntRange(0, 19),
    help="降低建索引的 CPU 优先级（POSIX），让同机的网页服务保持流畅。",
)
@click.option(
    "--engine",
    type=click.Choice(["whoosh", "tantivy"]),
    default=None,
    help="检索引擎（默认：索引原来所用的引擎，否则 $KB_ENGINE，否则 whoosh）。"
    "tantivy 用于大语料（数万条记录）；换引擎会全量重建。",
)
def build(
    corpora: tuple[Path, ...],
    index_dir: Path | None,
    full: bool,
    as_json: bool,
    nice: int,
    engine: str | None,
) -> None:
    """按语料文件夹建索引；完整建成后才替换正在使用的索引。"""
    import errno

    from indexer.build import BuildFailed, IndexBusy, IndexIncomplete, build_index
    from indexer.mpwriter import WriterDied

    if nice and hasattr(os, "nice"):
        # measured: a full 10k rebuild beside `kb serve --workers 2` under load pushed some
        # requests past 10 s; the writer processes inherit the lower priority
        os.nice(nice)

    root = index_dir or default_index()
    dirs = list(corpora) or [default_corpus()]
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="索引中", file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        result = build_index(
            dirs,
            root,
            full=full,
            progress=progress if sys.stderr.isatty() and not as_json else None,
            engine=engine,
        )
    except ImportError as e:  # --engine tantivy without tantivy installed
        raise KbError(f"没有安装 {e.name or 'tantivy'}：请运行 pip install 'jianfu-kb[tantivy]'") from None
    except (IndexBusy, IndexIncomplete) as e:
        raise KbError(str(e)) from None
    except WriterDied as e:
        prefix = "磁盘空间不足：" if e.no_space else ""
        raise KbError(f"{prefix}{e}") from None
    except OSError as e:
        if e.errno == errno.ENOSPC:
            raise KbError(f"磁盘空间不足，索引未替换（{root}）：{e.filename or ''}") from None
        raise
    except BuildFailed as e:
        for p in e.problems:
            click.echo(f"错误：{p}", err=True)
        raise KbError(str(e)) from None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    summary = {
        "index": str(root),
        "generation": result.generation,
        "records": result.records,
        "hits": result.hits,
        "counts": result.counts,
        "indexed": result.added,
        "removed": result.removed,
        "unchanged": result.unchanged,
        "incremental": result.incremental,
        "engine": result.engine,
        "seconds": round(result.seconds, 2),
        "warnings": [w.dump() for w in result.warnings],
        "damaged_previous": result.damaged_previous,
    }
    if as_json:
        _echo_json(summary)
        return
    for w in result.warnings:
        click.echo(f"提醒：{w}", err=True)
    if result.damaged_previous:
        click.echo(f"上一版索引已损坏（{'；'.join(result.damaged_previous)}），已按语料全量重建。", err=True)
    counts = "，".join(f"{KIND_LABELS.get(k, k)} {n}" for k, n in sorted(result.counts.items()))
    if result.incremental and not result.added and not result.removed:
        click.echo(f"语料未变，索引 {root} 不需重建（校验通过，继续使用 {result.generation}）。")
    click.echo(
        f"已建索引 {root}（{result.generation}，{result.engine}）：{result.records} 份文件，{result.hits} 条可检索（{counts}）；"
        f"本次索引 {result.added}，删除 {result.removed}，未变 {result.unchanged}，用时 {result.seconds:.1f} 秒"
    )


@main.command()
@click.argument("query", nargs=-1)
@INDEX_OPTION
@click.option("--type", "kind", help="provision | list-item | case | material (or 条文/清单/案例/材料)")
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="FIELD=VALUE",
    help="如 year=2023、sanction=留党察看（可重复）",
)
@click.option("--sort", type=click.Choice(["relevance", "date", "date-asc"]), default="relevance")
@click.option("--page", type=int, default=1)
@click.option("--limit", type=int, default=10)
@click.option("--json", "as_json", is_flag=True)
def search(
    query: tuple[str, ...],
    index_dir: Path | None,
    kind: str | None,
    filters: tuple[str, ...],
    sort: str,
    page: int,
    limit: int,
    as_json: bool,
) -> None:
    """检索（词语、"精确短语"、-排除、OR、类型:案例 等字段条件）。"""
    from indexer.schema import FACETS, FIELD_NAMES, KIND_VALUES

    service = open_service(index_dir)
    chosen: dict[str, list[str]] = {}
    if kind:
        chosen["kind"] = [KIND_VALUES.get(kind, kind)]
    for f in filters:
        name, sep, value = f.partition("=")
        facet = name if name in FACETS else FIELD_NAMES.get(name)
        if not sep or not facet:
            raise click.BadParameter(
                f"{f!r}: use FIELD=VALUE with FIELD one of {', '.join(FACETS)}", param_hint="--filter"
            )
        chosen.setdefault(facet, []).append(KIND_VALUES.get(value, value) if facet == "kind" else value)
    result = service.search(" ".join(query), filters=chosen, sort=sort, page=page, per_page=limit)
    if as_json:
        _echo_json(result)
        return
    click.echo(f"您检索的是：{result['parsed']['described']}（共 {result['total']} 条）")
    for note in result["parsed"]["notes"]:
        click.echo(f"  提示：{note}")
    import html as _html
    import re as _re

    for i, h in enumerate(result["hits"], start=(result["page"] - 1) * result["per_page"] + 1):
        label = KIND_LABELS.get(h["kind"], h["kind"])
        head = " ".join(
            x
            for x in (
                h["document_title"],
                h["number"],
                h["title"] if h["title"] != h["document_title"] else "",
            )
            if x
        )
        snippet = _html.unescape(_re.sub(r"</?mark>", "", h["snippet"])).replace("\n", " ")
        click.echo(f"{i:>3}. [{label}] {head}  ({h['id']}{', ' + h['date'] if h['date'] else ''})")
        click.echo(f"     {snippet[:150]}")


@main.command()
@click.argument("item_id")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True)
def show(item_id: str, index_dir: Path | None, as_json: bool) -> None:
    """显示一份文件（cdc-2023）或其中一条（cdc-2023/132）。"""
    service = open_service(index_dir)
    item = service.get_with_links(item_id)
    if item is None:
        raise KbError(f"知识库中没有 {item_id}（可用 kb search 查找编号）")
    if as_json:
        _echo_json(item)
        return
    if "units" in item:
        _show_record(item)
    else:
        _show_unit(item)


#: what kb show prints of a record, in this order, under these labels
RECORD_FIELDS = (
    ("kind", "类型"),
    ("genre", "文种"),
    ("issuer", "发文机关"),
    ("publisher", "发布"),
    ("doc_number", "文号"),
    ("date", "日期"),
    ("effective", "施行"),
    ("status", "效力"),
    ("region", "地区"),
    ("role", "职务"),
    ("rank", "级别"),
    ("sanctions", "处分"),
    ("categories", "类别"),
    ("source", "出处"),
    ("original_publisher", "原发布"),
    ("source_url", "所据网页"),
)


def _show_record(item: dict) -> None:
    from kb.models import when

    click.echo(item["title"])
    if item.get("summary"):
        click.echo("  （本库自撰要点摘要，非原文）")
    for key, label in RECORD_FIELDS:
        value = item.get(key)
        if key == "kind":
            value = KIND_LABELS.get(value, value)
        elif key == "date":
            value = when(value, item.get("year"))
            label = "日期" if item.get("date") else "年份"
        elif key == "source_url" and value and item.get("repost"):
            value = f"{value}（转载）"
        if isinstance(value, list):
            value = "、".join(value)
        if value:
            click.echo(f"  {label}：{value}")
    links = item.get("links", {})
    for row in links.get("violates", []):
        via = f"（经版本对应，原认定为{row['via_label']}）" if row.get("via") else ""
        click.echo(f"  违反条文：{row['title']}（{row['id']}）{via}")
    for u in item["units"]:
        click.echo(f"\n{u['number']} {u['title']}".rstrip())
        click.echo(u["text"])


def _show_unit(item: dict) -> None:
    click.echo(f"{item['document_title']} {item['number']} {item['title']}".strip())
    if item.get("summary"):
        click.echo("（本库自撰要点摘要，非原文）")
    click.echo(item["text"])
    links = item.get("links", {})
    cases = links.get("violated_by", [])
    if cases:
        total = links.get("violated_by_counts", {}).get("total", len(cases))
        click.echo(f"\n违反本条的案例（共 {total} 起，新→旧）：")
        for c in cases[:20]:
            sanctions = f"：{'、'.join(c['sanctions'])}" if c.get("sanctions") else ""
            when = f"（{c['when']}）" if c.get("when") else ""
            click.echo(f"  {c['title']}{when}{sanctions}  [{c['id']}]")
    for row in links.get("versions", []):
        click.echo(f"其他版本：{row['title']}（{row['id']}）")


@main.command()
@INDEX_OPTION
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="监听地址（默认只在本机）。",
)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="共用端口的进程数（POSIX）：每个 CPU 核一个。",
)
@click.option(
    "--cache",
    default=RESULTS_CACHED,
    show_default=True,
    type=click.IntRange(0, 100_000),
    help="每个进程为当前这一代索引缓存的检索结果条数（同一检索再次访问时直接返回）；0 为不缓存。",
)
def serve(index_dir: Path | None, host: str, port: int, threads: int, workers: int, cache: int) -> None:
    """提供网页服务（waitress）；没有索引时先建内置知识库，索引损坏或版本过旧时按原语料重建。"""
    from indexer.analysis import get_tokenizer
    from indexer.build import (
        IndexDamaged,
        current_generation,
        outdated,
        read_manifest,
        verify_generation,
    )
    from indexer.engine import EngineMissing, open_engine

    root = index_dir or default_index()
    gen = current_generation(root)
    ctx = click.get_current_context()
    if gen is None:
        click.echo(f"{root} 中还没有索引，先构建内置知识库……", err=True)
        ctx.invoke(build, corpora=(), index_dir=root, full=False, as_json=False, nice=0, engine=None)
    else:
        manifest = read_manifest(gen)
        dirs = tuple(Path(d) for d in manifest.get("corpus", []) if Path(d).is_dir())
        reason = ""
        if outdated(manifest):
            reason = f"{root} 的索引由旧版本建成"
        else:
            # damage is found by content (the manifest's SHA-256 of every file), not size alone
            problems = verify_generation(gen, checksums=True)
            try:
                if problems:
                    raise IndexDamaged(gen, problems)
                open_engine(gen, manifest).close()
            except IndexDamaged as e:
                reason = str(e)
            except EngineMissing as e:
                raise KbError(str(e)) from None
        if reason:
            click.echo(f"{reason}，按原语料重建……", err=True)
            ctx.invoke(build, corpora=dirs, index_dir=root, full=True, as_json=False, nice=0, engine=None)
    get_tokenizer()  # loaded once, before any worker forks (shared copy-on-write)
    serve_app(root, host, port, threads, workers, cache)


def _warm_app(root: Path, cache: int):  # -> Flask
    """The app, with the index's facet and sort tables built before the first request."""
    from web import create_app

    app = create_app({"INDEX_DIR": str(root), "RESULTS_CACHED": cache})
    app.extensions["kb_search"].warm()
    return app


def serve_app(root: Path, host: str, port: int, threads: int, workers: int, cache: int) -> None:
    """waitress; with workers > 1, or one worker over a tantivy index, forked worker processes,
    each opening the index itself after the fork, under a parent that replaces a worker that
    dies: tantivy memory-maps its files, so a file cut short under a running server ends the
    worker with SIGBUS, and even one worker must come back (Whoosh reads its files, so one
    Whoosh worker serves in-process). A worker that cannot start (five deaths within a minute)
    stops the server with a message instead of being restarted for ever. Where the system has
    SO_REUSEPORT each worker listens on a socket of its own and the kernel spreads new
    connections across them (a shared socket let keep-alive clients all land on one worker:
    60.9 CPU-s against 0.01); elsewhere they accept on one socket. Without fork (Windows), one
    process serves."""
    import errno
    import signal
    import socket
    import time

    from waitress import serve as waitress_serve

    from indexer.build import current_generation, read_manifest
    from indexer.engine import engine_of

    # the port must be free, checked without SO_REUSEPORT: with it a bind succeeds beside another
    # kb serve already on the port, and the two split its connections between their indexes
    # without a word (found under load: one server's 404s for the other's pages)
    try:
        socket.create_server((host, port)).close()
    except OSError as e:
        reason = "已被占用" if e.errno == errno.EADDRINUSE else f"无法监听（{e.strerror}）"
        raise KbError(f"端口 {port} {reason}：可能另一个服务正在使用它，请先停止它或换一个 --port") from None
    click.echo(f"减负知识库已启动：http://{host}:{port}/  （索引 {root}，Ctrl+C 退出）", err=True)
    gen = current_generation(root)
    maps_files = gen is not None and engine_of(read_manifest(gen)) == "tantivy"
    workers = max(1, workers)
    if not hasattr(os, "fork") or (workers == 1 and not maps_files):
        # SIGTERM (a service manager stopping it) ends it cleanly, exit status 0
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        waitress_serve(_warm_app(root, cache), host=host, port=port, threads=threads, ident="jianfu-kb")
        return
    reuse = hasattr(socket, "SO_REUSEPORT")
    shared = None if reuse else socket.create_server((host, port), backlog=1024)
    children: set[int] = set()
    stopping = False

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:  # a worker: the parent's stop handler is not its own
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            code = 1
            try:
                sock = shared or socket.create_server((host, port), backlog=1024, reuse_port=True)
                waitress_serve(_warm_app(root, cache), sockets=[sock], threads=threads, ident="jianfu-kb")
                code = 0
            except BaseException as e:  # noqa: BLE001 - a worker says why it ends, then the parent decides
                click.echo(f"工作进程 {os.getpid()} 出错：{type(e).__name__}: {e}", err=True)
            finally:
                os._exit(code)
        children.add(pid)

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(workers):
        spawn()
    # a worker that dies (killed, or a fault in native code) is replaced; the others keep serving
    deaths: list[float] = []
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        children.discard(pid)
        if stopping:
            continue
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:  # it ended its serving: all stop
            stop(signal.SIGTERM, None)
            continue
        now = time.monotonic()
        deaths = [t for t in deaths if now - t < 60] + [now]
        if len(deaths) >= 5:
            click.echo("工作进程一分钟内五次退出，服务停止：请查看上面的出错信息", err=True)
            stop(signal.SIGTERM, None)
            continue
        click.echo(f"工作进程 {pid} 意外退出（状态 {status}），已重新启动一个", err=True)
        spawn()


@main.command()
@click.argument("source", type=click.Path(allow_dash=True, dir_okay=False, path_type=Path))
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True)
def check(source: Path, index_dir: Path | None, as_json: bool) -> None:
    """起草自查：按规定检查文稿（.txt、.docx，或 - 表示标准输入）；内容不保存。"""
    from kb.ingest.read import ImportProblem, read_draft

    try:
        if str(source) == "-":
            text = read_draft(sys.stdin.buffer.read(), "<stdin>")
        else:
            text = read_draft(source.read_bytes(), str(source))
    except ImportProblem as e:
        raise KbError(str(e)) from None
    except OSError as e:
        raise KbError(f"{source}: {e.strerror}") from None
    from indexer.build import current_generation

    root = index_dir or default_index()
    if current_generation(root) is not None:
        result = open_service(index_dir).check(text)
    else:
        from kb.check import check_draft

        result = check_draft(text).dump()
        result["notes"].append(f"{root} 中没有索引：只做了规则检查，没有相似条文和案例")
    if as_json:
        _echo_json(result)
        return
    click.echo(
        f"共 {result['chars']} 字、{result['sentences']} 句；提示 {len(result['flags'])} 处。{result['verdict']}"
    )
    for note in result["notes"]:
        click.echo(f"  说明：{note}")
    labels = {"limit": "超限", "pattern": "规则", "similar": "相似"}
    severity = {"high": "高", "medium": "中", "low": "低"}
    for f in result["flags"]:
        cites = "；".join(p["citation"] for p in f["provisions"])
        click.echo(
            f"\n[{labels[f['kind']]}·{severity.get(f['severity'], f['severity'])}] {f['title']}"
            f"（第{f['start'] + 1}–{f['end']}字）"
        )
        click.echo(f"  原句：{f['sentence']}")
        click.echo(f"  说明：{f['explain']}")
        if f.get("matched"):
            click.echo(f"  触发：{f['matched']}")
        click.echo(f"  依据：{cites}")
        for c in f["cases"]:
            click.echo(f"  案例：{c['title']}" + (f"（{c['date']}）" if c.get("date") else ""))
    if not any(f["kind"] != "similar" for f in result["flags"]):
        click.echo("\n对照检查的情形：" + "、".join(c["title"] for c in result["checked"]))


@main.group()
def pack() -> None:
    """学习包：创建、按条文生成、导出为 Word、Markdown 或网页。"""


@pack.command("create")
@click.argument("ids", nargs=-1, required=True)
@click.option("--title", required=True)
@click.option("--subtitle", default="")
@click.option(
    "--section",
    "section_title",
    default="学习内容",
    show_default=True,
    help="这些条目所在分组的标题。",
)
@click.option("--quiz/--no-quiz", default=False)
@INDEX_OPTION
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def pack_create(
    ids: tuple[str, ...],
    title: str,
    subtitle: str,
    section_title: str,
    quiz: bool,
    index_dir: Path | None,
    output: Path,
) -> None:
    """把这些条目按顺序写成学习包文件；每个编号都须在索引中，找不到的会列出并拒绝写入。"""
    from kb.packs import Pack, PackError, PackItem, PackSection, dump_pack, loads_pack

    service = open_service(index_dir)
    missing = [i for i in ids if service.get(i) is None]
    if missing:
        raise KbError(f"知识库中没有：{'、'.join(missing)}（可用 kb search 查找编号）")
    p = Pack(
        title, subtitle, "", quiz, [PackSection(section_title, [PackItem(service.canonical(i)) for i in ids])]
    )
    try:
        loads_pack(dump_pack(p))  # the limits a loaded pack is held to (title length, item count)
    except PackError as e:
        raise KbError(e.message) from None
    output.write_text(dump_pack(p), encoding="utf-8")
    click.echo(f"{output}：{len(ids)} 项", err=True)


@pack.command("for-provision")
@click.argument("item_id")
@INDEX_OPTION
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def pack_for(item_id: str, index_dir: Path | None, output: Path) -> None:
    """为该条文生成学习包：该条、前后条和违反该条的案例。"""
    from kb.packs import dump_pack
    from kb.packs.model import pack_for_provision

    item = open_service(index_dir).get_with_links(item_id)
    if item is None or "units" in item:
        raise KbError(f"{item_id!r} is not a provision in the index")
    output.write_text(dump_pack(pack_for_provision(item)), encoding="utf-8")
    click.echo(f"{output}: written", err=True)


@pack.command("export")
@click.argument("pack_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@INDEX_OPTION
@click.option("--format", "fmt", type=click.Choice(["docx", "md", "html"]), default="docx", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def pack_export(pack_file: Path, index_dir: Path | None, fmt: str, output: Path) -> None:
    """导出学习包；已不在知识库中的条目标明“已不在知识库中”并提醒。"""
    from kb.packs import PackError, load_pack, resolve_pack
    from kb.packs.export import FORMATS

    try:
        p = load_pack(pack_file)
    except PackError as e:
        raise KbError(str(e)) from None
    resolved = resolve_pack(p, open_service(index_dir).get)
    data = FORMATS[fmt](resolved)
    output.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    for w in resolved.warnings:
        click.echo(f"提醒：{w}", err=True)
    click.echo(
        f"{output}: {sum(len(e) for _, e in resolved.sections)} item(s), {len(resolved.quiz)} quiz question(s)",
        err=True,
    )


@main.group()
def links() -> None:
    """引用与关联：未能对应的引用、版本对应、案例覆盖。"""


OUTCOME_LABELS = {
    "no-document": "没有写明文件",
    "document-not-held": "文件不在知识库中",
    "edition-not-held": "版本不在知识库中",
    "edition-uncertain": "版本不确定",
    "article-not-held": "知识库中无此条",
    "resolved": "已对应",
}


@links.command("unresolved")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True)
@click.option("--outcome", type=click.Choice(sorted(set(OUTCOME_LABELS) - {"resolved"})), help="只列这一类。")
def links_unresolved(index_dir: Path | None, as_json: bool, outcome: str | None) -> None:
    """语料中未能对应到条文的引用，按原因分组计数。"""
    from collections import Counter

    service = open_service(index_dir)
    rows = [r for r in service.manifest.get("unresolved", []) if not outcome or r.get("outcome") == outcome]
    counts = Counter(r.get("outcome", "") for r in rows)
    if as_json:
        _echo_json({"counts": dict(counts.most_common()), "citations": rows})
        return
    for kind, n in counts.most_common():
        click.echo(f"## {OUTCOME_LABELS.get(kind, kind)}（{kind}）：{n}")
        for r in (r for r in rows if r.get("outcome", "") == kind):
            extra = f"\t候选：{'、'.join(r['candidates'])}" if r.get("candidates") else ""
            click.echo(
                f"{r['source']}\t{r['title'] or '（无文件名）'}{r['text']}\t{r['reason']}{extra}\t{r['sentence'][:80]}"
            )
    click.echo(f"共 {len(rows)} 条未能对应的引用", err=True)


@links.command("coverage")
@click.option("--corpus", "folders", multiple=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def links_coverage(folders: tuple[Path, ...], as_json: bool) -> None:
    """重点条文（条例第八、十章，若干规定，八项规定）各有多少案例，不足 3 起的说明原因。"""
    from kb.corpus import load_corpus
    from kb.coverage import MINIMUM, coverage

    rows = coverage(load_corpus(list(folders) or [default_corpus()]))
    if as_json:
        _echo_json(
            [
                {"provision": r.provision, "label": r.label, "cases": list(r.cases), "reason": r.reason}
                for r in rows
            ]
        )
        return
    for r in rows:
        mark = "  " if not r.short else "⚠ "
        click.echo(
            f"{mark}{r.label}（{r.provision}）：{len(r.cases)} 起"
            + (f"——{r.reason}" if r.short and r.reason else "")
        )
    short = sum(1 for r in rows if r.short)
    click.echo(f"共 {len(rows)} 条，{short} 条不足 {MINIMUM} 起", err=True)


@links.command("explain")
@click.argument("item_id")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True)
def links_explain(item_id: str, index_dir: Path | None, as_json: bool) -> None:
    """逐条说明一份记录（或其中一条）里的引用对应到了哪一条，或为何未能对应，以及依据。"""
    from kb.links.find import find_citations
    from kb.links.resolve import resolve_citations
    from kb.records import record_from_dump

    service = open_service(index_dir)
    rid = service.canonical(item_id).split("/")[0]
    stored = service.get(rid)
    if stored is None:
        raise KbError(f"知识库中没有 {item_id}")
    record = record_from_dump(stored)
    anchor = service.canonical(item_id).partition("/")[2].split("/")[0]
    units = [u for u in record.units if not anchor or u.anchor == anchor]
    if record.kind == "case":
        texts = [("\n".join(u.text for u in units), rid)]
    else:
        texts = [(u.text, f"{rid}/{u.anchor}") for u in units]
    rows = []
    for text, source in texts:
        for res in resolve_citations(find_citations(text), record, service.policy_index()):
            rows.append({"source": source, **res.dump()})
    if as_json:
        _echo_json(rows)
        return
    for r in rows:
        head = r["target"] or f"未对应（{OUTCOME_LABELS.get(r['outcome'], r['outcome'])}）"
        click.echo(f"{r['title'] or '（无文件名）'}{r['text']} → {head}：{r['reason']}")
        for e in r["evidence"]:
            click.echo(f"    {e}")
        if r["candidates"]:
            click.echo(f"    候选：{'、'.join(r['candidates'])}")
    click.echo(f"共 {len(rows)} 条引用", err=True)


@links.command("correspond")
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="写入此文件（默认输出到屏幕）。",
)
def links_correspond(old: Path, new: Path, output: Path | None) -> None:
    """计算同一文件两个版本（全文记录文件）之间的条文对应。"""
    from kb.links.correspondence import write_table
    from kb.links.versions import align
    from kb.records import RecordError, read_record

    try:
        a, b = read_record(old), read_record(new)
    except RecordError as e:
        raise KbError(str(e)) from None
    label = lambda r: str((r.date or r.effective).year if (r.date or r.effective) else r.year or r.id)  # noqa: E731
    pairs = align(a.units, b.units)
    table = write_table(pairs, label(a), label(b), b.title)
    if output:
        output.write_text(table, encoding="utf-8")
    else:
        click.echo(table, nl=False)
    click.echo(f"{len(pairs)} of {len(a.units)} articles of {a.id} matched in {b.id}", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
