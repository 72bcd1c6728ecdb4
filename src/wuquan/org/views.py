"""Staff pages of the organisation (ORG-1..4): the unit tree with posts, holders and the
leadership's 分管 areas; the rotation prompts; Excel upload/download for system admins.
Thin: reads come from org.selectors, writes from org.excel / org.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from wuquan.common.exceptions import NotFound, NotPermitted

from . import excel, selectors
from .forms import ExcelForm, as_of_from
from .models import Post, Unit


@login_required
def org_home(request):
    """The unit tree the user may see; the chosen unit's leadership and posts (ORG-1..3)."""
    as_of, as_of_form, status = as_of_from(request)
    visible = selectors.units_visible_to(request.user)
    tree = selectors.unit_tree(visible)
    code = request.GET.get("unit")
    unit = None
    if code:
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise NotFound(_("没有这个单位。"), field="unit")
        if not selectors.can_see_unit(request.user, unit):
            raise NotPermitted(_("您无权查看其他单位的数据。"), field="unit")
    elif tree:
        own = selectors.posts_held(selectors.person_of(request.user)).select_related("unit").first()
        unit = own.unit if own and visible.filter(pk=own.unit_id).exists() else tree[0][0]
    context = {
        "tree": tree,
        "unit": unit,
        "as_of": as_of,
        "as_of_form": as_of_form,
        "is_admin": selectors.is_system_admin(request.user),
    }
    if unit is not None:
        posts = list(Post.objects.filter(unit=unit).order_by("-is_head", "-is_deputy", "code"))
        holders = selectors.holders_by_post(posts, as_of)
        tenures = {(t.person.pk, t.post.pk): t for t in selectors.tenures(as_of, posts)}
        context.update(
            leadership=selectors.leadership(unit, as_of),
            rows=[
                {
                    "post": p,
                    "holders": [(h, tenures.get((h.pk, p.pk))) for h in holders.get(p.id, [])],
                }
                for p in posts
            ],
            children=[u for u, _d in tree if u.parent_id == unit.id],
        )
    return render(request, "org/home.html", context, status=status)


@login_required
def rotation(request):
    """轮岗提示: people on key posts beyond the post's rotation limit on `as_of` (ORG-4)."""
    as_of, form, status = as_of_from(request)
    due = selectors.rotation_due(as_of, user=request.user)
    return render(
        request,
        "org/rotation.html",
        {"due": due, "as_of": as_of, "as_of_form": form},
        status=status,
    )


def _require_admin(user):
    if not selectors.is_system_admin(user):
        raise NotPermitted(_("只有系统管理员可以导入导出组织机构数据。"))


@login_required
def excel_page(request):
    """Upload (all-or-nothing import, row-level errors) and download of the organisation."""
    _require_admin(request.user)
    errors = []
    form = ExcelForm(request.POST, request.FILES) if request.method == "POST" else ExcelForm()
    if request.method == "POST":
        if form.is_valid():
            try:
                counts = excel.import_workbook(form.cleaned_data["file"], actor=request.user)
            except excel.ImportFailed as exc:
                errors = exc.errors
            else:
                messages.success(
                    request,
                    _("导入完成：新增 %(created)s，更新 %(updated)s，未变 %(unchanged)s。")
                    % counts,
                )
                return redirect("org:excel")
    return render(
        request,
        "org/excel.html",
        {"errors": errors, "formats": excel.SHEETS, "form": form},
        status=400 if errors or form.errors else 200,
    )


@login_required
def excel_download(request):
    _require_admin(request.user)
    response = HttpResponse(
        excel.export_bytes(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="wuquan-org-{stamp}.xlsx"'
    return response
