"""What happened to each person in a bulk enrolment, move or withdrawal, or what would
happen in a preview, with the sentence a page or the API shows for it. Pure: no
database; the writes are in services/enrolments.py, the preview in queries.py."""

from typing import TypeAlias

from django.db import models
from django.utils.translation import gettext as _


class EnrolmentOutcome(models.TextChoices):
    """Django's choices (an enum, nothing stored), so that the API names its component
    after the class like every other enum (decision 66)."""

    # Writes: the first of each pair changed something, the second found it done.
    ENROLLED = "enrolled"
    MOVED = "moved"
    ALREADY_MOVED = "already_moved"
    WITHDRAWN = "withdrawn"
    ALREADY_WITHDRAWN = "already_withdrawn"
    # Nothing to do, or refused for this person only.
    ALREADY_IN_GROUP = "already_in_group"
    IN_OTHER_GROUP = "in_other_group"
    NOT_ACTIVE = "not_active"
    NOT_FOUND = "not_found"
    UNKNOWN_PERSON = "unknown_person"
    # Only in a preview of pasted NIPs (and the API's dry run).
    WILL_ENROL = "will_enrol"
    UNKNOWN_NIP = "unknown_nip"
    OUT_OF_SCOPE = "out_of_scope"
    MALFORMED = "malformed"
    REPEATED = "repeated"


Outcome: TypeAlias = EnrolmentOutcome  # noqa: UP040 the API names an enum for its class

CHANGED = frozenset({Outcome.ENROLLED, Outcome.MOVED, Outcome.WITHDRAWN})
# Outcomes that need no action from the organiser: done now, done before, or will be done.
FINE = CHANGED | {
    Outcome.ALREADY_MOVED,
    Outcome.ALREADY_WITHDRAWN,
    Outcome.ALREADY_IN_GROUP,
    Outcome.WILL_ENROL,
    Outcome.REPEATED,
}


def outcome_message(outcome: Outcome, *, group: str = "", line: int | None = None) -> str:
    """The sentence for `outcome`; `group` names the group it concerns (the person's
    current one, or the target of a move), `line` the earlier line of a repeat."""
    messages = {
        Outcome.ENROLLED: _("Enrolled in this group."),
        Outcome.MOVED: _("Moved to group %(group)s."),
        Outcome.ALREADY_MOVED: _("Already moved to group %(group)s earlier."),
        Outcome.WITHDRAWN: _("Withdrawn."),
        Outcome.ALREADY_WITHDRAWN: _("Already withdrawn earlier."),
        Outcome.ALREADY_IN_GROUP: _("Already in group %(group)s."),
        Outcome.IN_OTHER_GROUP: _(
            "Already in group %(group)s of this programme; move them from there instead."
        ),
        Outcome.NOT_ACTIVE: _("This enrolment has already ended."),
        Outcome.NOT_FOUND: _("No such enrolment in this programme."),
        Outcome.UNKNOWN_PERSON: _("Nobody you may enrol has this id."),
        Outcome.WILL_ENROL: _("Will be enrolled."),
        Outcome.UNKNOWN_NIP: _(
            "Nobody in Cakap has this NIP; add the person or import them first."
        ),
        Outcome.OUT_OF_SCOPE: _("This person is outside your units; you cannot enrol them."),
        Outcome.MALFORMED: _("This is not a valid NIP."),
        Outcome.REPEATED: _("Repeats line %(line)s; counted once."),
    }
    return messages[outcome] % {"group": group, "line": line}
