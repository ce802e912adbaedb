"""The admin site for administrators: units, people, logins, roles and API tokens, with
search and filters. Changes go to the audit trail; roles are granted and revoked through
the services (the same rules and audit entries as on the pages); no password hash,
token hash or feed secret is shown or editable."""

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cakap.core import audit
from cakap.core.admin import AuditedAdmin
from cakap.core.errors import DomainError
from cakap.people import services, tokens
from cakap.people.models import ApiToken, Person, RoleAssignment, Unit, User


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["name", "short_name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Moving a unit rewrites its whole subtree's paths: the units pages do that, not
        # a plain save here.
        return ["path", "parent"] if obj is not None else ["path"]


class HasLogin(admin.SimpleListFilter):
    title = _("login")
    parameter_name = "login"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Has a login")), ("no", _("No login"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Person]) -> QuerySet[Person]:
        if self.value() == "yes":
            return queryset.filter(user__isnull=False)
        if self.value() == "no":
            return queryset.filter(user__isnull=True)
        return queryset


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ["name", "nip", "unit", "employee_type", "rank", "position", "user"]
    list_filter = ["employee_type", "job_level", HasLogin, "unit__kind"]
    search_fields = ["name", "nip", "email", "position", "unit__name"]
    list_select_related = ["unit", "user"]
    autocomplete_fields = ["unit"]
    raw_id_fields = ["user", "superior"]
    readonly_fields = ["created_at", "updated_at"]


class RoleInline(admin.TabularInline):  # type: ignore[type-arg]
    """A login's roles, read only: grant and revoke them under Roles."""

    model = RoleAssignment
    fk_name = "user"
    extra = 0
    fields = ["role", "unit", "granted_at", "granted_by"]
    readonly_fields = ["role", "unit", "granted_at", "granted_by"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# What the audit trail keeps of a login changed here: never its password or feed secret.
USER_AUDIT = ["email", "display_name", "is_active", "is_staff", "is_superuser"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["email", "display_name", "is_active", "is_staff", "is_superuser", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "display_name", "person__name", "person__nip"]
    ordering = ["email"]
    fields = [
        "email",
        "display_name",
        "is_active",
        "is_staff",
        "is_superuser",
        "groups",
        "user_permissions",
        "last_login",
        "date_joined",
    ]
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ["groups", "user_permissions"]
    inlines = [RoleInline]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        with transaction.atomic():
            before: dict[str, object] = {}
            if change:
                old = User.objects.filter(pk=obj.pk).first()
                before = audit.snapshot(old, USER_AUDIT) if old is not None else {}
            else:
                # The person sets a password through "Forgot password" (which accepts a
                # login without one until it first signs in).
                obj.set_unusable_password()
            super().save_model(request, obj, form, change)
            audit.record(
                "user.admin_updated" if change else "user.admin_created",
                obj,
                before=before,
                after=audit.snapshot(obj, USER_AUDIT),
                acting_user=request.user,
            )

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        with transaction.atomic():
            audit.record(
                "user.admin_deleted",
                obj,
                before=audit.snapshot(obj, USER_AUDIT),
                after={},
                acting_user=request.user,
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Roles are granted (added here) and revoked (deleted here) through the services, so
    that each is audited as on the pages; a role is never edited in place."""

    list_display = ["user", "role", "unit", "granted_at", "granted_by"]
    list_filter = ["role", "unit__kind"]
    search_fields = ["user__email", "user__person__name", "user__person__nip", "unit__name"]
    list_select_related = ["user", "unit", "granted_by"]
    autocomplete_fields = ["user", "unit"]
    fields = ["user", "role", "unit"]
    readonly_fields = ["granted_at", "granted_by"]
    actions = ["revoke_selected"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Revoking goes through the "revoke" action and the services' rules.
        return False

    def save_model(
        self, request: HttpRequest, obj: RoleAssignment, form: Any, change: bool
    ) -> None:
        saved = services.grant_login_role(
            obj.user,
            obj.role,
            obj.unit,
            acting_user=request.user,  # type: ignore[arg-type]
        )
        obj.pk = saved.pk

    @admin.action(description=_("Revoke the selected roles"))
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[RoleAssignment]) -> None:
        done = 0
        for assignment in queryset.select_related("unit", "user"):
            try:
                services.revoke_role(assignment, acting_user=request.user)  # type: ignore[arg-type]
            except DomainError as err:
                self.message_user(request, str(err.message), messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, _("%(n)d roles revoked.") % {"n": done}, messages.SUCCESS)


TOKEN_FIELDS = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Tokens are issued on "My API tokens" or by the command (the key is shown once);
    here they are listed and revoked. The key's hash is never shown."""

    list_display = [
        "name",
        "user",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "expires_at"]
    search_fields = ["name", "prefix", "user__email"]
    list_select_related = ["user"]
    fields = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    readonly_fields = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at"]
    actions = ["revoke_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            tokens.revoke_token(token, acting_user=request.user)  # type: ignore[arg-type]
            count += 1
        self.message_user(request, _("%(n)d tokens revoked.") % {"n": count}, messages.SUCCESS)
