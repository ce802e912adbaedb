from django.contrib.auth import views as auth_views
from django.urls import path

from cakap.people.forms import LoginForm
from cakap.people.views import account, logins, people, units

# The admin app, listed before ours, ships registration/password_reset_*.html in its own
# look; naming our templates explicitly keeps the reset pages in Cakap's layout.

app_name = "people"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        people.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="people/auth/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        account.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="people/auth/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("account/password/", account.PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="people/account/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("account/tokens/", account.token_list, name="token-list"),
    path("account/tokens/<id:pk>/revoke/", account.token_revoke, name="token-revoke"),
    path("people/tokens/", account.token_admin_list, name="token-admin-list"),
    path("people/", people.person_list, name="person-list"),
    path("people/new/", people.person_create, name="person-create"),
    path("people/<id:pk>/", people.person_detail, name="person-detail"),
    path("people/<id:pk>/edit/", people.person_edit, name="person-edit"),
    path("people/import/", people.roster_import, name="roster-import"),
    path("people/import/confirm/", people.roster_import_confirm, name="roster-import-confirm"),
    path("people/import/cancel/", people.roster_import_cancel, name="roster-import-cancel"),
    path("people/import/units/", people.roster_import_units, name="roster-import-units"),
    path("units/", people.unit_tree, name="unit-tree"),
    path("units/new/", units.unit_create, name="unit-create"),
    path("units/<id:pk>/", units.unit_edit, name="unit-edit"),
    path("units/<id:pk>/merge/", units.unit_merge, name="unit-merge"),
    path("units/<id:pk>/aliases/", units.unit_alias_add, name="unit-alias-add"),
    path("units/<id:pk>/aliases/remove/", units.unit_alias_remove, name="unit-alias-remove"),
    # Logins and roles (views/logins.py)
    path("people/<id:pk>/login/", logins.person_login_create, name="person-login-create"),
    path("people/<id:pk>/login/link/", logins.person_login_link, name="person-login-link"),
    path("people/<id:pk>/roles/grant/", logins.person_role_grant, name="person-role-grant"),
    path("people/<id:pk>/roles/revoke/", logins.person_role_revoke, name="person-role-revoke"),
    path("people/logins/", logins.logins_create, name="logins-create"),
    path("people/logins/links/", logins.login_links, name="login-links"),
    path("roles/", logins.role_list, name="role-list"),
    path("welcome/<uidb64>/<token>/", logins.LoginWelcomeView.as_view(), name="login-welcome"),
]
