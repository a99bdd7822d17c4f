"""A query run again and again with other ids, compiled to SQL once.

Django builds a queryset's SQL on every run, and for the pipeline's hot queries (the
batch select, the engine's locking re-read: joins, annotations, subqueries) building it
costs more CPU than PostgreSQL spends running it, about 1.5-2 ms a run on a small VM. A
CompiledQuery builds the SQL once, with the ids as ONE array parameter
(`pk = ANY(%s)`, so the text does not change with how many there are), and then runs
that SQL with each call's ids; the rows become model instances through Django's own
ModelIterable (select_related rows and annotations included), exactly as the queryset
would have made them.

Compiled by the first thread that runs it; every other thread runs a copy of that compiler
bound to its own connection (a compiler belongs to its thread's connection, and each pool
thread has its own). On SQLite (the embedded default, no arrays) every call builds its queryset
the ordinary way.
"""

import copy
import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connections
from django.db.models import Field, Lookup, Model, Q, QuerySet
from django.db.models.query import ModelIterable
from django.db.transaction import TransactionManagementError

Build = Callable[[Q], "QuerySet[Any]"]  # the queryset, given the Q that picks the ids


class _AnyOf(Lookup):
    """`field = ANY(%s)`: one array parameter whatever the number of values."""

    lookup_name = "any_of"
    prepare_rhs = False  # the value is a list, not one value of the field

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


Field.register_lookup(_AnyOf)


class _Ids(list[int]):
    """The placeholder the SQL is compiled with: found again among the parameters by its type
    (the query copies its values)."""


class _Compiled:
    """What ModelIterable reads of a queryset, around a compiler that answers the cached SQL."""

    def __init__(self, build: Build) -> None:
        queryset = build(Q(pk__any_of=_Ids()))
        self.db, self.model = queryset.db, queryset.model
        self._known_related_objects: dict[Any, Any] = {}
        self.for_update = queryset.query.select_for_update
        self.compiler = queryset.query.get_compiler(using=self.db)
        self.sql, params = self.compiler.as_sql()
        slots = [n for n, param in enumerate(params) if isinstance(param, _Ids)]
        if len(slots) != 1:
            raise ValueError(f"The query must take the ids once, as one parameter (found {len(slots)}).")
        self.params, self.slot = list(params), slots[0]
        self.current = self.params
        self.query = self  # ModelIterable asks queryset.query for the compiler
        self.compiler.as_sql = self._as_sql

    def for_this_thread(self) -> "_Compiled":
        """A twin on this thread's connection, sharing the SQL and what the compiler worked out
        (its columns, joins and converters only read from here on)."""
        twin = copy.copy(self)
        twin.compiler = copy.copy(self.compiler)
        twin.compiler.connection = connections[self.db]
        twin.compiler.as_sql = twin._as_sql
        twin.query = twin
        return twin

    def get_compiler(self, using: str | None = None, **kwargs: Any) -> Any:
        return self.compiler

    def _as_sql(self, *args: Any, **kwargs: Any) -> tuple[str, list[Any]]:
        return self.sql, self.current

    def run(self, ids: list[int]) -> list[Model]:
        if self.for_update and self.compiler.connection.get_autocommit():  # as Django checks it
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        self.current = list(self.params)
        self.current[self.slot] = ids
        return list(ModelIterable(self))  # type: ignore[arg-type]


class CompiledQuery:
    """`build(ids)` - a queryset filtered or excluded by the Q `ids` it is given, sliced or
    not - run with other ids on each call: `CompiledQuery(lambda ids: qs.filter(ids))([1, 2])`."""

    def __init__(self, build: Build) -> None:
        self.build = build
        self._compiled: _Compiled | None = None  # by the first thread that ran it
        self._lock = threading.Lock()
        self._threads = threading.local()  # each thread's twin of it

    def __call__(self, ids: Iterable[int]) -> list[Any]:
        ids = list(ids)
        compiled = getattr(self._threads, "compiled", None)
        if compiled is None:
            if self._compiled is None:  # not compiled yet: maybe never (no arrays)
                plain = self.build(Q(pk__in=ids))
                if connections[plain.db].vendor != "postgresql":
                    return list(plain)  # run outside the lock: other threads' queries never wait for it
            compiled = self._threads.compiled = self._for_this_thread()
        return compiled.run(ids)

    def _for_this_thread(self) -> _Compiled:
        with self._lock:  # the batches of a stage start together: one of them compiles it
            if self._compiled is None:
                self._compiled = _Compiled(self.build)
                return self._compiled
            return self._compiled.for_this_thread()
