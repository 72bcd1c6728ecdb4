"""Back-office upkeep of the organisation (ORG-1..4): units, posts, people with their
appointments, appointments. Every save and delete goes through org.services, so each change
is checked by the same rules as the import and recorded in the log."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from wuquan.common.downloads import xlsx_response
from wuquan.common.identity import mask_phone, mask_ric

from . import excel, selectors, services
from .models import Appointment, Area, Person, Post, Reorganisation, Unit


class ScopedAdmin(admin.ModelAdmin):
    """Lists and choices limited to the units the user may see (org.selectors.scope)."""

    unit_field = "unit"
    scoped_fk = {"unit": "id", "parent": "id", "post": "unit"}

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return selectors.scope(qs, request.user, self.unit_field)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.scoped_fk:
            model = db_field.remote_field.model
            kwargs["queryset"] = selectors.scope(
                model.objects.all(), request.user, self.scoped_fk[db_field.name]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        self.service(obj, actor=request.user)

    def delete_model(self, request, obj):
        services.do_delete(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.do_delete(obj, actor=request.user)


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    unit_field = "id"
    service = staticmethod(services.do_save_unit)
    list_display = ["tree_name", "code", "short_name", "kind", "parent", "is_supervisory", "sort"]
    list_display_links = ["tree_name"]
    list_filter = ["kind", "is_supervisory", ("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "short_name", "code"]
    list_select_related = ["parent"]
    list_per_page = 200
    actions = ["export_selected"]

    @admin.display(description=_("名称（层级）"), ordering="sort")
    def tree_name(self, obj):
        depth = len(obj.ancestors())
        return format_html("{}{}{}", "\u3000" * depth, "└ " if depth else "", obj.name)

    @admin.action(description=_("导出所选单位（含岗位、人员、任职）为 Excel"))
    def export_selected(self, request, queryset):
        ids = selectors.descendant_ids(list(queryset.values_list("id", flat=True)))
        units = Unit.objects.filter(id__in=ids)
        posts = Post.objects.filter(unit__in=units)
        people = Person.objects.filter(appointments__post__in=posts).distinct()
        return xlsx_response(
            excel.export_bytes(units=units, posts=posts, people=people), "org-units.xlsx"
        )


class PostForm(forms.ModelForm):
    areas = forms.MultipleChoiceField(
        label=_("分管领域"),
        choices=Area.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("仅副职岗位可设分管领域；一把手不直接分管这五项工作（附件3）。"),
    )

    class Meta:
        model = Post
        fields = [
            "unit",
            "code",
            "name",
            "risk_class",
            "is_head",
            "is_deputy",
            "areas",
            "duties",
            "rotation_years",
        ]


@admin.register(Post)
class PostAdmin(ScopedAdmin):
    form = PostForm
    service = staticmethod(services.do_save_post)
    list_display = [
        "name",
        "unit",
        "code",
        "risk_class",
        "is_head",
        "is_deputy",
        "area_list",
        "rotation_years",
    ]
    list_filter = [
        "risk_class",
        "is_head",
        "is_deputy",
        "unit__kind",
        ("unit", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "code", "unit__name", "unit__short_name", "unit__code"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    actions = ["export_selected"]

    @admin.display(description=_("分管领域"))
    def area_list(self, obj):
        return "、".join(obj.area_labels()) or "—"

    @admin.action(description=_("导出所选岗位（含任职人员）为 Excel"))
    def export_selected(self, request, queryset):
        units = Unit.objects.filter(posts__in=queryset).distinct()
        people = Person.objects.filter(appointments__post__in=queryset).distinct()
        return xlsx_response(
            excel.export_bytes(units=units, posts=queryset, people=people), "org-posts.xlsx"
        )


class AppointmentInline(admin.TabularInline):
    model = Appointment
    extra = 1
    fields = ["post", "start", "end"]
    autocomplete_fields = ["post"]


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["code", "name", "id_number", "phone", "user"]

    def clean_id_number(self):
        return (self.cleaned_data.get("id_number") or "").strip().upper()


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    form = PersonForm
    unit_field = "appointments__post__unit"
    service = staticmethod(services.do_save_person)
    inlines = [AppointmentInline]
    list_display = ["name", "code", "masked_id", "masked_phone", "user", "current_posts"]
    search_fields = ["name", "code", "user__username"]
    list_filter = [("appointments__post__unit", admin.RelatedOnlyFieldListFilter)]
    autocomplete_fields = ["user"]
    actions = ["export_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()

    @admin.display(description=_("身份证号"))
    def masked_id(self, obj):
        return mask_ric(obj.id_number)

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    @admin.display(description=_("现任岗位"))
    def current_posts(self, obj):
        return "；".join(str(p) for p in selectors.posts_held(obj)) or "—"

    def save_formset(self, request, form, formset, change):
        """Appointments go through the services too (ORG-4 rules, one event each)."""
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.do_delete(obj, actor=request.user)
        for obj in instances:
            services.do_save_appointment(obj, actor=request.user)

    @admin.action(description=_("导出所选人员（含任职）为 Excel"))
    def export_selected(self, request, queryset):
        posts = Post.objects.filter(appointments__person__in=queryset).distinct()
        units = Unit.objects.filter(posts__in=posts).distinct()
        return xlsx_response(
            excel.export_bytes(units=units, posts=posts, people=queryset), "org-people.xlsx"
        )


@admin.register(Appointment)
class AppointmentAdmin(ScopedAdmin):
    unit_field = "post__unit"
    service = staticmethod(services.do_save_appointment)
    list_display = ["person", "post", "start", "end", "tenure_years"]
    list_filter = [
        "post__risk_class",
        "post__is_head",
        ("post__unit", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["person__name", "post__name", "post__unit__name"]
    date_hierarchy = "start"
    autocomplete_fields = ["person", "post"]
    list_select_related = ["person", "post", "post__unit"]

    @admin.display(description=_("任职年限（年）"))
    def tenure_years(self, obj):
        from django.utils import timezone

        end = obj.end or timezone.localdate()
        return selectors.years_between(obj.start, end)


@admin.register(Reorganisation)
class ReorganisationAdmin(ScopedAdmin):
    """机构变动 (PER-5 突击提拔 before it takes effect), recorded through the service."""

    list_display = ["unit", "kind", "decided_on", "effective_on", "document_no"]
    list_filter = ["kind"]
    search_fields = ["unit__name", "document_no"]
    date_hierarchy = "effective_on"

    def save_model(self, request, obj, form, change):
        services.do_save_reorganisation(obj, actor=request.user)
