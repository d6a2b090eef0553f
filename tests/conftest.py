"""Shared fixtures. Real third-party documents are read from ../shared (never copied here);
tests that need them skip, with the reason, when that folder is absent."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("KB_SHARED", ROOT.parent / "shared"))
REAL = SHARED / "real"
SEEDS = SHARED / "seeds"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: the real documents live in ../shared beside the checkout")
    return path


@pytest.fixture
def real() -> Path:
    return need(REAL)


@pytest.fixture
def seeds() -> Path:
    return need(SEEDS)


def seed_file(prefix: str) -> Path:
    need(SEEDS)
    matches = sorted(SEEDS.glob(f"{prefix}*.txt"))
    if not matches:
        pytest.skip(f"no seed {prefix}* in {SEEDS}")
    return matches[0]


def write_records(folder: Path, records: dict[str, str]) -> Path:
    """Write record files (name → text) into a corpus folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in records.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _front(**fields) -> str:
    import tomli_w

    return "+++\n" + tomli_w.dumps({k: v for k, v in fields.items() if v not in (None, "")}) + "+++\n\n"


def policy(rid: str, title: str, articles: dict[str, str], **front: str) -> str:
    import datetime as dt

    body = "".join(f"### 第{n}条 {{#{n}}}\n\n{text}\n\n" for n, text in articles.items())
    head = _front(id=rid, kind="policy", title=title, issuer="测试机关", date=dt.date(2023, 12, 19), **front)
    return head + body


def case(
    rid: str,
    title: str,
    facts: str,
    violates: list[str] = (),
    sanctions: list[str] = (),
    year: int = 2022,
    date=None,
    dated: bool = True,
) -> str:
    """A case record; dated on 1 May of its year unless given a date, or only a year (dated=False)."""
    import datetime as dt

    head = _front(
        id=rid,
        kind="case",
        title=title,
        year=year,
        date=(date or dt.date(year, 5, 1)) if dated else None,
        violates=list(violates),
        sanctions=list(sanctions),
    )
    return head + f"## 基本案情 {{#facts}}\n\n{facts}\n"


def synthetic_corpus(folder: Path, n: int, seed: int = 7) -> Path:
    """``n`` small case records made of the TINY sentences, for tests that need a build long
    enough to run writer processes (no third-party text, so it needs no ../shared)."""
    import random

    rng = random.Random(seed)
    words = [
        "形式主义",
        "官僚主义",
        "文山会海",
        "层层加码",
        "过度留痕",
        "公车私用",
        "收受礼金",
        "督查检查",
        "考核",
        "乡镇",
        "报送材料",
        "会议",
        "基层减负",
        "四风",
        "通报",
        "台账",
        "拍照",
        "打卡",
    ]
    records = {}
    for i in range(n):
        facts = "。".join("".join(rng.choice(words) for _ in range(6)) for _ in range(12)) + "。"
        records[f"s{i:05d}.md"] = case(
            f"s{i:05d}", f"合成案例{i}", facts, ["demo/2"], ["党内警告"], 2013 + i % 12
        )
    records["p.md"] = TINY["p.md"]
    return write_records(folder, records)


TINY = {
    "p.md": policy(
        "demo",
        "示例纪律规定",
        {
            "1": "坚决纠治四风，整治形式主义为基层减负。",
            "2": "严禁在督查检查考核中层层加码、过度留痕。",
            "3": "不得滥发红头文件，防止文山会海。",
            "4": "违规使用公务交通工具的，给予警告处分。",
            "5": "收受可能影响公正执行公务的礼品、礼金的，给予处分。",
        },
    ),
    "c1.md": case(
        "c1", "某甲公车私用案", "某甲多次公车私用，并收受礼金。", ["demo/4", "demo/5"], ["党内警告"], 2021
    ),
    "c2.md": case(
        "c2",
        "某乙文山会海案",
        "某乙要求乡镇每周报送材料，层层加码。",
        ["demo/2"],
        ["党内严重警告", "政务记过"],
        2023,
    ),
    "c3.md": case(
        "c3",
        "某丙脚本案",
        '文本中有<script>alert(1)</script>和"onerror=x 的字样，以及公车私用。',
        ["demo/4"],
        [],
        2023,
    ),
}


def _engines() -> list[str]:
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return ["whoosh"]  # the test extra installs tantivy; without it, Whoosh alone
    return ["whoosh", "tantivy"]


ENGINES = _engines()


def pytest_generate_tests(metafunc):
    """Modules marked ``engines`` run once per search engine: every index their fixtures and
    tests build is built (and read) with that engine ($KB_ENGINE, which build_index follows)."""
    if "kb_engine" in metafunc.fixturenames and metafunc.definition.get_closest_marker("engines"):
        metafunc.parametrize("kb_engine", ENGINES, indirect=True, scope="session")


@pytest.fixture(scope="session", autouse=True)
def kb_engine(request) -> Iterator[str]:
    name = getattr(request, "param", "whoosh")
    before = os.environ.get("KB_ENGINE")
    os.environ["KB_ENGINE"] = name
    yield name
    if before is None:
        os.environ.pop("KB_ENGINE", None)
    else:
        os.environ["KB_ENGINE"] = before


@pytest.fixture(scope="session")
def tiny_index(tmp_path_factory, kb_engine) -> Path:
    from indexer.build import build_index

    root = tmp_path_factory.mktemp(f"tiny-{kb_engine}")
    corpus = write_records(root / "corpus", TINY)
    build_index([corpus], root / "index")
    return root / "index"


@pytest.fixture(scope="session")
def tiny_service(tiny_index):
    from indexer.search import SearchService

    return SearchService(tiny_index)


@pytest.fixture(autouse=True, scope="session")
def no_outbound_network():
    """The app works offline: any socket that connects outside loopback fails the test run."""
    import ipaddress
    import socket

    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def allowed(address) -> bool:
        if not isinstance(address, tuple):
            return True  # unix sockets
        host = address[0]
        if host in ("localhost", ""):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    def guarded(self, address):
        if not allowed(address):
            raise AssertionError(f"outbound connection attempted to {address!r}")
        return real_connect(self, address)

    def guarded_ex(self, address):
        if not allowed(address):
            raise AssertionError(f"outbound connection attempted to {address!r}")
        return real_connect_ex(self, address)

    socket.socket.connect, socket.socket.connect_ex = guarded, guarded_ex
    yield
    socket.socket.connect, socket.socket.connect_ex = real_connect, real_connect_ex
