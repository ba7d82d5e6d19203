"""Each tool call's store operations share one open DuckDB instance (``mmm_core.store_pin``).

A chat answer's tools resolve the dataset, the spec and the fit and read draws and tables: ~8 store operations per
tool call, each of which used to create and destroy a DuckDB instance (~30 ms). Pinning the store for the length of
one tool call makes them join one instance. The fit tool is left unpinned: it runs for seconds to minutes, and
another process (a second terminal, the UI's fit worker) must be able to use the store meanwhile.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from langchain.agents.middleware import AgentMiddleware

from mmm_core.store import Store

# Tools whose calls may run long (sampling): they keep the store's open-per-operation behaviour.
UNPINNED = frozenset({"fit_model"})


class StorePinMiddleware(AgentMiddleware):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def wrap_tool_call(self, request: Any, handler: Callable[[Any], Any]) -> Any:
        with self._scope(request):
            return handler(request)

    async def awrap_tool_call(self, request: Any, handler: Callable[[Any], Awaitable[Any]]) -> Any:
        with self._scope(request):
            return await handler(request)

    def _scope(self, request: Any) -> AbstractContextManager[None]:
        return nullcontext() if request.tool_call["name"] in UNPINNED else self.store.pinned()
