"""Portal pages: the one online entrance (APR-7), the applicant's lookup (APR-9), supplements
and withdrawal with the query code, online consultation. Staff appear as posts, never persons;
ID and phone numbers are masked (PUB-9)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuquan.catalog.models import ApprovalItem, FlowStatus, ItemStatus
from wuquan.common.exceptions import DomainError, NotFound
from wuquan.common.forms import add_domain_error
from wuquan.common.idempotency import idempotent
from wuquan.common.identity import mask_phone
from wuquan.common.pagecache import public_page, render_kept
from wuquan.ledger.templatetags.ledger_verify import published_vkey as template_vkey

from . import access, selectors, services
from .forms import ApplicationForm
from .models import Case, Channel, Consultation


def _items():
    return (
        ApprovalItem.objects.filter(status=ItemStatus.RETAINED, flows__status=FlowStatus.PUBLISHED)
        .select_related("unit")
        .distinct()
        .order_by("unit__sort", "name")
    )


def items(request):
    return render(request, "approvals/public_items.html", {"items": _items()})


def _item_page(request, item, form, status=200):
    return render(
        request,
        "approvals/public_item.html",
        {
            "item": item,
            "materials": item.materials.all(),
            "fees": item.fees.all(),
            "form": form,
            "answers": Consultation.objects.filter(item=item, may_publish=True).exclude(answer=""),
        },
        status=status,
    )


def item_detail(request, code):
    item = get_object_or_404(_items(), code=code)
    return _item_page(request, item, ApplicationForm(item, online=True))


@require_POST
@idempotent
def apply(request, code):
    """The online application. Every error is shown beside its field at once, the entries kept
    (issue 12, finding 6); the form speaks the catalog's labels (finding 2)."""
    item = get_object_or_404(_items(), code=code)
    form = ApplicationForm(item, request.POST, request.FILES, online=True)
    if form.is_valid():
        try:
            sub = services.do_submit_application(
                item,
                applicant_name=form.cleaned_data["applicant_name"],
                applicant_id_number=form.cleaned_data["applicant_id_number"],
                applicant_phone=form.cleaned_data["applicant_phone"],
                title=form.cleaned_data["title"],
                data=request.POST,
                files=form.files_by_material(),
                channel=Channel.ONLINE,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            request.session[f"approvals-code-{sub.case.application_no}"] = sub.query_code
            return redirect("approvals-public:submitted", number=sub.case.application_no)
    return _item_page(request, item, form, status=400)


def submitted(request, number):
    """Confirmation with the query code. It stays in this browser's session, so reloading the
    page shows it again (issue 12, finding 3); another browser gets a plain explanation."""
    code = request.session.get(f"approvals-code-{number}")
    if code is None:
        raise NotFound(
            _(
                "查询码只在提交申请的浏览器中显示。请用申请编号和查询码查询办件；"
                "查询码遗失的，可持身份证件到政务服务中心窗口重新发放。"
            )
        )
    case = Case.objects.filter(application_no=number).first()
    phone = mask_phone(case.applicant_phone) if case and case.applicant_phone else ""
    return render(
        request,
        "approvals/public_submitted.html",
        {"number": number, "code": code, "phone": phone},
    )


@public_page()  # why: the empty form is the same for everyone (the POST is never cached)
def lookup(request):
    """By receipt (or application) number + query code (APR-9): where it is, which step, since
    when, the deadline (provisional mark), the result. Unknown number and wrong code: the same
    message, nothing revealed; wrong codes are throttled per address (approvals/access.py).
    POST-redirect-GET: the status page reads the number and code from the session, never
    from the URL (issue 12 finding 5)."""
    if request.method != "POST":
        return render(request, "approvals/public_lookup.html", {})
    number, code = request.POST.get("number", ""), request.POST.get("code", "")
    try:
        case = access.lookup(request, number, code)
    except NotFound as exc:
        return render(
            request,
            "approvals/public_lookup.html",
            {"error": exc.message, "number": number},
            status=404,
        )
    access.remember(request, case.number, code)
    return redirect("approvals-public:status")


def status(request):
    """The applicant's status page (GET after the lookup form; reloadable, nothing in the URL).

    The number and code come from the session, where only a lookup that passed its
    rate-limited check puts them (`access.remember`), so this page does not count failures
    again: a code changed since sends the applicant back to the lookup form. The page is kept
    by what it shows (`render_kept`): a reload with nothing changed renders nothing
    (issue 20, bench/portal_pages.py "case")."""
    number, code = access.remembered(request)
    if not number:
        return redirect("approvals-public:lookup")
    try:
        page = selectors.public_status(number, code)
    except NotFound:
        return redirect("approvals-public:lookup")
    return render_kept(request, "approvals/public_status.html", page, extra=[template_vkey()])


def _looked_up(request):
    """The case of a supplement or withdrawal: the number and code the applicant looked up
    (session), or given with the form."""
    number, code = access.remembered(request)
    number = request.POST.get("number") or number
    code = request.POST.get("code") or code
    case = access.lookup(request, number, code)
    access.remember(request, case.number, code)
    return case


@require_POST
@idempotent
def supplement(request):
    """补正 on the portal: the applicant uploads the demanded materials; the clock restarts."""
    case = _looked_up(request)
    pause = case.suspensions.filter(ended_at__isnull=True).first()
    files = {}
    if pause:
        for m in pause.demanded.all():
            if request.FILES.get(f"material-{m.pk}"):
                files[m.pk] = request.FILES[f"material-{m.pk}"]
    services.do_resume_case(
        case, actor=f"applicant:{case.number}", note=request.POST.get("note", ""), files=files
    )
    messages.success(request, _("补正材料已提交，办理时限恢复计算。"))
    return redirect("approvals-public:status")


@require_POST
@idempotent
def withdraw(request):
    case = _looked_up(request)
    services.do_withdraw_case(
        case, actor=f"applicant:{case.number}", reason=request.POST.get("reason", "")
    )
    messages.success(request, _("申请已撤回。"))
    return redirect("approvals-public:status")


@require_POST
@idempotent
def ask(request, code):
    item = get_object_or_404(_items(), code=code)
    services.do_ask_question(
        item,
        request.POST.get("asker_name", ""),
        request.POST.get("question", ""),
        request.POST.get("contact", ""),
        request.POST.get("may_publish") == "on",
    )
    messages.success(request, _("咨询已提交，实施机关将尽快答复。"))
    return redirect("approvals-public:item", code=code)
