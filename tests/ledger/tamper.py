"""Direct-SQL tampering for the issue-13 tests, as an intruder with database access would."""

from django.db import connection

from wuquan.ledger import merkle
from wuquan.ledger.models import Event

Q = connection.ops.quote_name


def sql(statement, params=()):
    with connection.cursor() as c:
        c.execute(statement.replace("{index}", Q("index")), params)


def forget_frontier():
    """Forget the frontier this connection keeps in memory: a real intruder writes from
    another connection, and the next append reads the tree back from the store."""
    connection._wuquan_ledger_state = None
    connection._wuquan_ledger_committed = None


def rewrite_from(k: int, marker: str = "forged") -> None:
    """Change every leaf from index k on and recompute every stored hash, so the rewritten
    log is internally consistent (only a signed head or a witness can tell)."""
    rows = list(Event.objects.order_by("index").values_list("index", "leaf"))
    frontier = merkle.Frontier()
    for index, leaf in rows:
        if index >= k:
            leaf = leaf.replace('"payload":{', f'"payload":{{"{marker}":1,', 1)
        lh = merkle.leaf_hash(leaf.encode())
        node = frontier.append(lh)
        sql(
            f"UPDATE ledger_event SET {Q('leaf')} = %s, {Q('leaf_hash')} = %s, "
            f"{Q('node_hash')} = %s WHERE {{index}} = %s",
            [leaf, lh, node, index],
        )
    forget_frontier()


def truncate_to(size: int) -> None:
    sql("DELETE FROM ledger_event WHERE {index} >= %s", [size])
    sql(
        "DELETE FROM ledger_cosignature WHERE checkpoint_id IN "
        "(SELECT id FROM ledger_checkpoint WHERE size > %s)",
        [size],
    )
    sql("DELETE FROM ledger_checkpoint WHERE size > %s", [size])
    forget_frontier()


def delete_checkpoints() -> None:
    sql("DELETE FROM ledger_cosignature")
    sql("DELETE FROM ledger_checkpoint")
