"""The admin site, read only: policies and session venues are set on the organiser's pages
(and the API) through cakap.attendance.services.policy, which validates them and guards
an open check-in (decision 83); records, their trail, refusals and absence requests go
through the services that keep the trail (cakap.attendance.services)."""

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
from cakap.core.admin import ReadOnlyAdmin


@admin.register(AttendancePolicy)
class AttendancePolicyAdmin(ReadOnlyAdmin):
    list_display = (
        "programme",
        "opens_before_min",
        "closes_after_min",
        "late_after_min",
        "location_mode",
        "shared_device",
    )
    list_select_related = ("programme",)


@admin.register(SessionVenue)
class SessionVenueAdmin(ReadOnlyAdmin):
    list_display = (
        "session",
        "address",
        "radius_m",
        "opens_before_min",
        "closes_after_min",
        "closed_at",
    )
    list_select_related = ("session__group",)


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
