"""PostgreSQL: keep a case's compressed workflow state in its row, and room beside the row
for the next version of it, so a step transition rewrites one heap page and no index.

The state is ~13 kB of JSON, ~2.9 kB after PostgreSQL's compression: just over the default
~2 kB at which a row's long values move out of line, so every transition read and rewrote
TOAST chunks (and the TOAST index) besides the row. With `toast_tuple_target` at 4 kB the
compressed state stays in the row (~3.3 kB). A transition changes no indexed column of the
case, so with free room on the row's page the new version is a HOT update — none of the
table's 14 indexes gets an entry; full pages (fillfactor 100 holds two such rows and no room)
made every update insert into all 14. `fillfactor = 75` leaves that room (one row and its next
version per page at these sizes; the table takes about twice the pages).
Measured at 3,000 cases on PostgreSQL (bench/case_throughput.py, same machine, one after the
other): 7.58 ms → 6.95 ms (state in the row) → 5.91 ms (and room for HOT updates).
Other databases: nothing to do.
"""

from django.db import migrations

SETTINGS = "toast_tuple_target = 4080, fillfactor = 75"  # PostgreSQL storage parameters


def _table(apps, schema_editor) -> str:
    return schema_editor.quote_name(apps.get_model("approvals", "Case")._meta.db_table)


def inline_state(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {_table(apps, schema_editor)} SET ({SETTINGS})")


def default_storage(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        table = _table(apps, schema_editor)
        schema_editor.execute(f"ALTER TABLE {table} RESET (toast_tuple_target, fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("approvals", "0002_sweep_indexes")]
    operations = [migrations.RunPython(inline_state, default_storage)]
