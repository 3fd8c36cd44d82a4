"""What is measured: framework versions (loaded from files), assessment periods, per-indicator
levels of each agency, and the national evaluation's published results.

The numbers — indices and predicates — are never stored here: assessments.scoring computes them
from these levels and the framework definition, everywhere the same way.
"""

import re
from functools import cached_property

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

from .scoring import Framework as ScoringFramework
from .stored_files import StoredFile, random_file_name


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
    """One loaded content of a framework file. Its scoring content is immutable once a period uses it:
    such a change becomes a new version, while a change of texts only is applied in place
    (assessments.services.framework_load)."""

    framework = models.ForeignKey(Framework, verbose_name=_("framework"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    regulation = models.TextField(_("regulation"))
    index_name = models.CharField(
        _("index name"), max_length=60, blank=True, help_text=_("The name of the index it measures, e.g. Indeks SPBE or Indeks Pemdi.")
    )
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

    @property
    def index_label(self):
        """The index's own name (the framework file's index_name), for every surface."""
        return self.index_name or _("Index")

    @property
    def series_label(self):
        """One series per framework: its index name and the regulation it is measured by, short
        ("Indeks SPBE (PermenPANRB 59/2020)": the parenthesis of the framework's name, else the name)."""
        short = re.search(r"\(([^()]+)\)\s*$", self.name)
        return f"{self.index_label} ({short.group(1)})" if short else f"{self.index_label} — {self.name}"

    def covers_year(self, year):
        return (self.first_year is None or self.first_year <= year) and (self.last_year is None or year <= self.last_year)


_SCORING_CACHE: dict[tuple[int, str], ScoringFramework] = {}


def scoring_framework(version_id, content_sha256, definition) -> ScoringFramework:
    """Each process builds each version's content once (a text correction in place is a new content hash)."""
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
    explanation = models.TextField(_("explanation"), blank=True, help_text=_("What the indicator means (the regulation's \"penjelasan\")."))
    evidence_items = models.JSONField(
        _("evidence items"), default=dict, blank=True,
        help_text=_("Per level, the evidence items the national evaluation checks (code and text of each)."),
    )
    evidence_items_source = models.CharField(
        _("source of the evidence items"), max_length=300, blank=True,
        help_text=_("Where the items' wording comes from, e.g. drafted by the portal (not official)."),
    )

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


class PeriodStage(models.Model):
    """A stage of the national evaluation after the self-assessment and the province's own
    verification (whose dates are the period's own fields): document assessment, interview, the
    optional visitation, and the final result. Dates in order: assessments.services.stages."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document assessment")
        INTERVIEW = "interview", _("Interview")
        VISIT = "visit", _("Visitation")
        FINAL = "final", _("Final result")

    period = models.ForeignKey(AssessmentPeriod, verbose_name=_("period"), on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField(_("stage"), max_length=10, choices=Kind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("evaluation stage")
        verbose_name_plural = _("evaluation stages")
        ordering = ["period", "starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["period", "kind"], name="one_stage_of_a_kind_per_period"),
            models.CheckConstraint(condition=models.Q(starts_on__lte=models.F("ends_on")), name="stage_starts_before_it_ends"),
        ]

    def __str__(self):
        return f"{self.period} · {self.get_kind_display()}"


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
    """One indicator of an assessment (an "item"): the officer's current revision (level,
    justification, target), its review state, and what the province verified.

    The verified level is the highest level whose evidence, and that of every level below it, the
    province accepted (``accepted_levels``). Changes go through assessments.workflow, which keeps
    ``version`` for optimistic locking and writes an ItemEvent for each."""

    class State(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        ACCEPTED = "accepted", _("Accepted")

    assessment = models.ForeignKey(Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(FrameworkNode, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.NOT_STARTED, db_index=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    level = models.PositiveSmallIntegerField(_("self-assessed level"), null=True, blank=True)
    verified_level = models.PositiveSmallIntegerField(_("verified level"), null=True, blank=True)
    accepted_levels = models.JSONField(_("accepted levels"), default=list, blank=True)
    item_reviews = models.JSONField(
        _("evidence item reviews"), default=dict, blank=True,
        help_text=_("Per evidence item code, the province's last decision: state, note, by, at (each change is also an event)."),
    )
    target_level = models.PositiveSmallIntegerField(_("target level"), null=True, blank=True)
    justification = models.TextField(_("justification"), blank=True)
    person_in_charge = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person in charge"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    unit_in_charge = models.ForeignKey(
        Agency, verbose_name=_("unit in charge"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_note = models.TextField(_("review note"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned reviewer"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text=_("The provincial reviewer who took the item, or to whom a colleague assigned it."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, db_index=True)
    # An externally scored indicator's value: the source agency's index, entered or imported by the
    # province (assessments.services.external), never claimed by the officer.
    external_value = models.DecimalField(_("external value"), max_digits=3, decimal_places=2, null=True, blank=True)
    external_reference = models.CharField(
        _("source of the value"), max_length=200, blank=True, help_text=_("E.g. Hasil Evaluasi Satu Data Indonesia 2025.")
    )
    external_dated = models.DateField(_("date of the source's result"), null=True, blank=True)
    external_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("value entered by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    external_entered_at = models.DateTimeField(_("value entered at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("indicator assessment")
        verbose_name_plural = _("indicator assessments")
        ordering = ["assessment", "indicator__position"]
        constraints = [models.UniqueConstraint(fields=["assessment", "indicator"], name="unique_item_per_indicator")]

    def __str__(self):
        return f"{self.assessment} — {self.indicator.code}"

    @property
    def is_editable_by_officer(self):
        return self.state in (self.State.NOT_STARTED, self.State.DRAFT, self.State.RETURNED, self.State.SUBMITTED)


class IndicatorRevision(models.Model):
    """A closed revision of an item: what the officer had claimed when it was superseded."""

    item = models.ForeignKey(IndicatorAssessment, verbose_name=_("item"), on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    state = models.CharField(_("state at the end"), max_length=12, choices=IndicatorAssessment.State.choices)
    level = models.PositiveSmallIntegerField(_("self-assessed level"), null=True, blank=True)
    target_level = models.PositiveSmallIntegerField(_("target level"), null=True, blank=True)
    justification = models.TextField(_("justification"), blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    evidence = models.JSONField(_("evidence at the time"), default=list, blank=True)
    closed_at = models.DateTimeField(_("closed at"), auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["item", "-number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="unique_revision_number")]


def evidence_path(instance, filename):
    """Private storage path: a random name, never the uploaded one. (Named in migrations.)"""
    return random_file_name(instance.storage_folder(), filename)


class Evidence(StoredFile):
    """A supporting document (bukti dukung) of an item, tagged with the level it supports: an
    uploaded file (a StoredFile: checked, kept privately and served only through a
    permission-checked view), or a link — so the file's fields may be blank here."""

    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")

    item = models.ForeignKey(IndicatorAssessment, verbose_name=_("item"), on_delete=models.CASCADE, related_name="evidence")
    level = models.PositiveSmallIntegerField(_("supports level"))
    item_code = models.CharField(
        _("evidence item"), max_length=40, blank=True, help_text=_("The framework's evidence item this supports; blank where it lists none.")
    )
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    file = models.FileField(_("file"), upload_to=evidence_path, blank=True, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=120, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["item", "level", "uploaded_at"]

    def __str__(self):
        return self.original_name or self.url

    def storage_folder(self):
        return f"evidence/{self.item.assessment.period_id}/{self.item.assessment.agency.code}"

    @property
    def label(self):
        return self.description or self.original_name or self.url


class ItemEvent(models.Model):
    """Every change of an item: who, when, from-state, to-state, what, note."""

    class Action(models.TextChoices):
        SAVED = "saved", _("Saved as draft")
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned for revision")
        ACCEPTED = "accepted", _("Accepted")
        REVISION_OPENED = "revision_opened", _("New revision opened")
        EVIDENCE_ADDED = "evidence_added", _("Evidence added")
        EVIDENCE_REMOVED = "evidence_removed", _("Evidence removed")
        ASSIGNED = "assigned", _("Person in charge assigned")
        REVIEWER_ASSIGNED = "reviewer_assigned", _("Reviewer assigned")
        TARGET_SET = "target_set", _("Target level set")
        VERIFIED_LOWERED = "verified_lowered", _("Verified level lowered")
        EVIDENCE_ITEM_ACCEPTED = "item_accepted", _("Evidence item accepted")
        EVIDENCE_ITEM_RETURNED = "item_returned", _("Evidence item returned")
        EXTERNAL_VALUE_SET = "external_value_set", _("External value entered")
        STAGE_RESULT_SET = "stage_result_set", _("National stage result entered")

    item = models.ForeignKey(IndicatorAssessment, verbose_name=_("item"), on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_state = models.CharField(_("from"), max_length=12, choices=IndicatorAssessment.State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=12, choices=IndicatorAssessment.State.choices, blank=True)
    revision = models.PositiveIntegerField(_("revision"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("item event")
        verbose_name_plural = _("item events")
        ordering = ["-at", "-pk"]


class StageResult(models.Model):
    """What the national assessors found for one indicator of one agency in one stage: the level
    (or, for an externally scored indicator, the value), their note and their recommendation. Each
    indicator's ledger reads these after the self-assessed and the verified level."""

    item = models.ForeignKey(IndicatorAssessment, verbose_name=_("item"), on_delete=models.CASCADE, related_name="stage_results")
    stage = models.CharField(_("stage"), max_length=10, choices=PeriodStage.Kind.choices)
    level = models.PositiveSmallIntegerField(_("assessors' level"), null=True, blank=True)
    value = models.DecimalField(_("assessors' value"), max_digits=3, decimal_places=2, null=True, blank=True,
                                help_text=_("For an externally scored indicator: the value the assessors used."))
    note = models.TextField(_("assessors' note"), blank=True)
    recommendation = models.TextField(_("recommendation"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    class Meta:
        verbose_name = _("stage result")
        verbose_name_plural = _("stage results")
        ordering = ["item", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["item", "stage"], name="one_result_per_item_and_stage"),
            models.CheckConstraint(condition=models.Q(level__isnull=True) | models.Q(value__isnull=True), name="stage_result_level_or_value"),
        ]

    def __str__(self):
        return f"{self.item} · {self.get_stage_display()}"

    @property
    def score(self):
        """What counts in the stage's index: the value of an externally scored indicator, else the level."""
        return self.value if self.value is not None else self.level


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


class PublishedResultEvent(models.Model):
    """A correction of an imported published result: who, when, from which index to which, why."""

    result = models.ForeignKey(PublishedResult, verbose_name=_("published result"), on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    from_index = models.DecimalField(_("from index"), max_digits=3, decimal_places=2)
    to_index = models.DecimalField(_("to index"), max_digits=3, decimal_places=2)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("published result correction")
        verbose_name_plural = _("published result corrections")
        ordering = ["result", "at", "pk"]

    def __str__(self):
        return f"{self.result}: {self.from_index} → {self.to_index}"


class AssessmentSummary(models.Model):
    """The engine's numbers for one assessment, kept current by assessments.services whenever a
    level or a state changes (in the same transaction), so that pages listing hundreds of agencies
    read one row each instead of recomputing 47 indicators × 3 variants per agency. Never edited by
    hand; `manage.py rebuild_summaries` recomputes them all."""

    assessment = models.OneToOneField(Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="summary")
    period = models.ForeignKey(AssessmentPeriod, verbose_name=_("period"), on_delete=models.CASCADE, related_name="summaries")
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="assessment_summaries")
    self_index = models.DecimalField(_("self-assessed index"), max_digits=3, decimal_places=2)
    verified_index = models.DecimalField(_("verified index"), max_digits=3, decimal_places=2)
    planned_index = models.DecimalField(_("planned index"), max_digits=3, decimal_places=2)
    self_predicate = models.CharField(_("self-assessed predicate"), max_length=40)
    verified_predicate = models.CharField(_("verified predicate"), max_length=40)
    planned_predicate = models.CharField(_("planned predicate"), max_length=40)
    not_started = models.PositiveIntegerField(_("not started"), default=0)
    draft = models.PositiveIntegerField(_("draft"), default=0)
    submitted = models.PositiveIntegerField(_("submitted"), default=0)
    returned = models.PositiveIntegerField(_("returned"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    unassessed = models.PositiveIntegerField(_("indicators without a self-assessed level"), default=0)
    verified_unassessed = models.PositiveIntegerField(_("indicators without a verified level"), default=0)
    planned_unassessed = models.PositiveIntegerField(_("indicators without a target or self-assessed level"), default=0)
    indicator_count = models.PositiveIntegerField(_("indicators of the framework"), default=0)
    oldest_submitted_at = models.DateTimeField(_("oldest submission waiting"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("refreshed at"), auto_now=True)

    class Meta:
        verbose_name = _("assessment summary")
        verbose_name_plural = _("assessment summaries")
        indexes = [models.Index(fields=["period", "verified_index"], name="summary_period_verified")]

    @property
    def filled(self):
        return self.draft + self.submitted + self.returned + self.accepted

    @property
    def total(self):
        return self.not_started + self.filled

    @property
    def self_assessed_count(self):
        return self.indicator_count - self.unassessed

    @property
    def verified_assessed_count(self):
        return self.indicator_count - self.verified_unassessed

    @property
    def planned_assessed_count(self):
        return self.indicator_count - self.planned_unassessed


class ReviewDigest(models.Model):
    """That a reviewer's daily digest of submissions went out on a day: the daily task sends at most
    one per person per day, however often it runs."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    items = models.PositiveIntegerField(_("submissions listed"), default=0)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("review digest")
        verbose_name_plural = _("review digests")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_review_digest_per_user_per_day")]


class StageReminder(models.Model):
    """That a person's daily reminder of a stage ending soon went out on a day: the daily task
    (assessments.services.stage_reminders) sends at most one per person, kind and day, however
    often it runs. ``kind`` is the kind of daily reminder (one, for now: stage deadlines)."""

    class Kind(models.TextChoices):
        STAGE_ENDING = "stage_ending", _("A stage ends soon")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.STAGE_ENDING)
    summary = models.TextField(_("what it listed"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("stage reminder")
        verbose_name_plural = _("stage reminders")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["user", "day", "kind"], name="one_stage_reminder_per_user_day_kind")]
