"""Whoosh's multi-process writer, made to fail loudly instead of losing documents.

``whoosh.multiproc.MpWriter`` hands batches of documents to forked sub-writers and, at commit,
collects one segment from each with ``resultqueue.get(timeout=1)``, swallowing ``queue.Empty``.
A sub-writer killed by the out-of-memory killer (or anything else) simply contributes no
segment, and the commit succeeds with every document it had been given missing: a 2,085-record
build swapped in 1,015 of them. Its queue puts also wait forever, so a sub-writer that died on
a full disk hung the build with the lock held.

:class:`CheckedMpWriter` keeps Whoosh's work split and segment format, and changes only the
waits: every put and get waits in short slices and, between slices, looks at the sub-writers.
One that exited with an error, was killed, or exited without handing back its segment fails the
commit with :class:`WriterDied`, which names the process and what happened to it. Sub-writers
report their own exception in one line instead of a traceback, and die with their parent
(``PR_SET_PDEATHSIG`` on Linux), so killing ``kb build`` leaves no writer behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import pickle
import queue
import signal
import sys
from typing import Any

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util import random_name

SLICE = 0.5  # seconds between looks at the sub-writers while waiting on a queue
RESULT_GRACE = 10.0  # seconds a sub-writer that exited cleanly may take to deliver its segment
_PR_SET_PDEATHSIG = 1


class WriterDied(RuntimeError):
    """A sub-writer process failed; what it had been given is not in the index."""

    def __init__(self, message: str, *, no_space: bool = False):
        self.no_space = no_space
        super().__init__(message)


def _die_with_parent(parent: int) -> None:
    """Ask the kernel to kill this process when its parent dies (Linux); elsewhere the parent's
    liveness is checked between jobs."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".strip()


class _Task(SubWriterTask):
    """A sub-writer that dies with its parent and reports its failure as one line."""

    def __init__(self, *args: Any, parent: int):
        super().__init__(*args)
        self.parent = parent

    def run(self) -> None:
        _die_with_parent(self.parent)
        try:
            super().run()
        except BaseException as e:  # noqa: BLE001 - reported to the parent, then the process ends
            no_space = isinstance(e, OSError) and e.errno == errno.ENOSPC
            with contextlib.suppress(Exception):
                self.resultqueue.put(("error", _describe(e), no_space), timeout=5)
            os._exit(3)


class CheckedMpWriter(MpWriter):
    """``MpWriter`` whose waits are bounded by the liveness of its sub-writers."""

    def _new_task(self) -> _Task:
        task = _Task(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
            parent=os.getpid(),
        )
        self.tasks.append(task)
        task.start()
        return task

    # ------------------------------------------------------------ liveness

    def _failed(self) -> list[str]:
        """How each dead sub-writer died ([] while all are alive or exited cleanly)."""
        out = []
        for t in self.tasks:
            code = t.exitcode
            if code is None or code == 0:
                continue
            if code < 0:
                try:
                    how = signal.Signals(-code).name
                except ValueError:
                    how = f"signal {-code}"
                out.append(f"写入进程 {t.pid} 被 {how} 终止")
            else:
                out.append(f"写入进程 {t.pid} 异常退出（退出码 {code}）")
        return out

    def _raise_if_failed(self, reported: list[tuple[str, bool]] | None = None) -> None:
        reported = reported or []
        failed = self._failed()
        if failed or reported:
            lines = [msg for msg, _ in reported] + failed
            raise WriterDied(
                "；".join(lines) + "：它负责的文档未写入，索引未替换",
                no_space=any(ns for _, ns in reported),
            )

    def _put(self, item: Any) -> None:
        while True:
            try:
                self.jobqueue.put(item, timeout=SLICE)
                return
            except queue.Full:
                self._raise_if_failed()

    # ------------------------------------------------------------ MpWriter overrides

    def _enqueue(self) -> None:
        filename = f"{random_name()}.doclist"
        with self.temp_storage().create_file(filename).raw_file() as f:
            for item in self.docbuffer:
                pickle.dump(item, f, 2)
        if len(self.tasks) < self.procs:
            self._new_task()
        self._raise_if_failed()
        self._put((filename, len(self.docbuffer)))
        self.docbuffer = []

    def _collect(self) -> list[Any]:
        """One segment from each sub-writer, or WriterDied."""
        results: list[Any] = []
        reported: list[tuple[str, bool]] = []
        quiet = 0.0
        while len(results) + len(reported) < len(self.tasks):
            try:
                item = self.resultqueue.get(timeout=SLICE)
            except queue.Empty:
                if self._failed():
                    self._raise_if_failed(reported)
                if all(t.exitcode == 0 for t in self.tasks):
                    quiet += SLICE  # all exited cleanly, yet a segment is missing
                    if quiet >= RESULT_GRACE:
                        missing = len(self.tasks) - len(results)
                        raise WriterDied(f"{missing} 个写入进程退出时未交回其索引段：索引未替换") from None
                continue
            if isinstance(item, tuple) and len(item) == 3 and item[0] == "error":
                reported.append((f"写入进程出错：{item[1]}", bool(item[2])))
            else:
                results.append(item)
        for t in self.tasks:
            t.join(timeout=RESULT_GRACE)
        self._raise_if_failed(reported)
        return results

    def _commit(self, mergetype: Any, optimize: Any, merge: Any) -> None:
        # Whoosh's own _commit with bounded waits; results are collected before the sub-writers
        # are joined (a process that still holds queued data cannot be joined).
        if self.docbuffer:
            self._enqueue()
        for _ in self.tasks:
            self._put(None)
        finalsegments = self._merge_segments(mergetype, optimize, merge)
        results = self._collect()
        if self.multisegment:
            finalsegments += [s for _, _, s in results]
            if self._added:
                finalsegments.append(self._finalize_segment())
            else:
                self._close_segment()
        else:
            self._merge_subsegments(results, mergetype)
            self._close_segment()
            self._assemble_segment()
            finalsegments.append(self.get_segment())
        self._commit_toc(finalsegments)
        self._finish()

    def cancel(self) -> None:
        try:
            for t in self.tasks:
                if t.is_alive():
                    t.kill()
            for t in self.tasks:
                t.join(timeout=RESULT_GRACE)
        finally:
            super().cancel()
