"""Fixtures of the competence tests: the personas' programme working to the Indonesian
digital-literacy framework, with a knowledge test given as an open pre-test."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cakap.competence import services
from cakap.competence.models import Administration, Framework, Instrument, Item
from cakap.competence.services import ItemSpec

LITERACY = "literasi-digital-4-pilar"

QUIZ = [
    ItemSpec("CD", "single", "Which app sends letters?", ["e-Kinerja", "SRIKANDI", "SIASN"], [1]),
    ItemSpec("CD", "true_false", "A PDF can be signed with TTE.", [], [0]),
    ItemSpec("ED", "multiple", "Good netiquette?", ["Greet", "ALL CAPS", "Reply in time"], [0, 2]),
    ItemSpec("ED", "true_false", "Forwarding a hoax is harmless.", [], [1]),
    ItemSpec("AD", "single", "A strong password is…", ["long and unique", "your birth date"], [0]),
    ItemSpec("AD", "true_false", "Sharing your OTP with a colleague is safe.", [], [1]),
    ItemSpec("BD", "true_false", "Bhinneka Tunggal Ika applies online too.", [], [0]),
    ItemSpec("BD", "single", "Before posting you should…", ["check the source", "post fast"], [0]),
]


@pytest.fixture
def shipped(db) -> None:
    """The shipped frameworks come from a data migration; a transactional test elsewhere
    in the suite flushes the database, so load them again when they are gone."""
    if Framework.objects.filter(builtin=True).count() < 2:
        services.load_shipped_frameworks()


@pytest.fixture
def literacy(shipped) -> Framework:
    return Framework.objects.get(code=LITERACY)


@pytest.fixture
def digcomp(shipped) -> Framework:
    return Framework.objects.get(code="digcomp-2-2")


def make_quiz(world, literacy, *, time_limit=None, phases=("pre",)):
    services.set_programme_framework(world.programme, literacy, acting_user=world.organiser)
    instrument = services.create_instrument(
        world.programme,
        kind=Instrument.Kind.KNOWLEDGE,
        title="Kuis literasi digital",
        time_limit_minutes=time_limit,
        acting_user=world.organiser,
    )
    items = services.add_items(instrument, QUIZ, acting_user=world.organiser)
    now = timezone.now()
    administrations = {
        phase: services.create_administration(
            instrument,
            phase=phase,
            opens_at=now - datetime.timedelta(hours=1),
            closes_at=now + datetime.timedelta(hours=2),
            acting_user=world.organiser,
        )
        for phase in phases
    }
    return SimpleNamespace(
        instrument=instrument,
        items=items,
        pre=administrations.get("pre"),
        post=administrations.get("post"),
    )


@pytest.fixture
def quiz(world, literacy):
    return make_quiz(world, literacy)


def right_answer(item: Item) -> list[int]:
    return list(item.correct)


def wrong_answer(item: Item) -> list[int]:
    if item.kind == Item.Kind.TRUE_FALSE:
        return [1 - item.correct[0]]
    return [next(i for i in range(len(item.options)) if i not in item.correct)]


def take(user, administration: Administration, answers: dict[int, list[int]]):
    """Start, answer and submit through the services."""
    attempt = services.start_attempt(administration, acting_user=user)
    services.save_answers(attempt, answers, acting_user=user)
    return services.submit_attempt(attempt, acting_user=user)


@pytest.fixture
def scored(world, quiz):
    """Both participants have submitted the pre-test: one all right, one all wrong."""
    take(world.participant, quiz.pre, {i.pk: right_answer(i) for i in quiz.items})
    take(world.other_participant, quiz.pre, {i.pk: wrong_answer(i) for i in quiz.items})
    return quiz
