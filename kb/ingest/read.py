"""Read a raw document (.txt .md .html .docx) into plain text, detecting its encoding."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".docx")


class ImportProblem(Exception):
    """A file that cannot be imported; the message names what is wrong."""

    def __init__(self, path: str, message: str, line: int = 0):
        self.path, self.message, self.line = path, message, line
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


@dataclass
class Source:
    path: str
    text: str
    encoding: str = "utf-8"
    title_hint: str = ""
    hints: dict[str, str] = field(default_factory=dict)  # publisher, date … found in markup


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97–2003 .doc, .xls, .ppt
MAX_DOCX_UNPACKED = 50_000_000  # bytes: a draft's .docx unpacks to far less; a zip bomb to far more


def _plausible(text: str) -> bool:
    """Decoded text should be mostly CJK, ASCII and common punctuation, not mojibake."""
    if not text:
        return False
    sample = text[:20000]
    good = sum(
        1
        for c in sample
        if c.isascii()
        or "\u4e00" <= c <= "\u9fff"
        or "\u3000" <= c <= "\u303f"
        or "\uff00" <= c <= "\uffef"
        or c in "“”‘’…—·•●○□■△▲《》【】〔〕"
    )
    return good / len(sample) > 0.9


def decode_bytes(data: bytes, path: str) -> tuple[str, str]:
    """Return (text, encoding). UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK, else
    charset-normalizer's best guess if it reads as Chinese; otherwise an ImportProblem."""
    if not data.strip():
        raise ImportProblem(path, "文件是空的")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ImportProblem(
                path, "文件以 UTF-16 标记开头，但内容不完整（字节数为奇数或有残缺），请重新保存为 UTF-8 文本"
            ) from None
    if data.startswith(_OLE2):
        raise ImportProblem(
            path, "这是旧版 Word（.doc）或其他 Office 文件：请在 Word 或 WPS 中另存为 .docx 后再上传"
        )
    if data.startswith(b"%PDF"):
        raise ImportProblem(path, "这是 PDF 文件：请复制其中的文字另存为 .txt，或另存为 .docx 后再上传")
    if b"\x00" in data[:8192]:
        raise ImportProblem(path, "这不是文本文件（含有二进制内容）：请上传 .docx、.txt、.md 或 .html 文件")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _plausible(text):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # pragma: no cover - a detector failure is just "unknown"
        best = None
    if best is not None:
        text = str(best)
        if _plausible(text):
            return text, best.encoding
    raise ImportProblem(path, "无法识别文字编码（不是 UTF-8、UTF-16 或 GB18030）：请另存为 UTF-8 文本后再试")


_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s*(.*?)\s*#*\s*$")
_MD_META = re.compile(r"^_?来源[：:]\s*(?P<pub>[^_]+?)_?\s+_?发布时间[：:]\s*(?P<date>\d{4}-\d{2}-\d{2})")


def markdown_to_text(md: str) -> tuple[str, str, dict[str, str]]:
    """Plain text from the Markdown of the sources we meet (headings, bold, escapes, comments).
    Returns (text, first heading, hints)."""
    md = re.sub(r"<!--.*?-->", "", md, flags=re.S)
    title = ""
    hints: dict[str, str] = {}
    out: list[str] = []
    for line in md.split("\n"):
        m = _MD_HEADING.match(line)
        if m:
            text = m.group(2).strip()
            if not text:
                continue
            if not title:
                title = text.strip("《》 ")
                continue
            line = text
        meta = _MD_META.match(line.strip())
        if meta:
            hints["publisher"] = meta.group("pub").strip()
            hints["date"] = meta.group("date")
            continue
        line = re.sub(r"\*\*(.+?)\*\*", r"\1", line)
        line = re.sub(r"(?<![\w*])_(\S[^_\n]*?\S|\S)_(?![\w*])", r"\1", line)
        line = re.sub(r"\\([\\`*_{}\[\]()#+\-.!<>])", r"\1", line)
        line = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", line)
        out.append(line)
    return "\n".join(out), title, hints


