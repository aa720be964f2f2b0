"""One key at a time: the next key is delivered only once the last one is handled.

Textual forwards a key to the focused widget's queue and runs the bindings it matches
only when it has bubbled up to the app, so keys typed in a burst overtook one another:
`ctrl+s` then `shift+tab` and a month typed at once moved to the other month before the
save ran. `KeyInFlight` follows a forwarded key up the nodes it bubbles through and says
when it is done with."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual import events
from textual.dom import DOMNode


class KeyInFlight:
    """A forwarded key on its way from its target up to the app.

    At each node on the way a callback is queued behind the key; when it runs the node
    has handled the key (and posted it to its parent if it bubbles). A node that still
    has messages waiting (what the key set in motion there) is looked at again, a few
    times at most. `then` runs once the key stopped or reached the app."""

    RECHECKS = 3

    def __init__(self, event: events.Key, target: DOMNode, then: Callable[[], None]) -> None:
        self.event = event
        self.chain = [target, *target.ancestors]
        self.then = then
        self.index = 0
        self.rechecks = 0
        self.step = 0  # the callback queued last; an older one arriving late is ignored

    def start(self) -> None:
        self._queue_check()

    def _queue_check(self) -> None:
        self.step += 1
        if not self.chain[self.index].call_later(partial(self._check, self.step)):
            self._advance()  # closed: the key cannot be waiting there

    def _check(self, step: int) -> None:
        if step != self.step:
            return
        node = self.chain[self.index]
        if node._message_queue.qsize() and self.rechecks < self.RECHECKS:
            self.rechecks += 1
            self._queue_check()
        elif self.event._stop_propagation:
            self._finish()
        else:
            self._advance()

    def _advance(self) -> None:
        self.index += 1
        self.rechecks = 0
        if self.index == len(self.chain):
            self._finish()
        else:
            self._queue_check()

    def _finish(self) -> None:
        self.step += 1
        self.then()

    def look_again(self) -> None:
        """Move on past a node that closed with the callback still in its queue (a
        screen dismissed by the key itself)."""
        node = self.chain[self.index]
        if node._closing or node._closed:
            self._advance()
