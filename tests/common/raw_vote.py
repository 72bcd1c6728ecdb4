"""Run by test_sealed_ballots_raw.py in its own process, on its own SQLite file in WAL mode:
a secret vote (decisions) and an evaluation with online ballots are left OPEN until a line
arrives on stdin, then both are counted. Prints OPEN / CLOSED so the test can read the raw
database file and its WAL at each stage (DEC-5, EVA-1)."""

import sys

import django

django.setup()

from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)

from tests.decisions.dec_helpers import meeting_at_vote  # noqa: E402
from wuquan.decisions import services  # noqa: E402
from wuquan.decisions.models import MatterKind  # noqa: E402
from wuquan.evaluation import services as evaluation  # noqa: E402
from wuquan.org.models import Person  # noqa: E402
from wuquan.org.services import ensure_unit  # noqa: E402

CHOICES = ["yes", "no", "yes", "abstain", "no"]
GRADES = [("优秀", "称职"), ("不称职", "优秀"), ("基本称职", "称职")]

meeting, item, members = meeting_at_vote(5, 5, kind=MatterKind.APPOINTMENT)
for member, choice in zip(members, CHOICES, strict=True):
    services.do_cast_vote(item, member, choice, actor="clerk")
village = ensure_unit("rawvillage", "测评村", "village")
ev = evaluation.do_create_evaluation(village, 2025, "年度测评", "village_cadres", 10, actor="clerk")
subjects = [
    evaluation.do_add_subject(ev, Person.objects.create(name=n), "委员", actor="clerk")
    for n in "甲乙"
]
codes = evaluation.do_issue_codes(ev, 3, actor="clerk")
evaluation.do_open_voting(ev, actor="clerk")
for code, (g1, g2) in zip(codes, GRADES, strict=True):
    evaluation.do_cast_online(ev, code, {subjects[0].pk: g1, subjects[1].pk: g2})
print("OPEN", flush=True)
sys.stdin.readline()
services.do_close_vote(item, actor="clerk")
evaluation.do_close_voting(ev, actor="clerk")
print("CLOSED", flush=True)
sys.stdin.readline()
