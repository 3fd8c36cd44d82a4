"""What is measured: framework versions (loaded from files), assessment periods, per-indicator
levels of each agency, and the national evaluation's published results.

The numbers — indices and predicates — are never stored here: assessments.scoring computes them
from these levels and the framework definition, everywhere the same way.
"""

from functools import cached_property

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

from .scoring import Framework as ScoringFramework


class Framework(models.Model):
    """A regulation's evaluation framework, e.g. PERMENPANRB-59-2020. Its content lives in versions."""

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        ordering = ["code"]

    def __str__(self):
        return self.name


class FrameworkVersion(models.Model):
    """One loaded content of a framework file. Immutable once a period uses it: a changed file then
    becomes a new version (assessments.services.framework_load)."""

    framework = models.ForeignKey(Framework, verbose_name=_("framework"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    regulation = models.TextField(_("regulation"))
    source_note = models.TextField(_("source note"), blank=True)
    first_year = models.PositiveIntegerField(_("first evaluation year"), null=True, blank=True)
    last_year = models.PositiveIntegerField(_("last evaluation year"), null=True, blank=True)
    content_sha256 = models.CharField(_("content SHA-256"), max_length=64)
    definition = models.JSONField(_("definition"))
    source_file = models.CharField(_("source file"), max_length=255, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("loaded by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("framework version")
        verbose_name_plural = _("framework versions")
        ordering = ["framework__code", "-number"]
        constraints = [models.UniqueConstraint(fields=["framework", "number"], name="unique_framework_version")]

    def __str__(self):
        return f"{self.name} (v{self.number})"

    @cached_property
    def scoring(self) -> ScoringFramework:
        """The engine's view of this version (built once per object)."""
        return scoring_framework(self.pk, self.content_sha256, self.definition)

    @property
    def scale(self):
        return range(self.definition["scale"]["min"], self.definition["scale"]["max"] + 1)

    def covers_year(self, year):
        return (self.first_year is None or self.first_year <= year) and (self.last_year is None or year <= self.last_year)


_SCORING_CACHE: dict[tuple[int, str], ScoringFramework] = {}


def scoring_framework(version_id, content_sha256, definition) -> ScoringFramework:
    """Framework versions in use never change, so each process builds each one once."""
    key = (version_id, content_sha256)
    if key not in _SCORING_CACHE:
        _SCORING_CACHE[key] = ScoringFramework.from_definition(definition)
    return _SCORING_CACHE[key]


class FrameworkNode(models.Model):
    """A domain, aspect or indicator of a framework version (the tiers are the file's)."""

    version = models.ForeignKey(FrameworkVersion, verbose_name=_("framework version"), on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey("self", verbose_name=_("parent"), on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=300)
    tier = models.CharField(_("tier"), max_length=30)
    tier_label = models.CharField(_("tier label"), max_length=60)
    depth = models.PositiveSmallIntegerField(_("depth"))
    position = models.PositiveIntegerField(_("position"), help_text=_("Order in the framework file."))
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=4)
    is_indicator = models.BooleanField(_("indicator"), default=False)
    level_scale = models.CharField(_("level scale"), max_length=30, blank=True)
    externally_scored = models.BooleanField(
        _("externally scored"), default=False, help_text=_("Its level comes from another institution's evaluation.")
    )
    external_source = models.CharField(_("external source"), max_length=200, blank=True)
    criteria = models.JSONField(_("level criteria"), default=dict, blank=True)

    class Meta:
        verbose_name = _("framework item")
        verbose_name_plural = _("framework items")
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="unique_node_code_per_version")]

    def __str__(self):
        return f"{self.code} {self.name}"


class AssessmentPeriod(models.Model):
    """A year's self-assessment on one framework version, with its window and review deadline."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open for self-assessment")
        REVIEW = "review", _("In review")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveIntegerField(_("year"), validators=[MinValueValidator(2018), MaxValueValidator(2100)])
    framework_version = models.ForeignKey(
        FrameworkVersion, verbose_name=_("framework version"), on_delete=models.PROTECT, related_name="periods"
    )
    self_assessment_opens = models.DateField(_("self-assessment opens"))
    self_assessment_closes = models.DateField(_("self-assessment closes"))
    review_deadline = models.DateField(_("review deadline"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PLANNED)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assessment period")
        verbose_name_plural = _("assessment periods")
        ordering = ["-year", "-self_assessment_opens"]
        constraints = [
            models.UniqueConstraint(fields=["year", "framework_version"], name="unique_period_year_framework"),
            models.CheckConstraint(
                condition=models.Q(self_assessment_opens__lte=models.F("self_assessment_closes")),
                name="period_opens_before_it_closes",
            ),
            models.CheckConstraint(
                condition=models.Q(self_assessment_closes__lte=models.F("review_deadline")),
                name="period_review_after_close",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_read_only(self):
        return self.state == self.State.CLOSED


class PeriodEvent(models.Model):
    """A change of a period's state: who, when, from, to, why."""

    period = models.ForeignKey(AssessmentPeriod, verbose_name=_("period"), on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    from_state = models.CharField(_("from"), max_length=10, choices=AssessmentPeriod.State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=10, choices=AssessmentPeriod.State.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("period event")
        verbose_name_plural = _("period events")
        ordering = ["-at", "-pk"]


class Assessment(models.Model):
    """An agency's self-assessment in a period."""

    period = models.ForeignKey(AssessmentPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="assessments")
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="assessments")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["period", "agency__path"]
        constraints = [models.UniqueConstraint(fields=["period", "agency"], name="unique_assessment_per_period")]

    def __str__(self):
        return f"{self.agency.short_name} — {self.period}"


class IndicatorAssessment(models.Model):
    """One indicator of an assessment: the self-assessed level, the level verified by the
    province, and the target."""

    assessment = models.ForeignKey(Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(FrameworkNode, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("self-assessed level"), null=True, blank=True)
    verified_level = models.PositiveSmallIntegerField(_("verified level"), null=True, blank=True)
    target_level = models.PositiveSmallIntegerField(_("target level"), null=True, blank=True)
    justification = models.TextField(_("justification"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("indicator assessment")
        verbose_name_plural = _("indicator assessments")
        ordering = ["assessment", "indicator__position"]
        constraints = [models.UniqueConstraint(fields=["assessment", "indicator"], name="unique_item_per_indicator")]

    def __str__(self):
        return f"{self.assessment} — {self.indicator.code}"


class PublishedResult(models.Model):
    """An agency's index from the national evaluation (KemenPANRB), imported so that history
    exists from before the portal."""

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="published_results")
    year = models.PositiveIntegerField(_("year"))
    framework_version = models.ForeignKey(
        FrameworkVersion, verbose_name=_("framework version"), on_delete=models.PROTECT, related_name="published_results"
    )
    index = models.DecimalField(_("index"), max_digits=3, decimal_places=2)
    source = models.CharField(_("source"), max_length=200, blank=True, help_text=_("E.g. KepmenPANRB 13/2024."))
    levels = models.JSONField(_("levels per indicator"), default=dict, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("published result")
        verbose_name_plural = _("published results")
        ordering = ["agency__path", "-year"]
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="unique_published_result_per_year")]

    def __str__(self):
        return f"{self.agency.short_name} {self.year}: {self.index}"

    @property
    def predicate(self):
        return self.framework_version.scoring.predicate_for(self.index)
