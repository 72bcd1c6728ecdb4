import pytest

from .helpers import book, matter, officers


@pytest.fixture
def users(demo_org):
    return officers()


@pytest.fixture
def hantun(users):
    from wuquan.org.models import Unit

    return Unit.objects.get(code="hantun")


@pytest.fixture
def books(users):
    return book(users)


@pytest.fixture
def budget_matter(hantun):
    return matter(hantun, "2025年度财务预算")


@pytest.fixture
def budget(books, users, budget_matter):
    from wuquan.collective import services

    from .helpers import at

    return services.do_approve_budget(
        books,
        2025,
        [("5101", "", 2_000_000), ("5102", "道路", 10_000_000)],
        budget_matter,
        actor=users["centre"],
        at=at(2025, 1, 2),
    )


@pytest.fixture(autouse=True)
def _triggers(db):
    """The immutability triggers, back in place if a live-server test dropped its delete guards."""
    from django.db import connection

    from wuquan.collective import triggers

    triggers.ensure_installed(connection)
