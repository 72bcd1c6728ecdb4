"""Database triggers that make posted vouchers immutable (FIN-2, FIN-7): the database itself,
not only Python, refuses

- a voucher inserted as posted (it is inserted as a draft, its lines added, then posted);
- posting a voucher whose lines do not balance (Σ debit ≠ Σ credit) or that has < 2 lines;
- any update or delete of a posted voucher, and any insert, update or delete of its lines.

Corrections are 红字冲销 vouchers (services.do_reverse_voucher). Installed by migration 0002 on
SQLite and PostgreSQL; errors are integrity errors (SQLSTATE 23514 on PostgreSQL).
"""

from __future__ import annotations

MSG_POSTED = "collective: a posted voucher and its lines cannot be changed (use 红字冲销)"
MSG_UNBALANCED = "collective: an unbalanced voucher cannot be posted"
MSG_INSERT = "collective: a voucher is inserted as a draft and posted afterwards"

_SUM = (
    "(SELECT COALESCE(SUM(CASE WHEN side = 'D' THEN amount ELSE -amount END), 0) "
    "FROM collective_line WHERE voucher_id = {v})"
)
_COUNT = "(SELECT COUNT(*) FROM collective_line WHERE voucher_id = {v})"
_STATUS = "(SELECT status FROM collective_voucher WHERE id = {v})"

SQLITE_DELETE_GUARDS = ["collective_voucher_nodelete", "collective_line_nodelete"]

SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS collective_voucher_noinsert BEFORE INSERT ON collective_voucher
    WHEN NEW.status = 'posted' BEGIN SELECT RAISE(ABORT, '{MSG_INSERT}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS collective_voucher_balanced BEFORE UPDATE ON collective_voucher
    WHEN NEW.status = 'posted' AND OLD.status <> 'posted'
      AND ({_SUM.format(v="NEW.id")} <> 0 OR {_COUNT.format(v="NEW.id")} < 2)
    BEGIN SELECT RAISE(ABORT, '{MSG_UNBALANCED}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS collective_voucher_frozen BEFORE UPDATE ON collective_voucher
    WHEN OLD.status = 'posted' BEGIN SELECT RAISE(ABORT, '{MSG_POSTED}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS collective_voucher_nodelete BEFORE DELETE ON collective_voucher
    WHEN OLD.status = 'posted' BEGIN SELECT RAISE(ABORT, '{MSG_POSTED}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS collective_line_noinsert BEFORE INSERT ON collective_line
    WHEN {_STATUS.format(v="NEW.voucher_id")} = 'posted'
    BEGIN SELECT RAISE(ABORT, '{MSG_POSTED}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS collective_line_frozen BEFORE UPDATE ON collective_line
    WHEN {_STATUS.format(v="OLD.voucher_id")} = 'posted'
      OR {_STATUS.format(v="NEW.voucher_id")} = 'posted'
    BEGIN SELECT RAISE(ABORT, '{MSG_POSTED}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS collective_line_nodelete BEFORE DELETE ON collective_line
    WHEN {_STATUS.format(v="OLD.voucher_id")} = 'posted'
    BEGIN SELECT RAISE(ABORT, '{MSG_POSTED}'); END""",
]

SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in [
        "collective_voucher_noinsert",
        "collective_voucher_balanced",
        "collective_voucher_frozen",
        "collective_voucher_nodelete",
        "collective_line_noinsert",
        "collective_line_frozen",
        "collective_line_nodelete",
    ]
]

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION collective_voucher_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status = 'posted' THEN
      RAISE EXCEPTION '{MSG_INSERT}' USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
  END IF;
  IF OLD.status = 'posted' THEN
    RAISE EXCEPTION '{MSG_POSTED}' USING ERRCODE = '23514';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  IF NEW.status = 'posted' AND
     ({_SUM.format(v="NEW.id")} <> 0 OR {_COUNT.format(v="NEW.id")} < 2) THEN
    RAISE EXCEPTION '{MSG_UNBALANCED}' USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER collective_voucher_guard BEFORE INSERT OR UPDATE OR DELETE
    ON collective_voucher FOR EACH ROW EXECUTE FUNCTION collective_voucher_guard()""",
    f"""CREATE OR REPLACE FUNCTION collective_line_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND {_STATUS.format(v="OLD.voucher_id")} = 'posted' THEN
    RAISE EXCEPTION '{MSG_POSTED}' USING ERRCODE = '23514';
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND {_STATUS.format(v="NEW.voucher_id")} = 'posted' THEN
    RAISE EXCEPTION '{MSG_POSTED}' USING ERRCODE = '23514';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER collective_line_guard BEFORE INSERT OR UPDATE OR DELETE
    ON collective_line FOR EACH ROW EXECUTE FUNCTION collective_line_guard()""",
]

POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS collective_line_guard ON collective_line",
    "DROP TRIGGER IF EXISTS collective_voucher_guard ON collective_voucher",
    "DROP FUNCTION IF EXISTS collective_line_guard()",
    "DROP FUNCTION IF EXISTS collective_voucher_guard()",
]


def install(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(vendor, []):
        schema_editor.execute(sql)


def uninstall(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}.get(vendor, []):
        schema_editor.execute(sql)


def suspend_delete_guards(connection) -> None:
    """Test machinery only: Django's flush after a live-server test empties tables with DELETE
    on SQLite (TRUNCATE on PostgreSQL, which fires no row trigger), which the delete guards
    refuse. Drop them just before the flush; `ensure_installed` puts them back."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            for name in SQLITE_DELETE_GUARDS:
                cur.execute(f"DROP TRIGGER IF EXISTS {name}")


def ensure_installed(connection) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            for sql in SQLITE:
                cur.execute(sql)
