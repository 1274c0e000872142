"""Thread workers whose end is handled by the callbacks they were started with.

The app starts each worker with what to do with its result (and its error), so one
``on_worker_state_changed`` handles every worker without telling them apart by group.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from textual.dom import DOMNode
from textual.worker import Worker, WorkerState

R = TypeVar("R")


class ThreadWorkers:
    """Starts thread workers on ``node`` and calls back, on the UI thread, when each ends."""

    def __init__(self, node: DOMNode) -> None:
        self.node = node
        self._handlers: dict[Worker[Any], tuple[Callable[[Any], None], Callable[[BaseException], None]]] = {}

    def start(
        self,
        work: Callable[[], R],
        done: Callable[[R], None] = lambda result: None,
        failed: Callable[[BaseException], None] = lambda error: None,
        **options: Any,
    ) -> Worker[R]:
        """Run ``work`` in a thread; then ``done(result)``, or ``failed(error)`` if it raised.

        ``options`` go to :meth:`~textual.dom.DOMNode.run_worker` (``group``, ``exclusive``).
        """
        worker = self.node.run_worker(work, thread=True, exit_on_error=False, **options)
        self._handlers[worker] = (done, failed)
        return worker

    def state_changed(self, event: Worker.StateChanged) -> None:
        """Call the handler of a worker that ended (none for a cancelled one)."""
        if event.state in (WorkerState.PENDING, WorkerState.RUNNING):
            return
        done, failed = self._handlers.pop(event.worker, (None, None))
        if event.state is WorkerState.SUCCESS and done is not None:
            done(event.worker.result)
        elif event.state is WorkerState.ERROR and failed is not None:
            failed(event.worker.error)  # type: ignore[arg-type]
