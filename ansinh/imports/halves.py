"""Row-wise work on a large file, split between this process and a forked copy of it.

Parsing 100,000 rows is pure Python, so one process runs it on one core while the machine's
other core idles. Forked after the file is read, a child process sees the rows in its own
(copy-on-write) memory without their being sent over; it parses the second half and sends
back only what it made. The child never touches the database: it inherits the parent's
connections but leaves them alone, and ends with os._exit (multiprocessing's way), which
closes nothing.
"""

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")

# What the forked child is to run: set just before the fork, so the child finds it in the
# memory it was forked with (a closure cannot be pickled; it need not be).
_TASK: tuple[Callable[[int, int], object], int, int] | None = None


def can_fork() -> bool:
    return (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()


def in_halves(work: Callable[[int, int], T], n: int, join: Callable[[T, T], T], *,
              min_rows: int) -> T:
    """work(0, n), computed as join(work(0, h), work(h, n)) with the second half in a forked
    child when n is at least min_rows (min_rows <= 0: never). If the child cannot be started
    or dies, this process does its half too: the result is the same either way."""
    if min_rows <= 0 or n < max(min_rows, 2) or not can_fork():
        return work(0, n)
    half = n // 2
    global _TASK
    _TASK = (work, half, n)
    try:
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        future = pool.submit(_run_task)  # forks here
    except OSError:
        return work(0, n)
    finally:
        _TASK = None
    try:
        first = work(0, half)
        try:
            second = future.result()
        except BrokenProcessPool:
            second = work(half, n)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return join(first, second)


def _run_task():
    work, start, end = _TASK
    return work(start, end)
