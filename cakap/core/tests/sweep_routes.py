"""The scope sweep's expectations: one line per page (by URL name) and per API
operation (by "METHOD path"). test_scope_sweep.py fails for a route that has no line
here and for a line whose route no longer exists.

A route whose path names objects gets a rule (`SEE`, `STAFF`, `RUN`, `MANAGE`, `OWN`)
and, per path parameter, the kind of object it names ("session", "record", ...; see
sweep_world.py). Each persona outside the rule is sent the ids of the nearest objects
it must not reach: the rule's table below says, per persona, which object set ("A",
"B" or "F", sweep_world.py) its programme-level and its group-level ids come from. It
must get 404 or 403 (anonymous: the login page, or 401 from the API) and change
nothing. The persona the rule admits (admin; for `OWN` the set's own participant)
reads the same ids without a 404, which proves that the ids were good.

A route that names no object gets a gate: the personas who may use it at all.
"""

from dataclasses import dataclass, field
from typing import Any

# Per persona: (set of programme-level ids, set of group-level ids) it is sent.
Rule = dict[str, str]

# Sees the programme (organisers of it, its coaches, participants, leaders of people in
# it) and, inside it, the group-level objects of its own group.
SEE: Rule = {
    "organiser": "FF",
    "coach": "FB",
    "participant": "FB",
    "other_participant": "FA",
    "leader": "FB",
    "leader_other": "AA",
    "unit_organiser": "AA",
    "f_participant": "AA",
    "anonymous": "AA",
}
# The programme's staff pages (instruments, results): not for its participants.
STAFF: Rule = {**SEE, "participant": "AA", "other_participant": "BB", "f_participant": "FF"}
# A session's check-in, roll and recap: the group's coaches and the programme's
# organisers.
RUN: Rule = {**STAFF, "leader": "AA"}
# Changes to a programme: its organisers only.
MANAGE: Rule = {**RUN, "coach": "AA"}
# Taking part: the participant of the group (check in, take a test, ask to be excused).
OWN: Rule = {
    **SEE,
    "organiser": "AA",
    "coach": "AA",
    "leader": "AA",
    "unit_organiser": "FF",
}
# A programme's recap and at-risk list: its organisers, and, read-only, the leaders of
# units that some of its participants work in (only those participants).
OVERSEE: Rule = {**MANAGE, "leader": "FB"}
RULES = {
    "SEE": SEE,
    "STAFF": STAFF,
    "RUN": RUN,
    "MANAGE": MANAGE,
    "OWN": OWN,
    "OVERSEE": OVERSEE,
}

PROGRAMME_LEVEL = {
    "programme",
    "module",
    "instrument",
    "item",
    "administration",
    "observation",
    "framework",
}
GROUP_LEVEL = {
    "group",
    "session",
    "person",
    "coach",  # the person who coaches the group
    "enrolment",
    "record",
    "attempt",
    "absence",
    "link",
    "token",  # an API token of the group's participant
    "delivery",  # a WhatsApp notice prepared for the participant, of the group's session
}

# Gates of routes that name no object: who may use them at all.
EVERYONE = frozenset(
    {
        "admin",
        "organiser",
        "coach",
        "participant",
        "other_participant",
        "leader",
        "leader_other",
        "unit_organiser",
        "f_participant",
        "anonymous",
    }
)
SIGNED_IN = EVERYONE - {"anonymous"}
ORGANISERS = frozenset({"admin", "organiser", "unit_organiser"})
ADMINS = frozenset({"admin"})
# Logins that belong to a civil servant (the admin and leader_other have none).
PEOPLE = SIGNED_IN - {"admin", "leader_other"}


@dataclass(frozen=True)
class Lit:
    """A path parameter or form value that is a constant, not an object's id."""

    value: str


@dataclass(frozen=True)
class Ref:
    """A form or JSON value that is the id of the persona's target object of a kind."""

    kind: str


@dataclass(frozen=True)
class Xfail:
    """A known defect, fixed by another item of issue 9: the combination fails today and
    passes (XPASS, which strict xfail reports as a failure) once that item is merged.
    `personas` None means all refused personas; "positive" names the positive check."""

    item: str
    methods: tuple[str, ...] = ("GET",)
    personas: frozenset[str] | None = None
    variant: int | None = None  # 0: the route's params, 1...: its variants; None: any


