"""A trigram index on members' folded names and an index on their upper-cased
codes (PostgreSQL only).

A search ("nguyen van") is a LIKE '%…%' on every word: without an index
PostgreSQL reads all 200,000 members of a province twice per page (count and
rows, 68 ms each); with pg_trgm's GIN index it reads the matches (9 ms).
SQLite has no such index and keeps scanning, which is fine at its sizes.
pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may
create it. Where that is refused, search works as before, unindexed.
"""

import logging

from django.db import migrations, transaction

logger = logging.getLogger(__name__)

INDEX = "hamlets_member_name_folded_trgm"
CODE_INDEX = "hamlets_member_upper_code"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The search also matches a typed code, case-insensitively (`code__iexact`):
    # without an index on UPPER(code) that OR would scan every member anyway.
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {CODE_INDEX} ON hamlets_member (UPPER(code::text))")
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON hamlets_member USING gin (name_folded gin_trgm_ops)"
            )
    except Exception as exc:  # noqa: BLE001 - an optional speed-up; the search works without it
        logger.warning("No trigram index on member names (%s): searches scan the members.", exc)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {CODE_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("hamlets", "0005_background_jobs")]

    operations = [migrations.RunPython(create, drop)]
