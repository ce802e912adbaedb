"""Admin for administrators. Frameworks may be corrected here (audited); attempts,
answers and scores are read-only, because a score is never changed behind its owner."""

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from cakap.competence.models import (
    Administration,
    Answer,
    Area,
    Attempt,
    Competence,
    CompetenceScore,
    Framework,
    Instrument,
    Item,
    Level,
)
from cakap.core.admin import AuditedAdmin, ReadOnlyAdmin


class LevelInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Level
    extra = 0


class AreaInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Area
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(AuditedAdmin):
    list_display = ("name", "name_id", "code", "builtin", "owner_unit")
    search_fields = ("name", "name_id", "code")
    inlines = (LevelInline, AreaInline)


@admin.register(Competence)
class CompetenceAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_id", "framework", "area")
    list_filter = ("framework",)
    search_fields = ("code", "name", "name_id")


class ItemInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Item
    extra = 0


@admin.register(Instrument)
class InstrumentAdmin(AuditedAdmin):
    list_display = ("title", "kind", "programme", "framework")
    list_filter = ("kind",)
    inlines = (ItemInline,)


@admin.register(Administration)
class AdministrationAdmin(AuditedAdmin):
    list_display = ("instrument", "phase", "opens_at", "closes_at")


class AnswerInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Answer
    extra = 0
    can_delete = False
    readonly_fields = ("item", "value", "answered_at")

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class ScoreInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CompetenceScore
    extra = 0
    can_delete = False
    readonly_fields = ("competence", "earned", "possible", "percent", "level")

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ("administration", "person", "started_at", "submitted_at")
    list_select_related = ("administration__instrument", "person")
    inlines = (AnswerInline, ScoreInline)