@dataclass(frozen=True)
class Route:
    key: str  # URL name ("namespace:name") or API "METHOD /api/v1/path"
    rule: str | None = None  # a key of RULES, for routes that name objects
    params: dict[str, Any] = field(default_factory=dict)  # path parameter -> kind or Lit
    gate: frozenset[str] | None = None  # for routes that name no object
    get: bool = True  # the page answers GET (the API: its method is in the key)
    writes: tuple[str, ...] = ()  # methods that change something
    data: dict[str, Any] = field(default_factory=dict)  # form data or JSON body
    refused: frozenset[int] = frozenset({403, 404})
    positive: bool = True  # a GET by the admitted persona must not be 404
    filters: dict[str, str] = field(default_factory=dict)  # API list: query -> kind
    xfail: tuple[Xfail, ...] = ()
    # Answers one of these statuses to every persona, changing nothing (a made-up
    # token, a path that names nothing).
    everyone_gets: frozenset[int] | None = None
    # (path parameter, made-up value): a capability URL, whose secret is sent wrong.
    bad_token: tuple[str, str] | None = None
    # Personas who see the object without taking part in it: the check-in answers them
    # its page (200) or a refusal (400) that is kept in the programme's refusal list.
    logged: frozenset[str] = frozenset()
    # More path parameters to try, beside `params` (e.g. another kind of person).
    variants: tuple[dict[str, Any], ...] = ()


def page(name: str, rule: str | None = None, **kw: Any) -> Route:
    params = {k: v for k, v in kw.items() if k not in Route.__dataclass_fields__}
    rest = {k: v for k, v in kw.items() if k in Route.__dataclass_fields__}
    return Route(name, rule, params, **rest)


def api(key: str, rule: str | None = None, **kw: Any) -> Route:
    route = page(key, rule, **kw)
    method = key.split()[0]
    if method != "GET":
        return Route(**{**route.__dict__, "get": False, "writes": (method,)})
    return route


POST = ("POST",)
# Staff who see a session (as its programme's organiser, coach or leader) without taking
# part in it: a check-in they try is refused and kept in the programme's refusal list.
STAFF_OF_SESSION = frozenset({"organiser", "coach", "leader", "unit_organiser"})
REFUSAL_LOG = frozenset({"attendance_checkinattempt"})
# Everyone but the session's own participant and staff: today the scan page names the
# session and a POST stores a refusal in its programme's list.
ITEM_8 = Xfail(
    "8: a scan link of a session outside one's programmes",
    ("GET", "POST"),
    personas=frozenset({"participant", "other_participant", "leader_other", "f_participant"}),
)
ITEM_10_ROLL = Xfail(
    "10: opening the roll page closes attendance", ("GET",), frozenset({"positive"})
)
# Group B's coach, through the API, for participants of group A (and vice versa).
ITEM_11 = Xfail(
    "11: participants see coaches' details via /api/v1/people",
    personas=frozenset({"participant", "other_participant"}),
    variant=1,
)
COACH = ({"person_id": "coach"},)
# A programme's check-in rules, all of them (the page's form and the API's body).
POLICY_JSON: dict[str, Any] = {
    "opens_before_min": 15,
    "closes_after_min": 45,
    "late_after_min": 5,
    "code_period_s": 30,
    "code_grace_s": 30,
    "location_mode": "record",
    "latitude": -1.5,
    "longitude": 101.1,
    "radius_m": 150,
    "shared_device": "hold",
}
POLICY_FORM = {k: str(v) for k, v in POLICY_JSON.items()}

