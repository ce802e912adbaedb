"""Organisers give people of their subtree logins from the product's pages: one from a
person's page, many from the person list; the person sets the password through a
one-time link that expires (decision 81)."""

import datetime
import re
from urllib.parse import unquote

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cakap.core.models import AuditEntry
from cakap.core.tests.worker import run_worker_once
from cakap.people import invitations, services, tasks
from cakap.people.models import Person, RoleAssignment, Unit, User
from conftest import client_for, in_english

NEW_NIP = "199001012015031004"
NEW_PASSWORD = "a-new-Secret-9"  # noqa: S105


def _new_person(world, **fields):
    return services.create_person(
        nip=fields.pop("nip", NEW_NIP),
        name=fields.pop("name", "Budi Santoso"),
        unit=fields.pop("unit", world.dinkes),
        acting_user=world.organiser,
        **fields,
    )


def _link_on(page: str) -> str:
    found = re.search(r"http://testserver(/welcome/[^/\s<]+/[^/\s<]+/)", page)
    assert found, "no set-password link on the page"
    return found.group(1)


def _set_password(client, path: str, password: str = NEW_PASSWORD):
    """Open a set-password link and choose a password, as the person would."""
    opened = client.get(path)
    assert opened.status_code == 302  # Django moves the token out of the address
    return client.post(opened["Location"], {"new_password1": password, "new_password2": password})


