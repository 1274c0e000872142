"""Reading one corpus in several forked processes, each over its own part, in order.

Counting and encoding are most of reading, and they run in Python, one core per process.
A corpus that can be cut (:attr:`w2v_core.corpus.Corpus.parts`: byte ranges of a plain file,
runs of a directory's or an NLTK corpus's files) is read by one forked process per part. Each writes its
provisional id stream to its own temporary file (no process holds the corpus) and sends
back its table of tokens; :func:`w2v_core.token_ids.merge_parts` joins the tables in part
order, which gives the order of first sight of a one-process read, so the vocabulary and the
id stream are identical to it (``tests/test_parallel_reading.py``).

Read in one process, whatever ``workers`` says: a pipe or FIFO (read once, as it arrives),
a compressed file (no seeking into it), an iterable of sentences, a file in
UTF-16 or UTF-32 or another encoding where a newline byte may be part of a character, and a
file where no safe cut is found (:mod:`w2v_core.byte_ranges`).

Progress: each process writes its bytes read, words and distinct tokens to its row of a
shared array; the parent sums them (the distinct tokens summed over parts count a token once
per part that holds it, until the tables are merged). Stop: the processes look at a shared
flag after every block of tokens.
"""

from __future__ import annotations

import select
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any

import numpy as np

from .corpus import Corpus, Part
from .id_store import temporary_file
from .processes import STOP, ChildControl, ForkedChild, processes_supported, shared_array
from .reading import ByteMeter

#: Most reading processes chosen by default (beyond, merging the tables and the disk tell).
MAX_WORKERS = 16
#: Fewest bytes worth a reading process of their own (a smaller corpus reads in a blink).
MIN_PART_BYTES = 1 << 20

#: ``work(sentences, file, on_block, stopped)``: counts ``sentences`` into ``file``, calling
#: ``on_block(words, distinct)`` after each block of tokens; returns a picklable answer.
Work = Callable[[Iterator[list[str]], IO[bytes], Callable[[int, int], None], Callable[[], bool]], Any]


def reading_parts(corpus: Any, workers: int) -> list[Part]:
    """The parts ``corpus`` is read in by ``workers`` processes (none or one: read it here)."""
    if workers < 2 or not isinstance(corpus, Corpus) or corpus.parts is None:
        return []
    if not processes_supported():
        return []
    if corpus.meter.total is not None:
        workers = min(workers, corpus.meter.total // MIN_PART_BYTES)
    return corpus.parts(workers) if workers > 1 else []


def read_in_processes(
    parts: Sequence[Part],
    work: Work,
    control: Any,
    publish: Callable[[float, float, float], None],
) -> list[tuple[Any, IO[bytes]]]:
    """Run ``work`` over each part in a forked process; each answer with the temporary file
    its process wrote, in part order.

    ``publish(bytes_read, words, distinct)`` is told the sums over the processes every
    50 ms; ``control.stopped`` is passed on to them.

    Raises
    ------
    Exception
        The first part's error in part order (a one-process read meets it first), or
        :class:`~w2v_core.errors.TrainingWorkerError` if a process died.
    """
    files = [temporary_file() for _ in parts]
    rows = shared_array((len(parts), 3), np.float64)
    flags = shared_array((2,), np.int8)
    children: list[ForkedChild] = []
    flags[STOP] = control is not None and control.stopped  # a stop before the first poll too
    try:
        for k, part in enumerate(parts):
            children.append(ForkedChild(_worker(part, work, files[k], rows[k]), ChildControl(flags)))
        pending = list(children)
        while pending:
            ready, _, _ = select.select(pending, [], [], 0.05)
            for child in ready:
                if not child.read(0):
                    pending.remove(child)
            flags[STOP] = control is not None and control.stopped
            publish(*rows.sum(axis=0))
        publish(*rows.sum(axis=0))
        answers = []
        failure: BaseException | None = None
        for child in children:
            try:
                answers.append(child.result())
            except BaseException as exc:  # noqa: BLE001 - raised below, in part order
                failure = failure or exc
        if failure is not None:
            raise failure
    except BaseException:
        flags[STOP] = 1
        for child in children:
            child.wait()
        for file in files:
            file.close()
        raise
    return list(zip(answers, files))


def _worker(part: Part, work: Work, file: IO[bytes], row: np.ndarray) -> Callable[[Any], Any]:
    """What one reading process runs: ``work`` over its part, its figures in ``row``."""

    def run(control: ChildControl) -> Any:
        meter = ByteMeter()

        def on_block(words: int, distinct: int) -> None:
            row[:] = (meter.done, words, distinct)

        try:
            return work(part(meter), file, on_block, lambda: control.stopped)
        finally:
            row[0] = meter.done

    return run
