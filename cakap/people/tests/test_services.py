"""The people services: validation, scope, audit trail, update_fields."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cakap.core.models import AuditEntry
from cakap.people import services
from cakap.people.models import Person, RoleAssignment, Unit, User
from cakap.people.nip import NipError
from cakap.people.services import LoginError, PersonError, RoleError, UnitError

NEW_NIP = "19900101 201503 1 004"


def test_create_person_stores_digits_and_audits(world):
    person = services.create_person(
        nip=NEW_NIP,
        name="  Budi   Santoso ",
        unit=world.dinkes,
        rank="III/a",
        phone="+62 812 3456 7890",
        email="Budi@Example.go.id",
        acting_user=world.organiser,
    )
    person.refresh_from_db()
    assert person.nip == "199001012015031004"
    assert person.name == "Budi Santoso"
    assert person.phone == "081234567890"
    assert person.email == "budi@example.go.id"
    entry = AuditEntry.objects.get(action="person.create", object_id=str(person.pk))
    assert entry.actor == world.organiser
    assert entry.changes["nip"] == [None, "199001012015031004"]


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"nip": "1990010120150310"}, "invalid_nip", "nip"),
        ({"nip": "196803032000121003"}, "duplicate_nip", "nip"),
        ({"name": "   "}, "name_required", "name"),
        ({"rank": "V/a"}, "invalid_rank", "rank"),
        ({"phone": "12345"}, "invalid_phone", "phone"),
        ({"email": "not-an-email"}, "invalid_email", "email"),
        ({"job_level": "eselon"}, "invalid_job_level", "job_level"),
        ({"employee_type": "honorer"}, "invalid_employee_type", "employee_type"),
        ({"position": "x" * 201}, "too_long", "position"),
        ({"user": None}, "unknown_field", None),
    ],
)
def test_create_person_refuses_bad_input_with_a_code(world, fields, code, field):
    values = {"nip": NEW_NIP, "name": "Budi", "unit": world.dinkes, **fields}
    with pytest.raises(PersonError) as err:
        services.create_person(**values, acting_user=world.organiser)
    assert err.value.code == code
    assert err.value.field == field
    assert str(err.value)
    assert not Person.objects.filter(name="Budi").exists()
    assert not AuditEntry.objects.filter(action="person.create").exists()


def test_invalid_nip_message_is_the_nip_parsers(world):
    with translation.override("en"), pytest.raises(PersonError) as err:
        services.create_person(
            nip="19900101201513", name="B", unit=world.dinkes, acting_user=world.organiser
        )
    with translation.override("en"):
        assert str(err.value) == "NIP must have 18 digits; this one has 14."
    assert not isinstance(err.value, NipError)


def test_organiser_cannot_add_people_outside_their_scope(world):
    province = Unit.objects.create(name="Provinsi Lain", kind=Unit.Kind.PROVINCE)
    with pytest.raises(PersonError) as err:
        services.create_person(nip=NEW_NIP, name="B", unit=province, acting_user=world.organiser)
    assert err.value.code == "forbidden"
    with pytest.raises(PersonError):
        services.create_person(nip=NEW_NIP, name="B", unit=world.dinkes, acting_user=world.leader)


def test_the_system_may_add_anywhere(world):
    province = Unit.objects.create(name="Provinsi Lain", kind=Unit.Kind.PROVINCE)
    person = services.create_person(nip=NEW_NIP, name="B", unit=province, acting_user=None)
    assert AuditEntry.objects.get(object_id=str(person.pk)).actor is None


def test_update_person_writes_only_changed_fields_and_audits_them(world):
    person = world.participant.person
    with CaptureQueriesContext(connection) as queries:
        services.update_person(
            person, position="Kepala Seksi", name="Participant", acting_user=world.organiser
        )
    update = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(update) == 1
    assert '"position"' in update[0] and '"name"' not in update[0]
    person.refresh_from_db()
    assert person.position == "Kepala Seksi"
    entry = AuditEntry.objects.get(action="person.update", object_id=str(person.pk))
    assert entry.changes == {"position": ["", "Kepala Seksi"]}


def test_update_without_changes_writes_nothing(world):
    person = world.participant.person
    services.update_person(person, name=person.name, unit=person.unit, acting_user=world.organiser)
    assert not AuditEntry.objects.filter(action="person.update").exists()


def test_update_moves_person_only_between_units_in_scope(world):
    person = world.participant.person
    services.update_person(person, unit=world.kecamatan, acting_user=world.organiser)
    person.refresh_from_db()
    assert person.unit == world.kecamatan
    outside = Unit.objects.create(name="Elsewhere", kind=Unit.Kind.REGENCY)
    with pytest.raises(PersonError) as err:
        services.update_person(person, unit=outside, acting_user=world.organiser)
    assert err.value.code == "forbidden"


def test_update_refuses_a_nip_someone_else_has(world):
    person = world.participant.person
    with pytest.raises(PersonError) as err:
        services.update_person(person, nip="197204042001022004", acting_user=world.organiser)
    assert err.value.code == "duplicate_nip"


def test_create_login_without_a_password_can_still_be_reset_by_email(world, client):
    person = services.create_person(
        nip=NEW_NIP, name="Budi", unit=world.dinkes, acting_user=world.organiser
    )
    user = services.create_login(person, "Budi@Example.go.id", acting_user=world.organiser)
    person.refresh_from_db()
    assert person.user == user
    assert person.email == "budi@example.go.id"
    assert not user.has_usable_password()  # no slow hash of a secret nobody knows
    client.post("/password-reset/", {"email": "budi@example.go.id"})
    assert [m.to for m in mail.outbox] == [["budi@example.go.id"]]
    assert AuditEntry.objects.filter(action="user.create", object_id=str(user.pk)).exists()


def test_create_login_with_password(world):
    person = services.create_person(
        nip=NEW_NIP, name="Budi", unit=world.dinkes, acting_user=world.organiser
    )
    user = services.create_login(
        person, "budi@example.go.id", "s3cret-Passw0rd", acting_user=world.organiser
    )
    assert user.check_password("s3cret-Passw0rd")


def test_create_login_refusals(world):
    with pytest.raises(LoginError) as err:
        services.create_login(
            world.participant.person, "x@example.test", acting_user=world.organiser
        )
    assert err.value.code == "has_login"
    person = services.create_person(
        nip=NEW_NIP, name="Budi", unit=world.dinkes, acting_user=world.organiser
    )
    with pytest.raises(LoginError) as err:
        services.create_login(person, "COACH@example.test", acting_user=world.organiser)
    assert err.value.code == "email_taken"
    with pytest.raises(LoginError) as err:
        services.create_login(person, "nope", acting_user=world.organiser)
    assert err.value.code == "invalid_email"


def test_grant_role_is_idempotent_and_audited_once(world):
    person = world.coach.person
    first = services.grant_role(person, "leader", world.diskominfo, acting_user=world.admin)
    again = services.grant_role(person, "leader", world.diskominfo, acting_user=world.admin)
    assert first.pk == again.pk
    assert RoleAssignment.objects.filter(user=world.coach, role="leader").count() == 1
    assert AuditEntry.objects.filter(action="role.grant").count() == 1
    with pytest.raises(RoleError) as err:
        services.grant_role(person, "emperor", world.diskominfo, acting_user=world.admin)
    assert err.value.code == "invalid_role"


def test_create_unit_sets_path_and_audits(world):
    unit = services.create_unit(
        name="Bidang Aplikasi", kind="bidang", parent=world.diskominfo, acting_user=world.organiser
    )
    assert unit.path == f"{world.diskominfo.path}{unit.pk}/"
    assert AuditEntry.objects.filter(action="unit.create", object_id=str(unit.pk)).exists()


def test_create_unit_refusals(world):
    with pytest.raises(UnitError) as err:
        services.create_unit(name="Top", kind="regency", acting_user=world.organiser)
    assert err.value.code == "forbidden"
    with pytest.raises(UnitError) as err:
        services.create_unit(
            name="diskominfo", kind="dinas", parent=world.regency, acting_user=world.admin
        )
    assert err.value.code == "duplicate_unit"
    with pytest.raises(UnitError) as err:
        services.create_unit(name="X", kind="planet", parent=world.regency, acting_user=world.admin)
    assert err.value.code == "invalid_kind"
    with pytest.raises(UnitError) as err:
        services.create_unit(name=" ", kind="dinas", parent=world.regency, acting_user=world.admin)
    assert err.value.code == "name_required"
    user = User.objects.create_user(email="nobody@example.test", password="x")
    with pytest.raises(UnitError):
        services.create_unit(name="X", kind="dinas", parent=world.regency, acting_user=user)
