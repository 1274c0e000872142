"""Reading one corpus in several forked processes, each taking parts as it goes.

Counting and encoding are most of reading, and they run in Python, one core per process.
A corpus that can be cut (:attr:`w2v_core.corpus.Corpus.parts`: byte ranges of a plain file,
runs of a directory's or an NLTK corpus's files) is cut in :data:`PARTS_PER_PROCESS` times
more parts than processes, and each process takes the next part in order as soon as it is
done with one, so that they all finish within a small part of each other whatever the text
or the CPUs cost where (cut in one part per process, one process often waited for the other
for 5% of the read, once for 18%: benchmarks/README.md, "Parts taken as they go"). The parts
shrink as the read goes on (:func:`w2v_core.byte_ranges.part_share`), so that the last ones,
which decide that wait, are a quarter of the average. A process keeps one
table of tokens for all its parts and writes their provisional id streams one after the
other to its own temporary file (no process holds the corpus); it sends back its table and
where each of its parts lies in its file. :func:`w2v_core.token_ids.merge_parts` joins the
tables and the streams are remapped in part order, so the vocabulary and the id stream are
identical to a one-process read (``tests/test_parallel_reading.py``).

Read in one process, whatever ``workers`` says: a pipe or FIFO (read once, as it arrives),
a compressed file (no seeking into it), an iterable of sentences, a file in
UTF-16 or UTF-32 or another encoding where a newline byte may be part of a character, and a
file where no safe cut is found (:mod:`w2v_core.byte_ranges`).

Progress: each process writes its bytes read, words and distinct tokens to its row of a
shared array; the parent sums them (the distinct tokens summed over processes count a token
once per process that holds it, until the tables are merged). Stop: the processes look at a
shared flag after every block of tokens. Errors: the one a one-process read meets first, the
error of the earliest part (no process starts a part after one that failed).
"""

from __future__ import annotations

import os
import select
import struct
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any, TypeVar

import numpy as np

from .corpus import Corpus, Part
from .id_store import temporary_file
from .processes import STOP, ChildControl, ForkedChild, processes_supported, shared_array
from .reading import ByteMeter

#: Most reading processes chosen by default (beyond, merging the tables and the disk tell).
MAX_WORKERS = 16
#: Fewest bytes worth a part of their own (a smaller corpus reads in a blink).
MIN_PART_BYTES = 1 << 20
#: Parts a corpus is cut in for each reading process (see the module notes), and at most
#: in all (their numbers wait in a pipe, which holds 64 KB).
PARTS_PER_PROCESS = 16
MAX_PARTS = 4096

#: ``work(parts, file, on_block, stopped)``: counts each ``(number, sentences)`` of
#: ``parts`` into ``file``, calling ``on_block(words, distinct)`` after each block of tokens;
#: returns a picklable answer.
Work = Callable[
    [Iterator[tuple[int, Iterator[list[str]]]], IO[bytes], Callable[[int, int], None],
     Callable[[], bool]],
    Any,
]
_INDEX = struct.Struct("=i")
T = TypeVar("T")


def reading_parts(corpus: Any, workers: int) -> tuple[list[Part], int]:
    """The parts ``corpus`` is read in, and by how many processes (no parts: read it here)."""
    if workers < 2 or not isinstance(corpus, Corpus) or corpus.parts is None:
        return [], 1
    if not processes_supported():
        return [], 1
    wanted = min(workers * PARTS_PER_PROCESS, MAX_PARTS)
    if corpus.meter.total is not None:
        wanted = min(wanted, corpus.meter.total // MIN_PART_BYTES)
    parts = corpus.parts(wanted) if wanted > 1 else []
    return (parts, min(workers, len(parts))) if len(parts) > 1 else ([], 1)


def read_in_processes(
    parts: Sequence[Part],
    processes: int,
    work: Work,
    control: Any,
    publish: Callable[[float, float, float], None],
    receive: Callable[[Any, IO[bytes]], T] = lambda answer, file: (answer, file),
) -> list[T]:
    """Run ``work`` in ``processes`` forked processes, each taking the next of ``parts`` as
    it goes; ``receive(answer, file)`` of each process's answer and the temporary file it
    wrote, in process order.

    ``receive`` is called here as each process ends, while the others may still read (a
    process's table is merged then, not after the last one). ``publish(bytes_read, words,
    distinct)`` is told the sums over the processes every 50 ms; ``control.stopped`` is
    passed on to them.

    Raises
    ------
    Exception
        The error of the earliest part that failed (a one-process read meets it first), or
        :class:`~w2v_core.errors.TrainingWorkerError` if a process died.
    """
    files = [temporary_file() for _ in range(processes)]
    rows = shared_array((processes, 3), np.float64)
    # the part each process failed in (len(parts): none); no process starts a later one
    failed = shared_array((processes,), np.int64)
    failed[:] = len(parts)
    flags = shared_array((2,), np.int8)
    children: list[ForkedChild] = []
    flags[STOP] = control is not None and control.stopped  # a stop before the first poll too
    # the parts' numbers, in order, in a pipe: a read of one number is atomic, so each part
    # goes to exactly one process, the next one to whichever asks first
    numbers, queue = os.pipe()
    try:
        os.write(queue, b"".join(map(_INDEX.pack, range(len(parts)))))
        os.close(queue)
        for k in range(processes):
            children.append(ForkedChild(_worker(parts, numbers, failed, k, work, files[k], rows[k]),
                                        ChildControl(flags)))
        os.close(numbers)
        numbers = -1
        pending = list(children)
        received: dict[int, T] = {}
        failures = []
        while pending:
            ready, _, _ = select.select(pending, [], [], 0.05)
            for child in ready:
                if child.read(0):
                    continue
                pending.remove(child)
                k = children.index(child)
                try:
                    answer = child.result()
                except BaseException as exc:  # noqa: BLE001 - raised below, the earliest part's
                    failures.append((int(failed[k]), k, exc))
                    continue
                if not failures:
                    received[k] = receive(answer, files[k])
            flags[STOP] = control is not None and control.stopped
            publish(*rows.sum(axis=0))
        publish(*rows.sum(axis=0))
        if failures:
            raise min(failures, key=lambda failure: failure[:2])[2]
    except BaseException:
        flags[STOP] = 1
        for child in children:
            child.wait()
        for file in files:
            file.close()
        raise
    finally:
        if numbers >= 0:
            os.close(numbers)
    return [received[k] for k in range(processes)]


def _worker(parts: Sequence[Part], numbers: int, failed: np.ndarray, k: int, work: Work,
            file: IO[bytes], row: np.ndarray) -> Callable[[Any], Any]:
    """What reading process ``k`` runs: ``work`` over the parts it takes from the pipe
    ``numbers``, its figures in ``row``."""

    def run(control: ChildControl) -> Any:
        meter = ByteMeter()
        current = [len(parts)]

        def taken() -> Iterator[tuple[int, Iterator[list[str]]]]:
            while len(data := os.read(numbers, _INDEX.size)) == _INDEX.size:
                (current[0],) = _INDEX.unpack(data)
                if current[0] > failed.min():
                    return  # a part before it failed: its error is the one raised
                yield current[0], parts[current[0]](meter)

        def on_block(words: int, distinct: int) -> None:
            row[:] = (meter.done, words, distinct)

        try:
            return work(taken(), file, on_block, lambda: control.stopped)
        except BaseException:
            failed[k] = current[0]
            raise
        finally:
            row[0] = meter.done

    return run
