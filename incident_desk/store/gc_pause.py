"""Pausing Python's cyclic garbage collector around work that allocates many objects without cycles.

Reference counting frees those objects; the cyclic collector would only walk them (and, in a long-running
process such as the window, every long-lived object too) and find nothing to free. Lists pause it while they
build summaries.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused(*, freeze: bool = False) -> Iterator[None]:
    """No cyclic collection inside the block. `freeze` then moves every object still alive out of the
    collector's sight (`gc.freeze`): for results kept for long, which a full pass would otherwise walk."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if freeze:
                gc.freeze()
            gc.enable()
