"""Every enum in the OpenAPI schema has its own name and the values of the choices it
describes: a generated client must not read one model's statuses as another's."""

import json

from django.db import models

from cakap.attendance.models import AbsenceRequest, AttendancePolicy, Method, Status
from cakap.competence.models import Administration, Instrument, Item
from cakap.notices.models import Channel, DeliveryState, NoticeKind
from cakap.people.models import Person, RoleAssignment, Unit
from cakap.programmes.models import Enrolment, Programme, Session
from cakap.programmes.outcomes import EnrolmentOutcome

# Component name -> the choices it describes. A new enum in the API adds a line here.
EXPECTED = {
    "UnitKind": Unit.Kind,
    "EmployeeType": Person.EmployeeType,
    "Role": RoleAssignment.Role,
    "ProgrammeStatus": Programme.Status,
    "LearningForm": Programme.LearningForm,
    "EnrolmentStatus": Enrolment.Status,
    "SessionStatus": Session.Status,
    "AttendanceStatus": Status,
    "Method": Method,
    "State": AbsenceRequest.State,
    "LocationMode": AttendancePolicy.LocationMode,
    "SharedDevice": AttendancePolicy.SharedDevice,
    "InstrumentKind": Instrument.Kind,
    "Scale": Instrument.Scale,
    "ItemKind": Item.Kind,
    "Phase": Administration.Phase,
    "EnrolmentOutcome": EnrolmentOutcome,
    "NoticeKind": NoticeKind,
    "Channel": Channel,
    "DeliveryState": DeliveryState,
}


def _all_choices(cls: type = models.Choices) -> list[type]:
    found: list[type] = []
    subclasses: list[type] = cls.__subclasses__()
    for sub in subclasses:
        if sub.__module__.startswith("cakap."):
            found.append(sub)
        found.extend(_all_choices(sub))
    return found


def test_each_enum_component_holds_the_values_of_its_choices(client):
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    enums = {
        name: component["enum"]
        for name, component in schema["components"]["schemas"].items()
        if "enum" in component
    }
    assert enums == {name: list(choices.values) for name, choices in EXPECTED.items()}


def test_no_two_choice_sets_share_a_name():
    # pydantic names an enum's component after its class: two classes with one name
    # would be written as one component, the last one read winning.
    by_name: dict[str, list[str]] = {}
    for choices in _all_choices():
        by_name.setdefault(choices.__name__, []).append(choices.__qualname__)
    assert {name: where for name, where in by_name.items() if len(where) > 1} == {}


def test_the_operations_name_the_enum_of_their_own_model(client):
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    components = schema["components"]["schemas"]
    assert components["ProgrammeOut"]["properties"]["status"]["$ref"].endswith("/ProgrammeStatus")
    assert components["SessionOut"]["properties"]["status"]["$ref"].endswith("/SessionStatus")
    assert components["EnrolmentOut"]["properties"]["status"]["$ref"].endswith("/EnrolmentStatus")
    assert components["RecordOut"]["properties"]["status"]["$ref"].endswith("/AttendanceStatus")
    assert components["UnitOut"]["properties"]["kind"]["$ref"].endswith("/UnitKind")
    assert components["ItemOut"]["properties"]["kind"]["$ref"].endswith("/ItemKind")
    outcome = components["BulkItemOut"]["properties"]["outcome"]["$ref"]
    assert outcome.endswith("/EnrolmentOutcome")
