"""Hostile input as work: each case in a process of its own, timed, with the peak memory it adds.

    zip bomb      a .docx of 60 MB of zeros (about 60 KB packed) uploaded to /check
    pack export   the largest pack allowed (kb.packs.model.MAX_ITEMS items) exported to Word
    facet values  a search URL carrying 60 KB of facet values

Run by bench/run.py against the index it built; the budget (bench/budget.toml) holds each under
1 s and 300 MB added."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

CASE = r"""
import io, json, resource, sys, time, zipfile
from urllib.parse import quote
from web import create_app
from kb.packs.model import MAX_ITEMS

app = create_app({"INDEX_DIR": sys.argv[1], "TESTING": True})
client = app.test_client()
svc = app.extensions["kb_search"]
client.get("/search?q=%E5%BD%A2%E5%BC%8F%E4%B8%BB%E4%B9%89")  # warm
case = sys.argv[2]
if case == "zip bomb":
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"0" * 60_000_000)
    data = buf.getvalue()
    run = lambda: client.post("/check.json", data={"file": (io.BytesIO(data), "bomb.docx")})
elif case == "pack export":
    ids = []
    for q in ("处分", "形式主义", "礼金", "会议", "文件", "公款", "考核", "通报", "干部", "问题"):
        ids += [h["id"] for h in svc.search(q, per_page=100, facets=False, snippets=False)["hits"]]
    ids = list(dict.fromkeys(ids))[:MAX_ITEMS]
    pack = {"title": "压力测试", "quiz": True, "section": [{"title": "组", "item": [{"id": i, "note": "学习提示"} for i in ids]}]}
    body = json.dumps(pack, ensure_ascii=False)
    run = lambda: client.post("/pack/export", data={"pack": body, "format": "docx"})
else:
    params = "&".join(f"f.region={quote('地' * 1000)}{i}" for i in range(20))
    run = lambda: client.get("/search?q=&" + params)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
r = run()
seconds = time.perf_counter() - t
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"status": r.status_code, "seconds": round(seconds, 2),
                  "added_mb": round((after - before) / 1024), "response_kb": round(len(r.data) / 1024)}))
"""

CASES = ("zip bomb", "pack export", "facet values")


def run(index: Path) -> dict[str, Any]:
    out = {}
    for case in CASES:
        p = subprocess.run(
            [sys.executable, "-c", CASE, str(index), case],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if p.returncode:
            out[case] = {"error": p.stderr[-500:]}
            continue
        out[case] = json.loads(p.stdout.strip().splitlines()[-1])
    return out


if __name__ == "__main__":
    print(json.dumps(run(Path(sys.argv[1])), ensure_ascii=False, indent=1))
