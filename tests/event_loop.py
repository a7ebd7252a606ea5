"""Run a coroutine function on an event loop of its own, in a thread of its own.

The browser tests' Playwright (its sync API) keeps an event loop running in the main thread
for the whole session, and ``asyncio.run``/``anyio.run`` refuse to start inside one; a test
that drives an ASGI app or a client by hand runs it here instead.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import anyio


def run_in_fresh_loop(function, *args):
    """``anyio.run(function, *args)`` in a new thread; its result, or its exception."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(anyio.run, function, *args).result()
