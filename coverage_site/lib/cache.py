"""The database cache with set_many in a constant number of statements.

Django's DatabaseCache writes set_many() one key at a time (a count, a
select and an insert or update each): caching the figures of a province's
150 communes took 450 statements, and the number grew with the data. Here
the keys are written by one upsert, culling once. Everything else is
Django's.
"""

import base64
import pickle
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, connections, router, transaction
from django.utils.timezone import now as tz_now

CHUNK = 300  # rows per INSERT (900 parameters, well under SQLite's limit)


class BulkDatabaseCache(DatabaseCache):
    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        if len(data) < 2:
            return super().set_many(data, timeout, version)
        rows = {self.make_and_validate_key(key, version=version): value for key, value in data.items()}
        timeout = self.get_backend_timeout(timeout)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        now = tz_now().replace(microsecond=0)
        if timeout is None:
            expires = datetime.max
        else:
            expires = datetime.fromtimestamp(timeout, tz=UTC if settings.USE_TZ else None)
        expires = connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0))
        # Sorted, so that two writers lock rows in the same order (no deadlock).
        values = [
            (key, base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1"), expires)
            for key, value in sorted(rows.items())
        ]
        try:
            with transaction.atomic(using=db), connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")
                count = cursor.fetchone()[0]
                if count + len(values) > self._max_entries:
                    self._cull(db, cursor, now, count)
                for start in range(0, len(values), CHUNK):
                    chunk = values[start : start + CHUNK]
                    # An upsert (PostgreSQL and SQLite both write it so): two
                    # processes writing the same keys at once both succeed.
                    cursor.execute(
                        f"INSERT INTO {table} (cache_key, value, expires) VALUES "
                        + ", ".join(["(%s, %s, %s)"] * len(chunk))
                        + " ON CONFLICT (cache_key) DO UPDATE SET value = EXCLUDED.value, expires = EXCLUDED.expires",
                        [item for row in chunk for item in row],
                    )
        except DatabaseError:
            # As Django's own set(): a cache write that fails is not an error
            # of the page (the figures are computed again next time).
            return list(data)
        return []
