"""The admin site: policies and session settings may be edited; records, their trail,
refusals and absence requests are read only, because their writes go through the
services that keep the trail (cakap.attendance.services)."""

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from cakap.attendance.models import (
    AbsenceRequest,
    AttendanceChange,
    AttendancePolicy,
    AttendanceRecord,
    CheckInAttempt,
    SessionVenue,
)
from cakap.core.admin import AuditedAdmin, ReadOnlyAdmin


@admin.register(AttendancePolicy)
class AttendancePolicyAdmin(AuditedAdmin):
    list_display = (
        "programme",
        "opens_before_min",
        "closes_after_min",
        "late_after_min",
        "location_mode",
        "shared_device",
    )
    raw_id_fields = ("programme",)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


@admin.register(SessionVenue)
class SessionVenueAdmin(AuditedAdmin):
    list_display = ("session", "radius_m", "opens_before_min", "closes_after_min", "closed_at")
    raw_id_fields = ("session",)
    readonly_fields = ("closed_at",)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class ChangeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = AttendanceChange
    fields = ("at", "actor", "method", "from_status", "to_status", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


@admin.register(AttendanceRecord)
class AttendanceRecordAdmin(ReadOnlyAdmin):
    list_display = ("person", "session", "status", "method", "checked_in_at", "pending", "flag")
    list_filter = ("status", "method", "pending")
    search_fields = ("person__name", "person__nip")
    list_select_related = ("person", "session__group")
    inlines = (ChangeInline,)


@admin.register(CheckInAttempt)
class CheckInAttemptAdmin(ReadOnlyAdmin):
    list_display = ("at", "reason", "person", "session", "device_id")
    list_filter = ("reason",)
    list_select_related = ("person", "session__group")


@admin.register(AbsenceRequest)
class AbsenceRequestAdmin(ReadOnlyAdmin):
    list_display = ("person", "session", "status", "state", "created_at", "decided_by")
    list_filter = ("state", "status")
    search_fields = ("person__name", "person__nip")
    list_select_related = ("person", "session__group", "decided_by")
