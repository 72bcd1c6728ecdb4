"""Many rows in few statements: the ledger's `record_many` and the engine's bulk alarms
(bench/sweep.py raises 10^4 alarms, and appends their events, in one sweep).

SQLite runs `executemany` as one prepared statement stepped per row (~0.05 ms a row here);
psycopg's `executemany` sends PostgreSQL one statement per row (~0.2 ms a row), and a multi-row
VALUES list composed client-side was slower still, so there the rows go through COPY."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection


def insert_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """INSERT `rows` (values in `columns` order, already adapted for the database) into
    `table`, in the caller's transaction."""
    if not rows:
        return
    q = connection.ops.quote_name
    head = f"INSERT INTO {q(table)} ({', '.join(q(c) for c in columns)}) VALUES "
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cur:
        if connection.vendor != "postgresql":
            cur.executemany(head + one, rows)
            return
        # PostgreSQL: COPY, the bulk path the server has (psycopg adapts each value as for a
        # query: datetimes, bytes, Jsonb)
        names = ", ".join(q(c) for c in columns)
        # why the wrapper: the raw psycopg cursor's errors are not Django's, and callers catch
        # IntegrityError (a concurrent raise meeting the one-open-alarm index)
        with connection.wrap_database_errors:
            with cur.cursor.copy(f"COPY {q(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
