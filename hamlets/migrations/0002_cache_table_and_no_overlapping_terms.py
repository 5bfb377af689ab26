"""The cache table, and on PostgreSQL the overlap rules as exclusion constraints.

- `migrate` alone leaves a working site: the database cache's table is made
  here (before, an operator who skipped `createcachetable` locked everyone
  out with a 500 at login).
- Rules 5-7 of domain.md (a member's memberships, a branch's secretary terms,
  a hamlet's head terms never overlap) are checked by hamlets/rules.py under
  a row lock (hamlets/actions.py). On PostgreSQL the database enforces them
  too, as the last guard. Deferred to the commit, because an import closes
  the old term and opens the new one in one transaction, in either order.
  Periods are half-open [start, end), as rules._overlaps reads them.
"""

from django.core.management import call_command
from django.db import migrations

CONSTRAINTS = [
    ("hamlets_membership", "membership_no_overlap", "member_id", "joined_on", "left_on"),
    ("hamlets_branchsecretary", "secretary_term_no_overlap", "branch_id", "start_on", "end_on"),
    ("hamlets_villagehead", "village_head_term_no_overlap", "hamlet_id", "term_start", "term_end"),
]


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def add_exclusion_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # btree_gist lets a GiST index compare plain ids; a trusted extension,
    # so the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for table, name, parent, start, end in CONSTRAINTS:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} EXCLUDE USING gist "
            f"({parent} WITH =, daterange({start}, {end}, '[)') WITH &&) DEFERRABLE INITIALLY DEFERRED"
        )


def drop_exclusion_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name, *_rest in CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("hamlets", "0001_initial")]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
        migrations.RunPython(add_exclusion_constraints, drop_exclusion_constraints),
    ]
