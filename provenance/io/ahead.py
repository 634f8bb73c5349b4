"""Reading ahead: an iterator run in a process of its own, its items yielded here.

A flat CSV's rows are read and checked by Python (``flat_rows``) while this process
stages the chunk before in the database; with two cores the two overlap. The reading
process is forked, so it starts with this one's memory (the open file, the CSV reader,
the checks' state) and sends each item back pickled through a pipe, whose buffer keeps
it a dozen small chunks ahead at most. It must not touch the database (it shares this
process's connection) and leaves with ``os._exit``, running no clean-up of anything it
inherited; buffered output it inherited is never written twice.

Where a process cannot be forked safely (or ``READ_AHEAD`` is off) the iterator simply
runs here, item by item, and the items are the same.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
READ_AHEAD = sys.platform == "linux"  # macOS's system libraries are not fork-safe
# the pipe's buffer: Linux's limit for an unprivileged process (/proc/sys/fs/pipe-max-size),
# a dozen chunks, so that neither process waits for the other to hand one over
PIPE_BYTES = 1 << 20


def ahead(items: Iterator[T]) -> Iterator[T]:
    """Yield the items of ``items``, computed in a forked process when possible."""
    if not READ_AHEAD:
        yield from items
        return
    import fcntl  # Linux only, as READ_AHEAD

    read_end, write_end = os.pipe()
    with contextlib.suppress(OSError):  # a lower limit: the default 64 KB, a chunk or so
        fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its work is checked through the parent
        # what it inherited is never collected here: no finaliser of this process's
        # garbage runs twice, and no collection copies its pages
        gc.freeze()
        os.close(read_end)
        _produce(items, write_end)
    os.close(write_end)
    finished = False
    try:
        with os.fdopen(read_end, "rb") as pipe:
            while True:
                try:
                    kind, payload = pickle.load(pipe)
                except EOFError:
                    raise RuntimeError("the reading process ended without a word") from None
                if kind == "item":
                    yield payload
                elif kind == "end":
                    finished = True
                    return
                else:
                    raise RuntimeError(f"the reading process failed:\n{payload}")
    finally:
        if not finished:  # the caller stopped early, or the reading failed
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        with contextlib.suppress(ChildProcessError):  # reaped already (SIGCHLD ignored)
            os.waitpid(pid, 0)


def _produce(items: Iterator, fd: int) -> None:  # pragma: no cover - runs in the child
    code = 0
    try:
        with os.fdopen(fd, "wb") as pipe:
            try:
                for item in items:
                    pickle.dump(("item", item), pipe, pickle.HIGHEST_PROTOCOL)
                    pipe.flush()
                pickle.dump(("end", None), pipe)
            except BaseException:  # every failure goes back to the caller
                code = 1
                pickle.dump(("error", traceback.format_exc()), pipe)
    finally:
        os._exit(code)