PAGES: list[Route] = [
    # core
    page("portal:home", gate=EVERYONE),
    page("portal:audit-trail", gate=ADMINS),
    page("portal:health", gate=EVERYONE),
    page("set_language", gate=EVERYONE, get=False, writes=POST, data={"language": "en"}),
    # people: signing in
    page(
        "people:login",
        gate=EVERYONE,
        writes=POST,
        data={"username": "x@example.test", "password": "x"},
    ),
    page("people:logout", gate=EVERYONE, get=False, writes=POST),
    page(
        "people:password_reset", gate=EVERYONE, writes=POST, data={"email": "nobody@example.test"}
    ),
    page("people:password_reset_done", gate=EVERYONE),
    page("people:password_reset_complete", gate=EVERYONE),
    page(
        "people:password_reset_confirm",
        uidb64=Lit("MQ"),
        bad_token=("token", "bad-token"),
        everyone_gets=frozenset({200}),
        writes=POST,
        data={"new_password1": "a-new-secret-9", "new_password2": "a-new-secret-9"},
        gate=EVERYONE,
    ),
    # people
    page("people:person-list", gate=ORGANISERS),
    page("people:person-create", gate=ORGANISERS, writes=POST, data={"nip": "x", "name": "X"}),
    page("people:person-detail", "SEE", pk="person", variants=({"pk": "coach"},)),
    page("people:person-edit", "MANAGE", pk="person", writes=POST, data={"name": "Changed"}),
    page("people:roster-import", gate=ORGANISERS, writes=POST),
    page("people:roster-import-confirm", gate=ORGANISERS, get=False, writes=POST),
    page("people:roster-import-cancel", gate=ORGANISERS, get=False, writes=POST),
    page("people:unit-tree", gate=ORGANISERS),
    page("people:roster-import-units", gate=ORGANISERS, get=False, writes=POST),
    page("people:unit-create", gate=ORGANISERS, writes=POST, data={"name": "S", "kind": "dinas"}),
    page("people:unit-edit", "MANAGE", pk="unit", writes=POST, data={"name": "S", "kind": "dinas"}),
    page("people:unit-merge", "MANAGE", pk="unit", writes=POST, data={"confirm": "on"}),
    page("people:unit-alias-add", "MANAGE", pk="unit", get=False, writes=POST, data={"alias": "S"}),
    page("people:unit-alias-remove", "MANAGE", pk="unit", get=False, writes=POST),
    # people: logins and roles (decision 81)
    page("people:person-login-create", "MANAGE", pk="person", get=False, writes=POST),
    page("people:person-login-link", "MANAGE", pk="person", get=False, writes=POST),
    page(
        "people:person-role-grant",
        "MANAGE",
        pk="person",
        get=False,
        writes=POST,
        data={"role": "coach", "unit": Ref("unit")},
    ),
    page(
        "people:person-role-revoke",
        "MANAGE",
        pk="person",
        get=False,
        writes=POST,
        data={"role": "1"},
    ),
    page(
        "people:logins-create",
        gate=ORGANISERS,
        get=False,
        writes=POST,
        data={"person": Ref("person")},
    ),
    page("people:login-links", gate=ORGANISERS),
    page("people:role-list", gate=ORGANISERS),
    page(
        "people:login-welcome",
        uidb64=Lit("MQ"),
        bad_token=("token", "bad-token"),
        everyone_gets=frozenset({200}),
        writes=POST,
        data={"new_password1": "a-new-secret-9", "new_password2": "a-new-secret-9"},
        gate=EVERYONE,
    ),
    # programmes
    page("programmes:programme-list", gate=SIGNED_IN),
    page("programmes:programme-create", gate=ORGANISERS, writes=POST, data={"title": "X"}),
    page("programmes:programme-detail", "SEE", pk="programme"),
    page(
        "programmes:programme-edit",
        "MANAGE",
        pk="programme",
        writes=POST,
        data={"title": "Changed"},
    ),
    page(
        "programmes:module-add",
        "MANAGE",
        pk="programme",
        writes=POST,
        data={"title": "M", "order": "2"},
    ),
    page(
        "programmes:group-create", "MANAGE", pk="programme", writes=POST, data={"name": "New group"}
    ),
    page(
        "programmes:module-edit",
        "MANAGE",
        pk="module",
        writes=POST,
        data={"title": "M", "order": "1"},
    ),
    page("programmes:module-remove", "MANAGE", pk="module", get=False, writes=POST),
    page("programmes:group-detail", "SEE", pk="group"),
    page(
        "programmes:group-coaches",
        "MANAGE",
        pk="group",
        get=False,
        writes=POST,
        data={"coaches": []},
    ),
    page(
        "programmes:group-enrol",
        "MANAGE",
        pk="group",
        get=False,
        writes=POST,
        data={"person": Ref("person")},
    ),
    page(
        "programmes:group-enrol-many",
        "MANAGE",
        pk="group",
        writes=POST,
        data={"scope": "selected", "person": Ref("person")},
    ),
    page(
        "programmes:group-enrol-paste",
        "MANAGE",
        pk="group",
        writes=POST,
        data={"nips": "196803032000121003", "action": "confirm"},
    ),
    page(
        "programmes:group-change-many",
        "MANAGE",
        pk="group",
        writes=POST,
        data={"enrolment": Ref("enrolment"), "action": "withdraw", "reason": "Mundur"},
    ),
    page(
        "programmes:session-create",
        "MANAGE",
        pk="group",
        writes=POST,
        data={"date": "2026-11-30", "start_time": "09:00", "end_time": "11:00"},
    ),
    page(
        "programmes:enrolment-move",
        "MANAGE",
        pk="enrolment",
        get=False,
        writes=POST,
        data={"to_group": Ref("group"), "reason": "Pindah"},
    ),
    page(
        "programmes:enrolment-withdraw",
        "MANAGE",
        pk="enrolment",
        get=False,
        writes=POST,
        data={"reason": "Mundur"},
    ),
    page("programmes:session-detail", "SEE", pk="session"),
    page(
        "programmes:session-edit", "MANAGE", pk="session", writes=POST, data={"venue": "Elsewhere"}
    ),
    page(
        "programmes:session-cancel",
        "MANAGE",
        pk="session",
        get=False,
        writes=POST,
        data={"reason": "Hujan"},
    ),
    page(
        "programmes:session-move",
        "MANAGE",
        pk="session",
        get=False,
        writes=POST,
        data={"date": "2026-11-30", "start_time": "09:00", "end_time": "11:00", "reason": "R"},
    ),
    page("programmes:my-schedule", gate=SIGNED_IN),
    page("programmes:programme-calendar", "SEE", pk="programme"),
    page("programmes:programme-week", "SEE", pk="programme"),
    page(
        "programmes:calendar-days",
        "MANAGE",
        pk="programme",
        writes=POST,
        data={"date": "2026-11-30", "kind": "blackout", "reason": "Libur"},
    ),
    page(
        "programmes:schedule-generate",
        "MANAGE",
        pk="programme",
        writes=POST,
        data={"action": "preview"},
    ),
    page("programmes:ical-regenerate", gate=SIGNED_IN, get=False, writes=POST),
    page(
        "programmes:ical-feed",
        bad_token=("token", "bad-token"),
        everyone_gets=frozenset({404}),
        gate=EVERYONE,
    ),
    # attendance: check-in
    page(
        "attendance:checkin-scan",
        "OWN",
        session_id="session",
        code=Lit("ABC123"),
        writes=POST,
        # Someone of the programme's other group came to the wrong room: told not_enrolled,
        # naming nothing, and kept in the programme's refusal list (decision 52).
        logged=STAFF_OF_SESSION | {"participant", "other_participant"},
    ),
    page("attendance:checkin-code", gate=SIGNED_IN, writes=POST, data={"code": "ABC123"}),
    page("attendance:my-card", gate=PEOPLE),
    page("attendance:coach-checkin", "RUN", pk="session"),
    page("attendance:coach-code", "RUN", pk="session"),
    page("attendance:coach-roll", "RUN", pk="session"),
    page("attendance:coach-search", "RUN", pk="session"),
    page(
        "attendance:coach-mark",
        "RUN",
        pk="session",
        get=False,
        writes=POST,
        data={"person": Ref("person")},
    ),
    page("attendance:coach-card", "RUN", pk="session", get=False, writes=POST, data={"token": "x"}),
    page(
        "attendance:coach-decide",
        "RUN",
        pk="session",
        record_pk="record",
        get=False,
        writes=POST,
        data={"decision": "approve"},
    ),
    page("attendance:links-list", "MANAGE", pk="programme"),
    page("attendance:links-issue", "MANAGE", pk="programme", get=False, writes=POST),
    page("attendance:links-print", "MANAGE", pk="programme"),
    page("attendance:checkin-attempts", "MANAGE", pk="programme"),
    page("attendance:links-revoke", "MANAGE", link_pk="link", get=False, writes=POST),
    page("attendance:links-email", "MANAGE", link_pk="link", get=False, writes=POST),
    page(
        "attendance:link-open",
        bad_token=("token", "bad-token"),
        everyone_gets=frozenset({200, 403}),
        gate=EVERYONE,
        writes=POST,
    ),
    # attendance: roll, absence, recap
    page(
        "attendance:roll",
        "RUN",
        pk="session",
        writes=POST,
        data={"status-0": "hadir"},
    ),
    page(
        "attendance:roll-row",
        "RUN",
        pk="session",
        person_pk="person",
        get=False,
        writes=POST,
        data={"status": "alpa"},
    ),
    page("attendance:roll-close", "RUN", pk="session", get=False, writes=POST),
    page(
        "attendance:absence-request",
        "OWN",
        session_pk="session",
        writes=POST,
        data={"status": "izin", "reason": "Rapat"},
    ),
    # Documents: the sweep's records and requests carry none, so a read is 404 for all.
    page("attendance:record-document", "SEE", pk="record", positive=False),
    page("attendance:absence-queue", gate=ORGANISERS),
    page(
        "attendance:absence-decide",
        "MANAGE",
        pk="absence",
        get=False,
        writes=POST,
        data={"decision": "approve"},
    ),
    page("attendance:absence-document", "SEE", pk="absence", positive=False),
    page("attendance:my-attendance", gate=SIGNED_IN),
    page("attendance:my-attendance-programme", "OWN", programme_pk="programme"),
    # Leaders read a group's heatmap for their units' people (group B has none of theirs).
    page("attendance:recap-group", "STAFF", pk="group"),
    page("attendance:recap-group-export", "RUN", pk="group", fmt=Lit("csv")),
    page("attendance:recap-programme", "OVERSEE", pk="programme"),
    page("attendance:recap-programme-export", "MANAGE", pk="programme", fmt=Lit("csv")),
    page("attendance:risk-programme", "OVERSEE", pk="programme"),
    # attendance: how attendance is taken
    page("attendance:policy-edit", "MANAGE", pk="programme", writes=POST, data=POLICY_FORM),
    page(
        "attendance:session-venue",
        "MANAGE",
        pk="session",
        writes=POST,
        data={"venue": "Elsewhere", "radius_m": "150", "latitude": "-1.5", "longitude": "101.1"},
    ),
    # competence
    page("competence:home", gate=SIGNED_IN),
    page("competence:framework-create", gate=ORGANISERS, writes=POST, data={"code": "x"}),
    page("competence:framework-import", gate=ORGANISERS, writes=POST),
    # Frameworks are not personal data: every signed-in user reads every one.
    page("competence:framework-detail", pk="framework", gate=SIGNED_IN),
    page("competence:framework-export", pk="framework", gate=SIGNED_IN),
    page("competence:programme", "STAFF", pk="programme"),
    page("competence:programme-framework", "MANAGE", pk="programme", get=False, writes=POST),
    page("competence:programme-modules", "MANAGE", pk="programme", get=False, writes=POST),
    page(
        "competence:instrument-create",
        "MANAGE",
        pk="programme",
        writes=POST,
        data={"kind": "self", "title": "New"},
    ),
    page("competence:instrument", "STAFF", pk="instrument", writes=POST, data={"title": "X"}),
    page("competence:bank-export", "MANAGE", pk="instrument"),
    page("competence:bank-import", "MANAGE", pk="instrument", writes=POST),
    page(
        "competence:administration-create",
        "MANAGE",
        pk="instrument",
        get=False,
        writes=POST,
        data={"phase": "post", "opens_at": "2026-12-01T08:00", "closes_at": "2026-12-02T08:00"},
    ),
    page("competence:results", "STAFF", pk="instrument"),
    page("competence:results-export", "STAFF", pk="instrument"),
    page("competence:heatmap", "RUN", pk="instrument", group_pk="group"),
    page("competence:profile", "SEE", pk="instrument", person_pk="person"),
    page("competence:item-remove", "MANAGE", pk="item", get=False, writes=POST),
    page("competence:administration", "STAFF", pk="administration"),
    page("competence:administration-close", "MANAGE", pk="administration", get=False, writes=POST),
    page("competence:item-analysis", "STAFF", pk="administration"),
    page("competence:observe", "RUN", pk="observation", person_pk="person", writes=POST),
    page("competence:take", "OWN", pk="administration", writes=POST),
    page("competence:take-save", "OWN", pk="administration", get=False, writes=POST),
    page("competence:take-submit", "OWN", pk="administration", get=False, writes=POST),
    page("competence:take-start", "OWN", pk="administration", get=False, writes=POST),
    # The API's own pages, beside its operations (API below)
    page("api:openapi-json", gate=EVERYONE),
    page("api:openapi-view", gate=EVERYONE),
    page("api:api-root", gate=EVERYONE, everyone_gets=frozenset({404})),
    # people: the signed-in person's password and API tokens
    page("people:password_change", gate=SIGNED_IN, writes=POST, data={"old_password": "wrong"}),
    page("people:password_change_done", gate=SIGNED_IN),
    page("people:token-list", gate=SIGNED_IN, writes=POST, data={"name": ""}),
    page("people:token-admin-list", gate=ADMINS),
    # Each set's participant holds a token: only they (and an administrator) revoke it.
    page("people:token-revoke", "OWN", pk="token", get=False, writes=POST),
    # privacy: the notice, one's own data (the export is only ever one's own), the log
    # of reads for administrators
    page("privacy:notice", gate=EVERYONE),
    page("privacy:my-data", gate=SIGNED_IN),
    page("privacy:my-data-export", gate=PEOPLE),
    page("privacy:read-log", gate=ADMINS),
    # notices (decision 93): one's own settings and log; a person's log for their
    # organisers; a programme's log and the WhatsApp lists for its organisers and coaches
    page("notices:my-notices", gate=PEOPLE, writes=POST, data={"email_kinds": "test_opening"}),
    page("notices:person-log", "MANAGE", pk="person"),
    page("attendance:notices-programme", "RUN", pk="programme"),
    page("attendance:whatsapp-programme", "RUN", pk="programme"),
    page("attendance:whatsapp-session", "RUN", pk="session"),
    page("attendance:whatsapp-open", "RUN", pk="delivery", get=False, writes=POST),
    page(
        "api:no_such_endpoint",
        rest=Lit("no/such/thing"),
        everyone_gets=frozenset({404}),
        gate=EVERYONE,
        writes=("POST", "PUT", "PATCH", "DELETE"),
    ),
]

