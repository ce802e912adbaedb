"""The admin site for administrators. Changes made here go to the audit trail too."""

from django.contrib import admin

from cakap.core.admin import AuditedAdmin
from cakap.programmes.models import CalendarDay, Enrolment, Group, Module, Programme, Session


class ModuleInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Module
    extra = 0


class GroupInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Group
    extra = 0
    show_change_link = True
    fields = ["name"]


@admin.register(Programme)
class ProgrammeAdmin(AuditedAdmin):
    list_display = ["title", "organiser_unit", "coaching_unit", "start_date", "end_date", "status"]
    list_filter = ["status", "learning_form"]
    search_fields = ["title"]
    date_hierarchy = "start_date"
    list_select_related = ["organiser_unit", "coaching_unit"]
    inlines = [ModuleInline, GroupInline]


@admin.register(Module)
class ModuleAdmin(AuditedAdmin):
    list_display = ["title", "programme", "order"]
    search_fields = ["title", "programme__title"]
    list_select_related = ["programme"]


@admin.register(Group)
class GroupAdmin(AuditedAdmin):
    list_display = ["name", "programme"]
    search_fields = ["name", "programme__title"]
    list_select_related = ["programme"]
    filter_horizontal = ["coaches"]


@admin.register(Enrolment)
class EnrolmentAdmin(AuditedAdmin):
    list_display = ["person", "programme", "group", "status", "enrolled_at", "ended_at"]
    list_filter = ["status"]
    search_fields = ["person__name", "person__nip", "programme__title"]
    list_select_related = ["person", "programme", "group"]
    raw_id_fields = ["person", "group", "programme"]
    readonly_fields = ["enrolled_at"]


@admin.register(Session)
class SessionAdmin(AuditedAdmin):
    list_display = ["__str__", "group", "starts_at", "ends_at", "status", "coach"]
    list_filter = ["status"]
    search_fields = ["group__name", "group__programme__title", "topic", "venue"]
    date_hierarchy = "starts_at"
    list_select_related = ["group__programme", "coach"]
    raw_id_fields = ["group", "module", "coach", "moved_to"]


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    list_display = ["date", "kind", "reason", "programme"]
    list_filter = ["kind"]
    list_select_related = ["programme"]
    raw_id_fields = ["programme", "created_by"]