def test_organiser_gives_a_login_and_the_link_sets_the_password_once(
    world, django_capture_on_commit_callbacks
):
    person = _new_person(world, email="budi@example.go.id", phone="0812 3456 7890")
    organiser = in_english(client_for(world.organiser))
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser.post(f"/people/{person.pk}/login/", {"send_email": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/people/logins/links/"
    person.refresh_from_db()
    user = person.user
    assert user is not None and user.email == "budi@example.go.id"
    assert user.last_login is None

    page = organiser.get("/people/logins/links/").content.decode()
    path = _link_on(page)
    assert "https://wa.me/6281234567890?text=" in page
    found = re.search(r'https://wa\.me/[^"]+', page)
    assert found is not None
    whatsapp = unquote(found.group(0))
    assert "http://testserver" + path in whatsapp.replace("&amp;", "&")
    assert "emailed to budi@example.go.id" in page
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["budi@example.go.id"]
    # The same kind of link (its token carries the second it was made in).
    assert "http://testserver" + path.rsplit(".", 2)[0] in mail.outbox[0].body

    anonymous = client_for(None)
    done = _set_password(anonymous, path)
    assert done.status_code == 302 and done["Location"] == "/"
    user.refresh_from_db()
    assert user.check_password("a-new-Secret-9")
    assert user.last_login is not None  # signed in at once
    assert anonymous.session["_auth_user_id"] == str(user.pk)

    again = client_for(None).get(path, follow=True)
    assert again.context["validlink"] is False
    actions = set(
        AuditEntry.objects.filter(object_id=str(user.pk)).values_list("action", flat=True)
    )
    assert {"user.create", "user.login_link", "user.password_set"} <= actions
    # The links page no longer offers a link that was used.
    assert "/welcome/" not in organiser.get("/people/logins/links/").content.decode()


def test_a_set_password_link_expires(world, settings):
    settings.LOGIN_LINK_DAYS = 7
    person = _new_person(world)
    organiser = client_for(world.organiser)
    organiser.post(f"/people/{person.pk}/login/")
    path = _link_on(organiser.get("/people/logins/links/").content.decode())
    later = timezone.now() + datetime.timedelta(days=7, minutes=1)
    with time_machine.travel(later, tick=False):
        response = client_for(None).get(path, follow=True)
    assert response.context["validlink"] is False
    person.refresh_from_db()
    assert not person.user.check_password("a-new-Secret-9")


def test_a_forged_or_reset_token_does_not_open_the_set_password_page(world):
    person = _new_person(world)
    services.give_login(person, acting_user=world.organiser)
    person.refresh_from_db()
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(person.user.pk))
    reset_token = default_token_generator.make_token(person.user)
    for token in (reset_token, "abc.def.ghi", "x" * 80):
        response = client_for(None).get(f"/welcome/{uid}/{token}/", follow=True)
        assert response.context["validlink"] is False, token


def test_a_person_without_email_gets_a_nip_login_and_a_whatsapp_message(
    world, django_capture_on_commit_callbacks
):
    person = _new_person(world, phone="081298765432")
    organiser = client_for(world.organiser)
    with django_capture_on_commit_callbacks(execute=True):
        organiser.post(f"/people/{person.pk}/login/", {"email": "", "send_email": "on"})
    person.refresh_from_db()
    assert person.user.email == f"{NEW_NIP}@nip.invalid"
    assert person.email == ""  # the placeholder is not the person's address
    assert mail.outbox == []
    page = organiser.get("/people/logins/links/").content.decode()
    assert "https://wa.me/6281298765432?text=" in page
    assert "Kirim lewat WhatsApp" in page  # Indonesian by default
    _set_password(client_for(None), _link_on(page))
    signed = client_for(None).post(
        "/login/", {"username": "19900101 201503 1 004", "password": "a-new-Secret-9"}
    )
    assert signed.status_code == 302


def test_an_email_another_login_uses_is_refused_and_nothing_is_made(world):
    person = _new_person(world)
    users = User.objects.count()
    organiser = in_english(client_for(world.organiser))
    response = organiser.post(
        f"/people/{person.pk}/login/", {"email": "COACH@example.test"}, follow=True
    )
    assert "Another login already uses the email address coach@example.test." in (
        response.content.decode()
    )
    assert User.objects.count() == users
    person.refresh_from_db()
    assert person.user is None


def test_a_bad_email_is_named_and_changes_nothing(world):
    person = _new_person(world)
    users = User.objects.count()
    response = in_english(client_for(world.organiser)).post(
        f"/people/{person.pk}/login/", {"email": "not an email"}, follow=True
    )
    assert "Enter a valid email address." in response.content.decode()
    assert User.objects.count() == users


def test_many_logins_at_once_report_who_had_one_and_give_nobody_a_second(
    world, django_capture_on_commit_callbacks
):
    first = _new_person(world, email="satu@example.go.id")
    second = _new_person(world, nip="199002022015032005", name="Dewi", phone="0813 1111 2222")
    taken = _new_person(world, nip="199003032015031006", name="Rudi", email="coach@example.test")
    had = world.participant.person
    organiser = in_english(client_for(world.organiser))
    ids = [first.pk, second.pk, taken.pk, had.pk]
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser.post(
            "/people/logins/", {"person": [str(i) for i in ids], "send_email": "on"}
        )
    assert response["Location"] == "/people/logins/links/"
    page = organiser.get("/people/logins/links/").content.decode()
    assert "2 logins created." in page
    assert "1 person already had a login (nothing changed)." in page
    assert "1 refused." in page
    assert "Participant already has a login." in page
    assert "Another login already uses the email address coach@example.test." in page
    assert page.count("/welcome/") == 2 * 2  # each link in its box and its message
    assert [m.to for m in mail.outbox] == [["satu@example.go.id"]]
    assert Person.objects.filter(pk__in=[first.pk, second.pk], user__isnull=False).count() == 2
    users = User.objects.count()
    # A retry changes nothing.
    organiser.post("/people/logins/", {"person": [str(i) for i in ids]})
    assert User.objects.count() == users


def test_everyone_a_search_matches_gets_a_login(world):
    for i, name in enumerate(["Camat Satu", "Camat Dua", "Lurah Tiga"]):
        _new_person(world, nip=f"19900101201503101{i + 1}", name=name)
    organiser = client_for(world.organiser)
    organiser.post("/people/logins/", {"everyone": "on", "q": "Camat"})
    with_login = Person.objects.filter(name__startswith="Camat", user__isnull=False).count()
    assert with_login == 2
    assert not Person.objects.get(name="Lurah Tiga").user


def test_nothing_ticked_is_named_and_changes_nothing(world):
    users = User.objects.count()
    response = in_english(client_for(world.organiser)).post("/people/logins/", {}, follow=True)
    assert "Tick at least one person, or choose everyone listed." in response.content.decode()
    response = in_english(client_for(world.organiser)).post(
        "/people/logins/", {"person": ["x1"]}, follow=True
    )
    assert "The list of people sent is not valid." in response.content.decode()
    assert User.objects.count() == users


def test_organiser_cannot_give_a_login_outside_their_subtree(world):
    elsewhere = Unit.objects.create(name="Kabupaten Lain", kind=Unit.Kind.REGENCY)
    outsider = Person.objects.create(nip=NEW_NIP, name="Orang Lain", unit=elsewhere)
    organiser = client_for(world.organiser)
    assert organiser.post(f"/people/{outsider.pk}/login/").status_code == 404
    organiser.post("/people/logins/", {"person": [str(outsider.pk)]})
    api = organiser.post(
        "/api/v1/logins", {"person_ids": [outsider.pk]}, content_type="application/json"
    )
    assert api.status_code == 422
    assert (
        organiser.post(
            f"/api/v1/people/{outsider.pk}/login", {}, content_type="application/json"
        ).status_code
        == 404
    )
    outsider.refresh_from_db()
    assert outsider.user is None
    assert not User.objects.filter(email__startswith=NEW_NIP).exists()


def test_a_coach_or_participant_cannot_give_logins(world):
    person = _new_person(world)
    for user in (world.coach, world.participant, world.leader):
        client = client_for(user)
        assert client.post(f"/people/{person.pk}/login/").status_code == 404
        assert client.post("/people/logins/", {"person": [str(person.pk)]}).status_code == 404
    person.refresh_from_db()
    assert person.user is None


def test_a_new_link_is_offered_only_while_the_login_waits_for_its_password(world):
    person = _new_person(world)
    organiser = client_for(world.organiser)
    organiser.post(f"/people/{person.pk}/login/")
    first = _link_on(organiser.get("/people/logins/links/").content.decode())
    response = organiser.post(f"/people/{person.pk}/login/link/")
    assert response["Location"] == "/people/logins/links/"
    second = _link_on(organiser.get("/people/logins/links/").content.decode())
    _set_password(client_for(None), second)
    # Every link dies with the first use, the earlier one too.
    assert client_for(None).get(first, follow=True).context["validlink"] is False
    refused = in_english(organiser).post(f"/people/{person.pk}/login/link/", follow=True)
    assert "This login has been used already." in refused.content.decode()


def test_an_organiser_gets_no_link_for_a_login_with_rights_beyond_theirs(world):
    """A set-password link lets its holder choose the password: an organiser must not get
    one for a login an administrator made an administrator, or gave a role elsewhere."""
    person = _new_person(world)
    user = services.create_login(person, acting_user=world.admin)
    RoleAssignment.objects.create(user=user, role="admin", unit=world.regency)
    organiser = in_english(client_for(world.organiser))
    before = AuditEntry.objects.count()
    response = organiser.post(f"/people/{person.pk}/login/link/", follow=True)
    assert "only an administrator can send it a new set-password link" in (
        response.content.decode()
    )
    assert "/welcome/" not in response.content.decode()
    api = organiser.post(
        f"/api/v1/people/{person.pk}/login/link", {}, content_type="application/json"
    )
    assert api.status_code == 403
    assert AuditEntry.objects.count() == before
    # An administrator may.
    ok = client_for(world.admin).post(
        f"/api/v1/people/{person.pk}/login/link", {}, content_type="application/json"
    )
    assert ok.status_code == 200 and "/welcome/" in ok.json()["set_password_url"]


def test_the_person_page_offers_a_login_and_shows_its_state(world):
    person = _new_person(world, email="budi@example.go.id")
    organiser = in_english(client_for(world.organiser))
    page = organiser.get(f"/people/{person.pk}/").content.decode()
    assert "Create login" in page and 'value="budi@example.go.id"' in page
    organiser.post(f"/people/{person.pk}/login/")
    page = organiser.get(f"/people/{person.pk}/").content.decode()
    assert "not signed in yet" in page
    assert "New set-password link" in page
    # Someone who only sees the person is offered none of it.
    leader_page = in_english(client_for(world.leader)).get(
        f"/people/{world.participant.person.pk}/"
    )
    assert "Create login" not in leader_page.content.decode()


@pytest.mark.parametrize("send_email", [True, False])
def test_the_api_gives_a_login_and_reports_one_that_exists(
    world, send_email, django_capture_on_commit_callbacks
):
    person = _new_person(world, email="budi@example.go.id", phone="081234567890")
    organiser = client_for(world.organiser)
    with django_capture_on_commit_callbacks(execute=True):
        created = organiser.post(
            f"/api/v1/people/{person.pk}/login",
            {"send_email": send_email},
            content_type="application/json",
        )
    assert created.status_code == 201
    body = created.json()
    assert body["outcome"] == "created" and body["emailed"] is send_email
    assert body["set_password_url"].startswith("http://testserver/welcome/")
    assert body["whatsapp_url"].startswith("https://wa.me/6281234567890?text=")
    assert len(mail.outbox) == (1 if send_email else 0)
    again = organiser.post(f"/api/v1/people/{person.pk}/login", {}, content_type="application/json")
    assert again.status_code == 200
    assert again.json()["outcome"] == "has_login" and again.json()["set_password_url"] is None
    assert User.objects.filter(email="budi@example.go.id").count() == 1


def test_an_inactive_login_gets_no_new_link(world):
    person = _new_person(world)
    user = services.create_login(person, acting_user=world.organiser)
    User.objects.filter(pk=user.pk).update(is_active=False)
    for actor in (world.organiser, world.admin):
        response = in_english(client_for(actor)).post(
            f"/people/{person.pk}/login/link/", follow=True
        )
        assert "This login is inactive" in response.content.decode()
        assert "/welcome/" not in response.content.decode()


def test_the_reset_form_reaches_a_new_login_but_never_a_placeholder_address(world, client):
    with_mail = _new_person(world, email="budi@example.go.id")
    without = _new_person(world, nip="199002022015032005", name="Dewi")
    services.give_logins([with_mail, without], acting_user=world.organiser)
    client.post("/password-reset/", {"email": "budi@example.go.id"})
    client.post("/password-reset/", {"email": "199002022015032005@nip.invalid"})
    assert [m.to for m in mail.outbox] == [["budi@example.go.id"]]


def test_an_unreachable_mail_server_keeps_the_login_and_the_email_is_retried(
    world, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    person = _new_person(world, email="budi@example.go.id")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.organiser).post(f"/people/{person.pk}/login/", {"send_email": "on"})
    person.refresh_from_db()
    assert person.user is not None
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "cakap.people.tasks.email_login_link"
    assert "welcome" not in str(queued.args_kwargs)  # no token waits in the queue

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(invitations, "send_mail", refuse)
    run_worker_once("--no-schedule")
    queued.refresh_from_db()
    assert queued.status == "FAILED" and "mail server down" in queued.traceback
    assert User.objects.filter(pk=person.user.pk).exists()
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after > timezone.now()
    monkeypatch.undo()

    # Once the person has used a link and signed in, a late retry sends nothing.
    User.objects.filter(pk=person.user.pk).update(last_login=timezone.now())
    assert tasks.email_login_link.func(*queued.args_kwargs["args"]) is False
    assert mail.outbox == []
