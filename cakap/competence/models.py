"""Competence frameworks, assessment instruments, their administrations and the scores.

A framework (areas, competences, proficiency levels) is data: two ship with Cakap,
organisers add their own. A programme works to one framework and maps its modules
to competences. An instrument (self-assessment, knowledge test, observation
checklist) is given as a pre-test and/or post-test; each person's attempt keeps
every answer as it is given and, once submitted, one score per competence.
"""

from typing import TypeAlias

from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cakap.people.models import Person, Unit
from cakap.programmes.models import Module, Programme


class Bilingual(models.Model):
    """A name in English and in Indonesian; `label` picks the one of the active language."""

    name = models.CharField(_("name (English)"), max_length=255)
    name_id = models.CharField(_("name (Indonesian)"), max_length=255, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        lang = translation.get_language() or "id"
        if lang.startswith("id") and self.name_id:
            return self.name_id
        return self.name


class Framework(Bilingual):
    """Areas, competences and proficiency levels, e.g. EU DigComp 2.2."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True)
    builtin = models.BooleanField(_("shipped with Cakap"), default=False)
    owner_unit = models.ForeignKey(
        Unit,
        verbose_name=_("owner unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("competence framework")
        verbose_name_plural = _("competence frameworks")
        ordering = ["-builtin", "name", "pk"]

    @property
    def level_range(self) -> tuple[int, int]:
        numbers = [lv.number for lv in self.levels.all()]
        return (min(numbers), max(numbers)) if numbers else (1, 1)


class Level(Bilingual):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="levels")
    number = models.PositiveSmallIntegerField(_("level"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("proficiency level")
        verbose_name_plural = _("proficiency levels")
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="level_unique_number")
        ]


class Area(Bilingual):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(_("code"), max_length=20)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("competence area")
        verbose_name_plural = _("competence areas")
        ordering = ["framework", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="area_unique_code")
        ]


class Competence(Bilingual):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="competences")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="competences")
    code = models.CharField(_("code"), max_length=20)
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(_("description"), blank=True)
    # A published reference value on the framework's own scale (e.g. the national index).
    reference_value = models.DecimalField(
        _("reference value"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("competence")
        verbose_name_plural = _("competences")
        ordering = ["framework", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="competence_unique_code")
        ]

    @property
    def short(self) -> str:
        return f"{self.code} {self.label}"


class ProgrammeFramework(models.Model):
    """The framework a programme works to (at most one)."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="competence_framework"
    )
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("programme framework")
        verbose_name_plural = _("programme frameworks")

    def __str__(self) -> str:
        return f"{self.programme_id} → {self.framework_id}"


class ModuleCompetence(models.Model):
    """A programme module teaches a competence of the programme's framework."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="+")
    competence = models.ForeignKey(Competence, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("module competence")
        verbose_name_plural = _("module competences")
        constraints = [
            models.UniqueConstraint(fields=["module", "competence"], name="modulecompetence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.module_id} → {self.competence_id}"


class Instrument(models.Model):
    class InstrumentKind(models.TextChoices):
        SELF = "self", _("Self-assessment")
        KNOWLEDGE = "knowledge", _("Knowledge test")
        OBSERVATION = "observation", _("Practical observation")

    Kind: TypeAlias = InstrumentKind  # noqa: UP040 the API names an enum for its class

    class Scale(models.TextChoices):
        LEVELS = "levels", _("The framework's levels")
        LIKERT = "likert", _("Likert scale (1-5)")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    scale = models.CharField(
        _("answer scale"), max_length=8, choices=Scale.choices, default=Scale.LEVELS
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["programme", "title", "pk"]

    def __str__(self) -> str:
        return self.title


class Item(models.Model):
    """A statement, a question or a checklist line, tagged with one competence."""

    class ItemKind(models.TextChoices):
        STATEMENT = "statement", _("Statement (self-assessment)")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")
        CHECK = "check", _("Checklist line (observation)")

    Kind: TypeAlias = ItemKind  # noqa: UP040 the API names an enum for its class

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text = models.TextField(_("text"))
    # Options of a choice question; true/false questions use [True, False] implicitly.
    options = models.JSONField(_("options"), default=list, blank=True)
    # Indexes into options of the right answers (true/false: [0] true, [1] false).
    correct = models.JSONField(_("correct answers"), default=list, blank=True)
    points = models.PositiveSmallIntegerField(_("points"), default=1)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["instrument", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Administration(models.Model):
    """An instrument given to a programme's participants as a pre-test or post-test."""

    class Phase(models.TextChoices):
        PRE = "pre", _("Pre-test")
        POST = "post", _("Post-test")

    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="administrations"
    )
    phase = models.CharField(_("phase"), max_length=4, choices=Phase.choices)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    created_by = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("administration")
        verbose_name_plural = _("administrations")
        ordering = ["opens_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "phase"], name="administration_phase"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="administration_closes_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} ({self.get_phase_display()})"


class Attempt(models.Model):
    """One person's taking of one administration (or a coach's observation of them)."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="attempts"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    observer = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"))
    deadline = models.DateTimeField(_("time is up at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Scored by the system after closing time or the time limit, with the saved answers.
    closed_automatically = models.BooleanField(_("closed automatically"), default=False)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["administration", "person__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["administration", "person"], name="attempt_once")
        ]

    def __str__(self) -> str:
        return f"{self.administration_id}/{self.person_id}"


class Answer(models.Model):
    """The latest answer to one item. Values are option indexes or a scale value."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField(default=list)
    answered_at = models.DateTimeField()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["attempt", "item"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.item_id}={self.value}"


class CompetenceScore(models.Model):
    """The score of a submitted attempt on one competence: earned of possible points,
    as a percentage, and the framework level it maps to."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="scores")
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="+")
    earned = models.DecimalField(max_digits=9, decimal_places=2)
    possible = models.DecimalField(max_digits=9, decimal_places=2)
    percent = models.DecimalField(max_digits=5, decimal_places=1)
    level = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("competence score")
        verbose_name_plural = _("competence scores")
        constraints = [models.UniqueConstraint(fields=["attempt", "competence"], name="score_once")]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.competence_id}={self.percent}"
