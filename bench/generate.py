"""Scale the real documents in ../shared to a benchmark corpus of N records.

    python bench/generate.py 10000 /tmp/kb-10k          # writes /tmp/kb-10k/*.md
    python bench/generate.py 100000 /tmp/kb-100k --seed 2

The records are synthetic and never leave the machine that runs the benchmark (they are made of
third-party sentences, so they must not be committed). What makes them realistic:

- the text: every record's units are real sentences, re-drawn from the same kind of real
  document (half from one real "base" record, half from the pool of all of them), so the
  vocabulary, the sentence and unit lengths and the number of units follow the real corpus;
- the mix: cases : materials : policies as in a working collection (88 : 10 : 2), so a 10k
  corpus has about 17k hits;
- the facets: years 2013–2025, provinces, ranks, sanctions and categories from the project's own
  vocabularies, and `violates` edges to real provisions of the bundled corpus (so links resolve
  and the facet has the long tail it has in use).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.corpus import load_corpus  # noqa: E402
from kb.models import Record, Unit  # noqa: E402
from kb.records import dump_record  # noqa: E402

MIX = (("case", 0.88), ("material", 0.10), ("policy", 0.02))
PROVINCES = tuple(
    [
        "北京市",
        "天津市",
        "河北省",
        "山西省",
        "内蒙古自治区",
        "辽宁省",
        "吉林省",
        "黑龙江省",
        "上海市",
        "江苏省",
        "浙江省",
        "安徽省",
        "福建省",
        "江西省",
        "山东省",
        "河南省",
        "湖北省",
        "湖南省",
        "广东省",
        "广西壮族自治区",
        "海南省",
        "重庆市",
        "四川省",
        "贵州省",
        "云南省",
        "西藏自治区",
        "陕西省",
        "甘肃省",
        "青海省",
        "宁夏回族自治区",
        "新疆维吾尔自治区",
    ]
)
RANKS = ("", "一般干部", "乡科级", "县处级", "厅局级")
SANCTIONS = (
    "党内警告", "党内严重警告", "撤销党内职务", "留党察看", "开除党籍",
    "警告", "记过", "记大过", "降级", "撤职", "开除", "诫勉", "批评教育",
)  # fmt: skip
CATEGORIES = (
    "文山会海", "督检考", "过度留痕", "层层加码", "指尖上的形式主义", "借调", "创建示范",
    "公款吃喝", "收送礼金", "公车私用", "违规发放津补贴", "公款旅游", "楼堂馆所", "享乐主义",
)  # fmt: skip
ISSUERS = ("中共中央", "中共中央办公厅", "中央纪委", "国务院办公厅", "省委办公厅", "市委办公厅", "县委办公室")
_SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if len(s.strip()) > 4]


class Pool:
    """Real records of one kind, and all their sentences."""

    def __init__(self, records: list[Record]):
        self.records = [r for r in records if r.units and r.text.strip()]
        self.sentences = [s for r in self.records for u in r.units for s in sentences(u.text)]
        if not self.records or not self.sentences:
            raise SystemExit("the real documents gave no text to draw from")

    def redraw(self, text: str, rng: random.Random) -> str:
        own = sentences(text) or [rng.choice(self.sentences)]
        out = [s if rng.random() < 0.5 else rng.choice(self.sentences) for s in own]
        rng.shuffle(out)
        return "".join(out)


def real_records(shared: Path) -> dict[str, list[Record]]:
    """Import the real documents once (our own cleaner), grouped by the kind they stand for."""
    from kb.ingest import import_paths

    real = shared / "real"
    plan = [
        ("case", [real / "xt/case-analyses", real / "xt/cases-ccdi-guiding"], {}),
        ("material", [shared / "seeds"], {}),
        ("policy", [real / "xt/dangfa/dangfa008.md"], {"id": "src-cdc-2023"}),
        ("policy", [real / "xt/dangfa/dangfa009.md"], {"id": "src-cdc-2018"}),
        ("policy", [real / "lawrefbook/gongzhi-renyuan-zhengwu-chufen-fa-2020.md"], {"id": "src-zwcf"}),
    ]
    out: dict[str, list[Record]] = {"case": [], "material": [], "policy": []}
    for kind, paths, over in plan:
        report = import_paths([p for p in paths if p.exists()], kind, None, over)
        out[kind].extend(report.records)
    return out


def provision_ids() -> list[str]:
    corpus = load_corpus([ROOT / "corpus"])
    return [f"{r.id}/{u.anchor}" for r in corpus.records if r.kind == "policy" for u in r.units]


def generate(n: int, shared: Path, seed: int = 1) -> Iterator[Record]:
    rng = random.Random(seed)
    pools = {k: Pool(v) for k, v in real_records(shared).items()}
    targets = provision_ids()
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    for i in range(1, n + 1):
        kind = rng.choices(kinds, weights)[0]
        pool = pools[kind]
        base = rng.choice(pool.records)
        units = base.units
        if kind == "policy" and len(units) > 20:  # a policy of 20 provisions, not the whole 条例
            start = rng.randrange(len(units) - 20)
            units = units[start : start + 20]
        date = dt.date(2013, 1, 1) + dt.timedelta(days=rng.randrange(13 * 365))
        new_units = tuple(
            Unit(
                anchor=u.anchor,
                number=u.number,
                text=pool.redraw(u.text, rng),
                heading=u.heading,
                title=u.title,
            )
            for u in units
        )
        common = dict(
            id=f"gen-{kind}-{i:06d}",
            kind=kind,
            title=f"{base.title}（{i}）",
            units=new_units,
            date=date,
            year=date.year,
            summary=False,
            source=f"bench/generate.py seed {seed}: synthetic, made of sentences of {base.source_file or base.id}",
            notes="基准测试用合成记录，不得提交或发布。",
        )
        if kind == "case":
            yield Record(
                **common,
                publisher=rng.choice(ISSUERS[2:]),
                region=rng.choice(PROVINCES),
                rank=rng.choice(RANKS),
                sanctions=tuple(rng.sample(SANCTIONS, rng.choice((0, 1, 1, 1, 2)))),
                categories=tuple(rng.sample(CATEGORIES, rng.choice((1, 1, 2, 3)))),
                violates=tuple(rng.sample(targets, rng.choice((0, 1, 1, 2, 3)))),
            )
        elif kind == "policy":
            # a synthetic document of its own, not another edition of the text it was drawn from:
            # named like it, every one joined that family, and a family of 95 editions at 10k
            # (no real law has more than a few) made citation resolution quadratic
            yield Record(**common, issuer=rng.choice(ISSUERS), status="现行有效", version_of=common["id"])
        else:
            yield Record(
                **common,
                region=rng.choice(PROVINCES),
                categories=tuple(rng.sample(CATEGORIES, rng.choice((1, 2)))),
            )


def write_corpus(n: int, out: Path, shared: Path, seed: int = 1) -> int:
    """Write N generated records into ``out`` (emptied first). Returns the characters written."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("gen-*.md"):
        old.unlink()
    chars = 0
    for record in generate(n, shared, seed):
        text = dump_record(record)
        chars += len(record.text)
        (out / f"{record.id}.md").write_text(text, encoding="utf-8")
    return chars


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("records", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    if not args.shared.exists():
        sys.exit(f"{args.shared} is absent: the generator draws its sentences from the real documents")
    t = time.perf_counter()
    chars = write_corpus(args.records, args.out, args.shared, args.seed)
    print(f"{args.records} records, {chars:,} chars in {args.out} ({time.perf_counter() - t:.1f} s)")


if __name__ == "__main__":
    main()
