"""Admin base classes shared by the apps: every write made in the admin goes to the audit
trail, and what only services may write is shown read only."""

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from cakap.core.audit import record, snapshot


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Admin writes bypass the services, so record them here with before and after."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before: dict[str, Any] = {}
            if change:
                old = type(obj)._default_manager.filter(pk=obj.pk).first()
                before = snapshot(old) if old is not None else {}
            super().save_model(request, obj, form, change)
            action = "updated" if change else "created"
            record(
                f"{obj._meta.model_name}.admin_{action}",
                obj,
                before=before,
                acting_user=request.user,
            )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic():
            _record_deleted(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                _record_deleted(request, obj)
            super().delete_queryset(request, queryset)


def _record_deleted(request: HttpRequest, obj: models.Model) -> None:
    record(
        f"{obj._meta.model_name}.admin_deleted",
        obj,
        before=snapshot(obj),
        after={},
        acting_user=request.user,
    )


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """For what only the services write (records and their trail, attempts, scores)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
