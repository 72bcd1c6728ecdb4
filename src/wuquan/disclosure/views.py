"""The public portal (阳光示权) and the staff pages of what it owns. Thin: forms parse, the
services decide; other apps are read through their selectors and `disclosures.py`."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuquan.common.exceptions import DomainError
from wuquan.common.pagecache import public_page
from wuquan.org.models import Unit, UnitKind
from wuquan.org.selectors import person_of, posts_held

from . import selectors, services, sources
from .forms import (
    AnswerForm,
    BulletinForm,
    InquiryForm,
    KeyAreaItemForm,
    KeyAreaPublishForm,
    ReviewForm,
    SearchForm,
)
from .models import Bulletin, BulletinStatus, Inquiry, KeyAreaEntry, KeyAreaItem


@public_page()
def home(request):
    """The portal home (PUB-1): fixed text and links, so rendered once (common.pagecache)."""
    return render(request, "disclosure/home.html")


def workplan(request):
    from wuquan.workplan import selectors as workplan_selectors

    context = workplan_selectors.task_table(
        unit=request.GET.get("unit"), category=request.GET.get("category")
    )
    return render(request, "disclosure/workplan.html", context)


def checkpoints(request):
    from wuquan.ledger import selectors as ledger_selectors

    return render(request, "disclosure/checkpoints.html", ledger_selectors.public_log_summary())


def _client_ip(request) -> str:
    from wuquan.common.net import client_ip

    return client_ip(request)  # why: behind a trusted proxy REMOTE_ADDR is the proxy


def _form_error(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


# ---- public: bulletins, villages, the key-area catalog ---------------------------------


def bulletins(request):
    village = None
    if request.GET.get("village"):
        village = Unit.objects.filter(code=request.GET["village"]).first()
    return render(
        request,
        "disclosure/bulletins.html",
        {
            "bulletins": selectors.published_bulletins(village),
            "village": village,
            "villages": Unit.objects.filter(kind=UnitKind.VILLAGE).order_by("sort", "id"),
        },
    )


def _suggestion_box(target: str, request) -> dict:
    return {
        "target": target,
        "answers": selectors.public_answers(target),
        "form": InquiryForm(initial={"target": target, "publish_consent": True}),
    }


def bulletin(request, pk: int):
    b = get_object_or_404(
        Bulletin.objects.select_related("village"), pk=pk, status=BulletinStatus.PUBLISHED
    )
    return render(
        request,
        "disclosure/bulletin.html",
        {
            "bulletin": b,
            "matches": selectors.bulletin_matches_publication(b),
            "recorded": selectors.recorded_publication_digest(b),
            "steps": b.steps.select_related("post").order_by("at", "id"),
            "box": _suggestion_box(f"bulletin:{b.pk}", request),
        },
    )


def village(request, code: str):
    v = get_object_or_404(Unit, code=code, kind__in=(UnitKind.VILLAGE, UnitKind.COMMUNITY))
    return render(
        request,
        "disclosure/village.html",
        {
            "village": v,
            "spokesperson": selectors.spokesperson_of(v, timezone.localdate()),
            "bulletins": selectors.published_bulletins(v)[:8],
            "box": _suggestion_box(f"spokesperson:{v.code}", request),
        },
    )


def keyarea(request):
    return render(
        request,
        "disclosure/keyarea.html",
        {"entries": selectors.key_area_catalog(request.GET.get("area") or None)},
    )


# ---- public: questions and suggestions (PUB-11, PUB-12) --------------------------------


def ask(request):
    """POST a question or suggestion; on success redirect to a page that shows the tracking
    code once from the session (POST-redirect-GET; the code never travels in a URL)."""
    if request.method != "POST":
        target = sources.resolve_target(request.GET.get("target", ""))
        if target is None:
            raise Http404
        form = InquiryForm(initial={"target": target.key, "publish_consent": True})
        return render(
            request,
            "disclosure/ask.html",
            {"form": form, "target": target, "answers": selectors.public_answers(target.key)},
        )
    form = InquiryForm(request.POST)
    target = sources.resolve_target(request.POST.get("target", ""))
    if form.is_valid():
        data = form.cleaned_data
        try:
            inquiry, code = services.do_submit_inquiry(
                services.InquiryInput(
                    target=data["target"],
                    text=data["text"],
                    asker_name=data["asker_name"],
                    asker_contact=data["asker_contact"],
                    publish_consent=data["publish_consent"],
                    honeypot=data["website"],
                ),
                ip=_client_ip(request),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            request.session["wq_inquiry_done"] = {
                "code": code,
                "title": inquiry.target_title,
                "back": target.url if target else "",
            }
            return redirect("disclosure:ask-done")
    return render(
        request,
        "disclosure/ask.html",
        {"form": form, "target": target, "answers": []},
        status=400,
    )


def ask_done(request):
    done = request.session.pop("wq_inquiry_done", None)
    return render(request, "disclosure/ask_done.html", {"done": done})


# ---- public: one search across every disclosure, and Atom feeds ------------------------

KINDS = [
    ("bulletin", _("村务公开简报")),
    ("finance", _("财务逐笔公开")),
    ("keyarea", _("重点领域公开")),
    ("decision", _("决策公开")),
    ("tender", _("招标采购")),
    ("appointment", _("任前公示")),
]


def _window(data):
    tz = timezone.get_current_timezone()
    since = data.get("since")
    until = data.get("until")
    return (
        datetime.combine(since, time.min, tz) if since else None,
        datetime.combine(until, time.max, tz) if until else None,
    )


def search(request):
    form = SearchForm(request.GET or None, kinds=KINDS)
    results = []
    if form.is_valid():
        data = form.cleaned_data
        since, until = _window(data)
        unit = data.get("unit")
        results = sources.public_items(
            unit_ids=[unit.pk] if unit else None,
            kinds=[data["kind"]] if data.get("kind") else None,
            since=since,
            until=until,
            q=(data.get("q") or "").strip(),
        )[:200]
    feed_url = reverse("disclosure:feed-all")
    return render(
        request,
        "disclosure/search.html",
        {"form": form, "results": results, "searched": form.is_bound, "feed_url": feed_url},
    )


class DisclosureFeed(Feed):
    """Atom feed of what is published: all, per unit (a village or a department) or per kind,
    so a villager, a journalist or a higher commission can follow without visiting every page."""

    feed_type = Atom1Feed
    limit = 50

    def get_object(self, request, code: str | None = None, kind: str | None = None):
        unit = get_object_or_404(Unit, code=code) if code else None
        if kind and kind not in dict(KINDS):
            raise Http404
        return {"unit": unit, "kind": kind}

    def title(self, obj):
        parts = [_("阳光示权")]
        if obj["unit"]:
            parts.append(obj["unit"].name)
        if obj["kind"]:
            parts.append(str(dict(KINDS)[obj["kind"]]))
        return " · ".join(parts)

    def link(self, obj):
        return reverse("disclosure:search")

    def subtitle(self, obj):
        return _("龙潭区“五权”工作公开门户的最新公开内容")

    def items(self, obj):
        return sources.public_items(
            unit_ids=[obj["unit"].pk] if obj["unit"] else None,
            kinds=[obj["kind"]] if obj["kind"] else None,
        )[: self.limit]

    def item_title(self, item):
        return f"{item.unit_name}：{item.title}"

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.url

    def item_guid(self, item):
        return item.key or item.url

    def item_pubdate(self, item):
        return item.published_at

    def item_categories(self, item):
        return [str(item.kind_label)]


# ---- staff: bulletins, answers, the key-area catalog -----------------------------------


def _my_units(user, codes=None) -> set[int]:
    person = person_of(user)
    if person is None:
        return set()
    posts = posts_held(person)
    if codes:
        posts = posts.filter(code__in=codes)
    return set(posts.values_list("unit_id", flat=True))


@login_required
def staff_home(request):
    units = _my_units(request.user)
    to_review = Bulletin.objects.exclude(
        status__in=(BulletinStatus.PUBLISHED, BulletinStatus.RETURNED)
    ).select_related("village", "village__parent")
    actionable = []
    for b in to_review:
        if b.status == BulletinStatus.FILED:
            after, codes, where = None, services.DISCIPLINE_POSTS, "township"
        else:
            after, codes, where = services.CHAIN[b.status]
        unit = b.village if where == "village" else b.village.parent
        if unit is not None and unit.pk in _my_units(request.user, codes):
            actionable.append(b)
    returned = Bulletin.objects.filter(
        status=BulletinStatus.RETURNED,
        village_id__in=_my_units(request.user, services.SUPERVISION_POSTS),
    )
    return render(
        request,
        "disclosure/staff_home.html",
        {
            "actionable": actionable,
            "returned": returned,
            "inquiries": selectors.open_inquiries(units),
            "drafting_villages": Unit.objects.filter(
                pk__in=_my_units(request.user, services.SUPERVISION_POSTS)
            ),
            "recent": Bulletin.objects.select_related("village").order_by("-drafted_at")[:20],
            "assessing_townships": Unit.objects.filter(
                pk__in=_my_units(request.user, services.DISCIPLINE_POSTS)
            ),
            "this_year": timezone.localdate().year,
        },
    )


@login_required
@require_POST
def staff_assessment(request):
    """乡镇纪委 opens the yearly assessment of its spokespersons (PUB-12, 附件13 四4)."""
    township = get_object_or_404(
        Unit,
        pk__in=_my_units(request.user, services.DISCIPLINE_POSTS),
        pk=request.POST.get("unit") or 0,
    )
    try:
        year = int(request.POST.get("year") or 0)
        voters = int(request.POST.get("eligible_voters") or 0)
        ev = services.do_open_spokesperson_assessment(township, year, voters, actor=request.user)
    except (DomainError, ValueError) as exc:
        messages.error(request, str(getattr(exc, "message", _("请填写年度和参评人数。"))))
        return redirect("disclosure:staff-home")
    messages.success(request, _("已建立年度考核，请在民主测评中发放测评码。"))
    return redirect("evaluation:detail", pk=ev.pk)


def _content_from(data) -> services.BulletinContent:
    def fen(value):
        return None if value is None else int((Decimal(value) * 100).to_integral_value())

    meeting_at = data.get("meeting_at")
    return services.BulletinContent(
        title=data["title"],
        party_affairs=data["party_affairs"],
        village_affairs=data["village_affairs"],
        finance_affairs=data["finance_affairs"],
        economy=data["economy"],
        other_matters=data["other_matters"],
        cash_balance_fen=fen(data.get("cash_balance")),
        deposit_balance_fen=fen(data.get("deposit_balance")),
        meeting_at=meeting_at,
        meeting_place=data["meeting_place"],
    )


@login_required
def bulletin_new(request):
    villages = Unit.objects.filter(pk__in=_my_units(request.user, services.SUPERVISION_POSTS))
    today = timezone.localdate()
    last_q = (today.month - 1) // 3 or 4
    initial = {
        "year": today.year if last_q != 4 else today.year - 1,
        "quarter": last_q,
        "kind": "regular",
        "village": villages.first().code if villages.exists() else None,
    }
    finance = None
    if villages.exists() and initial["quarter"]:
        # the finance part from the 三资 books when they exist (附件13 三(四)3)
        finance = services.finance_from_books(villages.first(), initial["year"], last_q)
    if finance:
        initial.update(
            finance_affairs=finance["text"],
            cash_balance=Decimal(finance["cash_fen"]) / 100,
            deposit_balance=Decimal(finance["deposit_fen"]) / 100,
        )
    form = BulletinForm(request.POST or None, initial=initial)
    form.fields["village"].queryset = villages
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            b = services.do_draft_bulletin(
                data["village"],
                _content_from(data),
                actor=request.user,
                kind=data["kind"],
                year=data["year"],
                quarter=data["quarter"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("简报已起草，待“三委”商议确定。"))
            return redirect("disclosure:staff-bulletin", pk=b.pk)
    return render(
        request, "disclosure/staff_bulletin_form.html", {"form": form, "finance": finance}
    )


@login_required
def staff_bulletin(request, pk: int):
    b = get_object_or_404(Bulletin.objects.select_related("village", "village__parent"), pk=pk)
    review_form = ReviewForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("publish"):
                services.do_publish_bulletin(b, actor=request.user)
                messages.success(request, _("简报已公开，内容摘要已写入运行记录。"))
                return redirect("disclosure:staff-bulletin", pk=b.pk)
            if review_form.is_valid():
                services.do_review_bulletin(
                    b,
                    actor=request.user,
                    approved=review_form.cleaned_data["decision"] == "approve",
                    opinion=review_form.cleaned_data["opinion"],
                )
                messages.success(request, _("审核意见已登记。"))
                return redirect("disclosure:staff-bulletin", pk=b.pk)
        except DomainError as exc:
            _form_error(review_form, exc)
    return render(
        request,
        "disclosure/staff_bulletin.html",
        {
            "bulletin": b,
            "steps": b.steps.select_related("person", "post").order_by("at", "id"),
            "form": review_form,
            "can_publish": b.status == BulletinStatus.FILED,
            "can_review": b.status in services.CHAIN,
        },
    )


@login_required
def staff_answer(request, pk: int):
    inquiry = get_object_or_404(Inquiry.objects.select_related("owner"), pk=pk)
    if not services.can_answer(request.user, inquiry, timezone.localdate()):
        raise Http404  # why: answer alike whether it exists or is out of scope
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_answer_inquiry(inquiry, form.cleaned_data["answer"], actor=request.user)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已答复。"))
            return redirect("disclosure:staff-home")
    return render(request, "disclosure/staff_answer.html", {"inquiry": inquiry, "form": form})


@login_required
def staff_keyarea(request):
    entries = KeyAreaEntry.objects.filter(
        publisher_id__in=_my_units(request.user)
    ).prefetch_related("items")
    form = KeyAreaItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = get_object_or_404(entries, pk=form.cleaned_data["entry"])
        try:
            services.do_register_key_area_item(
                entry,
                form.cleaned_data["title"],
                form.cleaned_data["formed_on"],
                actor=request.user,
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已登记，须在公开时限内公开。"))
            return redirect("disclosure:staff-keyarea")
    return render(
        request,
        "disclosure/staff_keyarea.html",
        {"entries": entries, "form": form, "today": timezone.localdate()},
    )


@login_required
@require_POST
def staff_keyarea_item(request, pk: int):
    item = get_object_or_404(KeyAreaItem, pk=pk, entry__publisher_id__in=_my_units(request.user))
    form = KeyAreaPublishForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "publish":
                services.do_publish_key_area_item(
                    item, data["public_text"], link=data["link"], actor=request.user
                )
            else:
                services.do_withhold_key_area_item(
                    item, data["ground"], data["note"], actor=request.user
                )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已处理。"))
    else:
        messages.error(request, _("请检查填写的内容。"))
    return redirect("disclosure:staff-keyarea")
