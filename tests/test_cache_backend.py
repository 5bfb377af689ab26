"""The database cache writes many keys in a constant number of statements (coverage_site/lib/cache.py)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def statements(run):
    with CaptureQueriesContext(connection) as context:
        run()
    return [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_many_keys_are_written_in_two_statements_and_read_back():
    few = statements(lambda: cache.set_many({f"few{i}": i for i in range(3)}))
    many = statements(lambda: cache.set_many({f"many{i}": {"figures": [i, i + 1]} for i in range(700)}))
    assert len(few) == 2 and len(many) == 4  # a count, then one upsert per 300 keys
    assert cache.get_many(["few0", "few2", "many699", "absent"]) == {
        "few0": 0,
        "few2": 2,
        "many699": {"figures": [699, 700]},
    }


def test_writing_again_replaces_the_values_and_honours_the_timeout():
    cache.set_many({"a": 1, "b": 2})
    cache.set_many({"a": "one", "c": 3})
    assert cache.get_many(["a", "b", "c"]) == {"a": "one", "b": 2, "c": 3}
    cache.set_many({"gone": 1, "also-gone": 2}, timeout=-1)
    assert cache.get_many(["gone", "also-gone"]) == {}
