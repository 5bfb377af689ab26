"""Running an independent, read-only piece of a request's work beside it.

A cold province dashboard waits on the database for its figures and for its
data checks' counts, one after the other; the database server has cores to
spare for both at once. `Beside(function, *args)` starts `function` in a
thread with its own database connection and `.result()` waits for it.

A second connection sees what the request's own sees only while the request
is not inside a transaction (a write, or a test wrapped in one): then the
function simply runs when its result is asked for. SQLite (one writer, a
file or an in-memory test database) always runs it that way too.
"""

import contextvars
import threading

from django.db import connection, connections


def _second_connection_sees_the_same():
    return connection.vendor == "postgresql" and not connection.in_atomic_block


class Beside:
    def __init__(self, function, *args):
        self._function, self._args = function, args
        self._result, self._error, self._thread = None, None, None
        if _second_connection_sees_the_same():
            # The request's context (language, whether reads may go to the replica) goes along.
            context = contextvars.copy_context()
            self._thread = threading.Thread(target=context.run, args=(self._run,), daemon=True)
            self._thread.start()

    @property
    def in_thread(self):
        return self._thread is not None

    def _run(self):
        try:
            self._result = self._function(*self._args)
        except BaseException as error:  # raised again in the request's thread by result()
            self._error = error
        finally:
            connections.close_all()  # the thread's own connections; the request's are untouched

    def result(self):
        if self._thread is None:
            return self._function(*self._args)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result


class Done:
    """A result already at hand, for callers that take a Beside."""

    def __init__(self, value):
        self._value = value

    def result(self):
        return self._value
