"""Running test code on another database connection (Django gives each thread its own)."""

import threading


def in_another_connection(fn):
    """Run `fn` to the end in a new thread — its own connection, closed afterwards — and
    re-raise here whatever it raised."""
    errors = []

    def target():
        from django.db import connections

        try:
            fn()
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    t = threading.Thread(target=target)
    t.start()
    t.join()
    assert not errors, errors
