"""The ``kb`` command: import, validate, build, search, show, serve."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from kb.models import KINDS

TYPE_ALIASES = {"policy": "policy", "list": "list", "case": "case", "material": "material"}


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="jianfu-kb")
def main() -> None:
    """减负知识库: import documents, build the index, search it, serve it."""


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--type", "kind", required=True, type=click.Choice(KINDS), help="What the files are.")
@click.option(
    "--into", type=click.Path(file_okay=False, path_type=Path), help="Corpus folder to write records into."
)
@click.option("--dry-run", is_flag=True, help="Parse and report; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the machine-readable report.")
@click.option("--id", "rid", help="Record id (one file only).")
@click.option("--title")
@click.option("--issuer")
@click.option("--publisher")
@click.option("--doc-number", help="文号")
@click.option("--date", help="YYYY-MM-DD: the date that decides which text was in force.")
@click.option("--year", type=int)
@click.option("--genre")
@click.option("--level", help="中央 / 省 / 市 / 县 / 区")
@click.option("--region")
@click.option("--status", help="现行有效 / 已修订 / 已废止")
@click.option("--source", help="Where the original is published.")
def import_cmd(
    paths: tuple[Path, ...],
    kind: str,
    into: Path | None,
    dry_run: bool,
    as_json: bool,
    rid: str | None,
    **overrides: Any,
) -> None:
    """Clean and structure raw documents (.txt .md .html .docx) into record files."""
    from kb.ingest.importer import import_paths

    if into is None and not dry_run:
        raise click.UsageError("give --into DIR (or --dry-run to only parse)")
    try:
        report = import_paths(paths, kind, None if dry_run else into, {"id": rid, **overrides})
    except ValueError as e:  # a malformed --date
        raise click.BadParameter(str(e)) from None
    if as_json:
        _echo_json(report.dump())
    else:
        for row in report.dump()["records"]:
            n = row["provisions"] or row["items"] or row["sections"]
            click.echo(f"{row['id']}\t{row['kind']}\t{n} units\t{row['title']}")
        for w in report.warnings:
            click.echo(f"warning: {w}", err=True)
        for e in report.errors:
            click.echo(f"error: {e}", err=True)
        click.echo(
            f"{len(report.records)} record(s) imported, {len(report.warnings)} warning(s), {len(report.errors)} error(s)",
            err=True,
        )
    sys.exit(1 if report.errors else 0)


@main.command()
@click.argument("folders", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def validate(folders: tuple[Path, ...], as_json: bool) -> None:
    """Check every record: required fields, unique ids, dates, links that resolve."""
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


def default_corpus() -> Path:
    """The bundled corpus: corpus/ beside the package (source checkout or editable install)."""
    return Path(__file__).resolve().parent.parent / "corpus"


if __name__ == "__main__":  # pragma: no cover
    main()