# The API answers JSON; an id in the body that the caller may not use is refused as an
# invalid choice (422, like an id that does not exist).
REFERENCE = frozenset({403, 404, 422})
NOT_STARTED = frozenset({403, 404, 409})
MOMENT = "2026-11-30T09:00:00+07:00"
LATER = "2026-11-30T11:00:00+07:00"

API: list[Route] = [
    # people
    api("GET /api/v1/units", gate=SIGNED_IN),
    api("POST /api/v1/attendance/devices", gate=SIGNED_IN),
    api("GET /api/v1/units/{unit_id}", unit_id=Lit("1"), gate=SIGNED_IN, positive=False),
    api("GET /api/v1/people", gate=SIGNED_IN),
    api(
        "POST /api/v1/people",
        gate=ORGANISERS,
        data={"nip": "198901012015031001", "name": "X", "unit_id": Ref("unit")},
        refused=REFERENCE,
    ),
    api(
        "GET /api/v1/people/{person_id}",
        "SEE",
        person_id="person",
        variants=COACH,
    ),
    api("PATCH /api/v1/people/{person_id}", "MANAGE", person_id="person", data={"name": "Y"}),
    api(
        "POST /api/v1/units",
        gate=ORGANISERS,
        data={"name": "S", "kind": "dinas", "parent_id": Ref("unit")},
        refused=REFERENCE,
    ),
    api("PATCH /api/v1/units/{unit_id}", "MANAGE", unit_id="unit", data={"name": "S"}),
    api(
        "POST /api/v1/units/{unit_id}/merge",
        "MANAGE",
        unit_id="unit",
        data={"into_id": Ref("unit")},
        refused=REFERENCE,
    ),
    api("POST /api/v1/units/{unit_id}/aliases", "MANAGE", unit_id="unit", data={"name": "S"}),
    api(
        "DELETE /api/v1/units/{unit_id}/aliases/{alias_id}",
        "MANAGE",
        unit_id="unit",
        alias_id=Lit("1"),
    ),
    api("GET /api/v1/me", gate=SIGNED_IN),
    # people: logins and roles (decision 81)
    api("POST /api/v1/people/{person_id}/login", "MANAGE", person_id="person", data={}),
    api("POST /api/v1/people/{person_id}/login/link", "MANAGE", person_id="person", data={}),
    api("POST /api/v1/logins", gate=ORGANISERS, data={"person_ids": [1]}),
    api("GET /api/v1/people/{person_id}/roles", "MANAGE", person_id="person"),
    api(
        "POST /api/v1/people/{person_id}/roles",
        "MANAGE",
        person_id="person",
        data={"role": "coach", "unit_id": Ref("unit")},
        refused=REFERENCE,
    ),
    api(
        "DELETE /api/v1/people/{person_id}/roles/{role_id}",
        "MANAGE",
        person_id="person",
        role_id=Lit("1"),
    ),
    api("GET /api/v1/roles", gate=ORGANISERS),
    # programmes
    api("GET /api/v1/programmes", gate=SIGNED_IN),
    api(
        "POST /api/v1/programmes",
        gate=ORGANISERS,
        data={
            "title": "X",
            "organiser_unit_id": Ref("unit"),
            "coaching_unit_id": Ref("unit"),
            "start_date": "2026-12-01",
            "end_date": "2026-12-31",
        },
        refused=REFERENCE,
    ),
    api("GET /api/v1/programmes/{programme_id}", "SEE", programme_id="programme"),
    api(
        "PATCH /api/v1/programmes/{programme_id}",
        "MANAGE",
        programme_id="programme",
        data={"title": "Y"},
    ),
    api(
        "POST /api/v1/programmes/{programme_id}/modules",
        "MANAGE",
        programme_id="programme",
        data={"title": "M"},
    ),
    api(
        "PATCH /api/v1/programmes/{programme_id}/modules/{module_id}",
        "MANAGE",
        programme_id="programme",
        module_id="module",
        data={"title": "M2"},
    ),
    api("GET /api/v1/groups", gate=SIGNED_IN, filters={"programme": "programme"}),
    api("GET /api/v1/groups/{group_id}", "SEE", group_id="group"),
    api(
        "POST /api/v1/programmes/{programme_id}/groups",
        "MANAGE",
        programme_id="programme",
        data={"name": "G"},
    ),
    api("GET /api/v1/enrolments", gate=SIGNED_IN, filters={"group": "group"}),
    api(
        "POST /api/v1/enrolments",
        "MANAGE",
        data={"group_id": Ref("group"), "person_id": Ref("person")},
        refused=REFERENCE,
    ),
    api(
        "POST /api/v1/groups/{group_id}/enrolments",
        "MANAGE",
        group_id="group",
        data={"nips": ["196803032000121003"]},
    ),
    api(
        "POST /api/v1/programmes/{programme_id}/enrolments/move",
        "MANAGE",
        programme_id="programme",
        data={"enrolment_ids": [1], "to_group_id": Ref("group"), "reason": "R"},
        refused=REFERENCE,
    ),
    api(
        "POST /api/v1/programmes/{programme_id}/enrolments/withdraw",
        "MANAGE",
        programme_id="programme",
        data={"enrolment_ids": [1], "reason": "R"},
    ),
    api("GET /api/v1/enrolments/{enrolment_id}", "SEE", enrolment_id="enrolment"),
    api(
        "POST /api/v1/enrolments/{enrolment_id}/move",
        "MANAGE",
        enrolment_id="enrolment",
        data={"to_group_id": Ref("group"), "reason": "R"},
        refused=REFERENCE,
    ),
    api(
        "POST /api/v1/enrolments/{enrolment_id}/withdraw",
        "MANAGE",
        enrolment_id="enrolment",
        data={"reason": "R"},
    ),
    api("GET /api/v1/sessions", gate=SIGNED_IN, filters={"group": "group"}),
    api(
        "POST /api/v1/sessions",
        "MANAGE",
        data={"group_id": Ref("group"), "starts_at": MOMENT, "ends_at": LATER},
        refused=REFERENCE,
    ),
    api("GET /api/v1/sessions/{session_id}", "SEE", session_id="session"),
    api("PATCH /api/v1/sessions/{session_id}", "MANAGE", session_id="session", data={"venue": "V"}),
    api(
        "POST /api/v1/sessions/{session_id}/cancel",
        "MANAGE",
        session_id="session",
        data={"reason": "R"},
    ),
    api(
        "POST /api/v1/sessions/{session_id}/move",
        "MANAGE",
        session_id="session",
        data={"starts_at": MOMENT, "ends_at": LATER, "reason": "R"},
    ),
    # competence
    api("GET /api/v1/competence/frameworks", gate=SIGNED_IN),
    api(
        "POST /api/v1/competence/frameworks",
        gate=ORGANISERS,
        data={"code": "x-new", "name": {"en": "X"}, "levels": [], "areas": []},
        refused=frozenset({403, 404, 422}),
    ),
    api(
        "GET /api/v1/competence/frameworks/{framework_id}",
        framework_id="framework",
        gate=SIGNED_IN,
    ),
    api("GET /api/v1/competence/instruments", gate=SIGNED_IN, filters={"programme": "programme"}),
    # Participants read their programme's instruments to take them (without the answers).
    api("GET /api/v1/competence/instruments/{instrument_id}", "SEE", instrument_id="instrument"),
    api(
        "GET /api/v1/competence/administrations",
        gate=SIGNED_IN,
        filters={"instrument": "instrument"},
    ),
    api(
        "GET /api/v1/competence/administrations/{administration_id}",
        "SEE",
        administration_id="administration",
    ),
    api(
        "POST /api/v1/competence/administrations/{administration_id}/submission",
        "OWN",
        administration_id="administration",
    ),
    # Staff who see the administration but have no attempt are told to start one (409).
    api(
        "PUT /api/v1/competence/administrations/{administration_id}/answers",
        "OWN",
        administration_id="administration",
        data={"answers": {}},
        refused=NOT_STARTED,
    ),
    api(
        "POST /api/v1/competence/administrations/{administration_id}/submit",
        "OWN",
        administration_id="administration",
        refused=NOT_STARTED,
    ),
    api(
        "GET /api/v1/competence/submissions",
        gate=SIGNED_IN,
        filters={"administration": "administration"},
    ),
    api("GET /api/v1/competence/submissions/{submission_id}", "SEE", submission_id="attempt"),
    # A participant's results are their own rows only.
    api(
        "GET /api/v1/competence/instruments/{instrument_id}/results",
        "SEE",
        instrument_id="instrument",
    ),
    api(
        "PUT /api/v1/competence/programmes/{programme_id}/framework",
        "MANAGE",
        programme_id="programme",
        data={"framework_id": Ref("framework")},
        refused=REFERENCE,
    ),
    api(
        "POST /api/v1/competence/programmes/{programme_id}/instruments",
        "MANAGE",
        programme_id="programme",
        data={"kind": "self", "title": "T"},
    ),
    api(
        "POST /api/v1/competence/instruments/{instrument_id}/items",
        "MANAGE",
        instrument_id="instrument",
        data={"items": []},
        refused=REFERENCE,
    ),
    api(
        "POST /api/v1/competence/instruments/{instrument_id}/administrations",
        "MANAGE",
        instrument_id="instrument",
        data={"phase": "post", "opens_at": MOMENT, "closes_at": LATER},
    ),
    # attendance
    # A participant's list holds their own record only.
    api("GET /api/v1/attendance/sessions/{session_id}/records", "SEE", session_id="session"),
    api("GET /api/v1/attendance/people/{person_id}/records", "SEE", person_id="person"),
    api("GET /api/v1/attendance/records/{record_id}", "SEE", record_id="record"),
    api(
        "PUT /api/v1/attendance/sessions/{session_id}/records/{person_id}",
        "RUN",
        session_id="session",
        person_id="person",
        data={"status": "alpa"},
    ),
    api("POST /api/v1/attendance/sessions/{session_id}/close", "RUN", session_id="session"),
    api("GET /api/v1/attendance/absence-requests", gate=SIGNED_IN, filters={"session": "session"}),
    api(
        "POST /api/v1/attendance/absence-requests",
        "OWN",
        data={"session_id": Ref("session"), "status": "izin", "reason": "R"},
        refused=REFERENCE,
    ),
    api(
        "POST /api/v1/attendance/absence-requests/{request_id}/decision",
        "MANAGE",
        request_id="absence",
        data={"approve": True},
    ),
    api(
        "POST /api/v1/attendance/check-in",
        "OWN",
        data={"session_id": Ref("session"), "code": "ABC123", "device_id": "d" * 16},
        refused=REFERENCE | {400},
        logged=STAFF_OF_SESSION,
    ),
    api(
        "POST /api/v1/attendance/sessions/{session_id}/check-in/{person_id}",
        "RUN",
        session_id="session",
        person_id="person",
        data={},
    ),
    api(
        "GET /api/v1/attendance/programmes/{programme_id}/policy",
        "SEE",
        programme_id="programme",
    ),
    api(
        "PUT /api/v1/attendance/programmes/{programme_id}/policy",
        "MANAGE",
        programme_id="programme",
        data=POLICY_JSON,
    ),
    api("GET /api/v1/attendance/sessions/{session_id}/venue", "SEE", session_id="session"),
    api(
        "PUT /api/v1/attendance/sessions/{session_id}/venue",
        "MANAGE",
        session_id="session",
        data={
            "venue": "Elsewhere",
            "address": "Jl. Contoh 1",
            "online_url": "",
            "latitude": -1.5,
            "longitude": 101.1,
            "radius_m": 150,
            "opens_before_min": None,
            "closes_after_min": None,
        },
    ),
    # notices (decision 93)
    api(
        "GET /api/v1/notices/programmes/{programme_id}/deliveries",
        "RUN",
        programme_id="programme",
    ),
    api("GET /api/v1/notices/preferences", gate=PEOPLE),
    api("PUT /api/v1/notices/preferences", gate=PEOPLE, data={"email": ["test_opening"]}),
]

ROUTES: dict[str, Route] = {r.key: r for r in PAGES + API}
assert len(ROUTES) == len(PAGES) + len(API), "a route is listed twice"