def html_to_text(html: str) -> tuple[str, str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else ""
    body = soup.body or soup
    return body.get_text("\n"), title


def docx_to_text(source: Path | BinaryIO, name: str = "") -> str:
    """Paragraphs and table rows of a .docx, from a path or an open binary file."""
    name = name or str(source)
    if hasattr(source, "read"):
        head = source.read(8)
    else:
        with Path(source).open("rb") as f:
            head = f.read(8)
    if hasattr(source, "seek"):
        source.seek(0)
    if head.startswith(_OLE2):
        raise ImportProblem(
            name, "这是旧版 Word（.doc）文件，只是改了扩展名：请在 Word 或 WPS 中另存为 .docx 后再上传"
        )
    if not zipfile.is_zipfile(source):
        raise ImportProblem(
            name, "这不是 Word 文档（.docx 文件应是 zip 压缩包）：请在 Word 或 WPS 中另存为 .docx 后再上传"
        )
    if hasattr(source, "seek"):
        source.seek(0)
    with zipfile.ZipFile(source) as z:
        unpacked = sum(i.file_size for i in z.infolist())
    if unpacked > MAX_DOCX_UNPACKED:
        raise ImportProblem(
            name, f"Word 文档解压后超过 {MAX_DOCX_UNPACKED // 1_000_000} MB，不像一份文稿，未读取"
        )
    import docx  # python-docx

    if hasattr(source, "seek"):
        source.seek(0)
    try:
        document = docx.Document(source if hasattr(source, "read") else str(source))
    except Exception as e:  # python-docx raises several kinds for broken packages
        raise ImportProblem(
            name, f"无法读取该 Word 文档（{type(e).__name__}）：请在 Word 或 WPS 中另存为 .docx 后再上传"
        ) from None
    return "\n".join(_block_lines(document.element.body))


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _in_box(el: Any, p: Any) -> bool:
    """Whether el sits in a text box anchored inside paragraph p (read apart, after p)."""
    for a in el.iterancestors():
        if a is p:
            return False
        if a.tag == f"{_W}txbxContent":
            return True
    return False


def _run_text(p: Any) -> str:
    """A paragraph's own text (not that of text boxes anchored in it): w:t, tabs and breaks."""
    out = []
    for el in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if _in_box(el, p):
            continue
        if el.tag == f"{_W}t":
            out.append(el.text or "")
        elif el.tag == f"{_W}tab":
            out.append("\t")
        else:
            out.append("\n")
    return "".join(out)


def _block_lines(container: Any) -> list[str]:
    """The lines of a body, cell or text box in document order: each paragraph, then the text
    boxes anchored in it (a notice's demands sometimes sit in one); each table row as its cells
    joined by tabs, a merged cell once, a nested table after its row."""
    lines: list[str] = []
    for el in container.iterchildren():
        if el.tag == f"{_W}p":
            lines.append(_run_text(el))
            seen_boxes = set()
            for box in el.iter(f"{_W}txbxContent"):
                # a text box is stored twice (DrawingML and its VML fallback): read it once
                key = "".join(box.itertext())
                if key not in seen_boxes and not _in_box(box, el):
                    seen_boxes.add(key)
                    lines.extend(_block_lines(box))
        elif el.tag == f"{_W}tbl":
            lines.extend(_table_lines(el))
        elif el.tag == f"{_W}sdt":  # content controls (forms, tables of contents) hold blocks too
            body = el.find(f"{_W}sdtContent")
            if body is not None:
                lines.extend(_block_lines(body))
    return lines


def _table_lines(tbl: Any) -> list[str]:
    """Each row of a table as its cells joined by tabs (a vertically merged cell once), a table
    nested in a cell after its row."""
    lines: list[str] = []
    for row in tbl.iterchildren(f"{_W}tr"):
        cells, nested = [], []
        for cell in row.iterchildren(f"{_W}tc"):
            merged = cell.find(f"{_W}tcPr/{_W}vMerge")
            if merged is not None and merged.get(f"{_W}val") != "restart":
                continue  # the lower part of a vertically merged cell: empty in the file
            paras = [_run_text(p) for p in cell.iterchildren(f"{_W}p")]
            cells.append(" ".join(x for x in paras if x))
            for inner in cell.iterchildren(f"{_W}tbl"):
                nested.extend(_table_lines(inner))
        lines.append("\t".join(cells))
        lines.extend(nested)
    return lines


def read_draft(data: bytes, name: str) -> str:
    """A draft to check, from its bytes: .docx by name, else text in any encoding decode_bytes
    knows. Read in memory: nothing is written to disk."""
    if name.lower().endswith(".docx"):
        return docx_to_text(io.BytesIO(data), name)
    return decode_bytes(data, name)[0]


def read_source(path: Path) -> Source:
    """Read one file into plain text. Raises ImportProblem naming the file."""
    suffix = path.suffix.lower()
    name = str(path)
    if suffix not in SUFFIXES:
        raise ImportProblem(
            name, f"不支持的文件类型 {suffix or '（无扩展名）'}：请用 {'、'.join(SUFFIXES)} 之一"
        )
    if suffix == ".docx":
        text = docx_to_text(path)
        if not text.strip():
            raise ImportProblem(name, "文档是空的")
        return Source(name, text, "docx")
    data = path.read_bytes()
    text, encoding = decode_bytes(data, name)
    if suffix in (".md", ".markdown"):
        text, title, hints = markdown_to_text(text)
        return Source(name, text, encoding, title, hints)
    if suffix in (".html", ".htm"):
        text, title = html_to_text(text)
        return Source(name, text, encoding, title)
    text, hints = text_header(text)
    return Source(name, text, encoding, "", hints)


_HEADER = re.compile(r"^(source|url|published|date|publisher|来源|发布时间|发布日期)\s*[:：]\s*(.*)$", re.I)
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def text_header(text: str) -> tuple[str, dict[str, str]]:
    """A plain-text file may open with ``key: value`` lines (source:, published:, 来源：,
    发布时间：) and a blank line, as saved web pages often do: they become hints (the source,
    a date written as YYYY-MM-DD) and are not part of the text. Keys it does not know end the
    header only when no known key came first."""
    lines = text.split("\n")
    hints: dict[str, str] = {}
    k = 0
    while k < len(lines) and k < 12:
        line = lines[k].strip()
        if not line:
            if hints:
                k += 1
                break
            k += 1
            continue
        m = _HEADER.match(line)
        if m:
            key, value = m.group(1).lower(), m.group(2).strip()
            if key in ("source", "url", "来源") and value:
                hints.setdefault("source", value)
            elif key in ("published", "date", "发布时间", "发布日期"):
                d = _ISO.search(value)
                if d and value.startswith(d.group()):  # "unknown (URL path 2016-05-26)" is no date
                    hints["date"] = d.group()
            elif key == "publisher" and value:
                hints["publisher"] = value
            k += 1
            continue
        if hints and re.match(r"^[A-Za-z_]+\s*[:：]", line):  # another header key (found:, cases_complete:)
            k += 1
            continue
        break
    if not hints:
        return text, {}
    return "\n".join(lines[k:]), hints
