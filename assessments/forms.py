"""Forms of the review workflow: they check the shape of what was typed; the rules are in
assessments.services."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .evidence_files import ACCEPT_ATTRIBUTE


def announce_upload_limit(field):
    """Say the size cap on a file field ("maks. 20 MB", from EVIDENCE_MAX_MB) and hand it to
    static/js/upload-limit.js, which checks a chosen file before anything is sent."""
    limit_mb = settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
    field.help_text = gettext("Max. %(limit)s MB; PDF, PNG, JPEG or an office document.") % {"limit": limit_mb}
    field.max_bytes = settings.EVIDENCE_MAX_BYTES
    field.too_large_message = " ".join([
        gettext("%(name)s is %(size)s MB; the limit is %(limit)s MB.") % {"name": "{name}", "size": "{size}", "limit": limit_mb},
        gettext("Choose a smaller file; nothing else you typed is lost."),
    ])
    field.widget.attrs.update({"data-max-bytes": str(field.max_bytes), "data-too-large": field.too_large_message})
    return field


class ItemForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    level = forms.TypedChoiceField(label=_("Self-assessed level"), coerce=int, required=False, empty_value=None, widget=forms.RadioSelect)
    justification = forms.CharField(label=_("Justification"), required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    target_level = forms.TypedChoiceField(label=_("Target level"), coerce=int, required=False, empty_value=None)
    person_in_charge = forms.ModelChoiceField(label=_("Person in charge"), queryset=None, required=False)
    unit_in_charge = forms.ModelChoiceField(label=_("Unit in charge"), queryset=None, required=False)
    evidence_file = forms.FileField(label=_("Evidence file"), required=False, widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
    evidence_url = forms.URLField(label=_("or a link"), required=False, max_length=500, assume_scheme="https")
    evidence_level = forms.TypedChoiceField(label=_("Supports level"), coerce=int, required=False, empty_value=None)
    evidence_item = forms.ChoiceField(label=_("Evidence item"), required=False)
    evidence_description = forms.CharField(label=_("Description of the evidence"), required=False, max_length=300)

    def __init__(self, *args, scale, people, units, evidence_items=None, **kwargs):
        super().__init__(*args, **kwargs)
        levels = [(level, str(level)) for level in scale]
        self.fields["level"].choices = levels
        self.fields["target_level"].choices = [("", "—")] + levels
        # Where the framework lists evidence items for a level, evidence is attached to an item of it.
        self.item_levels = {int(level): entries for level, entries in (evidence_items or {}).items()}
        self.fields["evidence_level"].choices = [("", "—")] + [pair for pair in levels if pair[0] not in self.item_levels]
        self.item_groups = [
            (gettext("Level %(level)s") % {"level": level}, [(entry["code"], f'{entry["code"]} — {entry["text"]}') for entry in entries])
            for level, entries in sorted(self.item_levels.items())
        ]
        self.fields["evidence_item"].choices = [("", "—")] + self.item_groups
        self.fields["person_in_charge"].queryset = people
        self.fields["unit_in_charge"].queryset = units
        announce_upload_limit(self.fields["evidence_file"])
        for name in ("person_in_charge", "unit_in_charge"):
            self.fields[name].widget.attrs["class"] = "form-select"

    def clean(self):
        cleaned = super().clean()
        has_file, has_url = bool(cleaned.get("evidence_file")), bool(cleaned.get("evidence_url"))
        if has_file and has_url:
            self.add_error("evidence_url", _("Give a file or a link, not both at once."))
        if (has_file or has_url) and cleaned.get("evidence_level") is None and not cleaned.get("evidence_item"):
            if self.item_levels:
                self.add_error("evidence_item", _("Choose the evidence item (or, for a level without items, the level) this evidence supports."))
            else:
                self.add_error("evidence_level", _("Choose the level this evidence supports."))
        return cleaned

    def item_values(self):
        data = self.cleaned_data
        return {key: data.get(key) for key in ("level", "justification", "target_level", "person_in_charge", "unit_in_charge")}

    def evidence_values(self):
        data = self.cleaned_data
        if not (data.get("evidence_file") or data.get("evidence_url")):
            return None
        return {
            "level": None if data.get("evidence_item") else data["evidence_level"],
            "item_code": data.get("evidence_item") or "",
            "upload": data.get("evidence_file"),
            "url": data.get("evidence_url") or "",
            "description": data.get("evidence_description") or "",
        }


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    accepted_levels = forms.TypedMultipleChoiceField(
        label=_("Levels whose evidence is accepted"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Note to the officer"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=3000)

    def __init__(self, *args, claimed_level, evidence_items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accepted_levels"].choices = [(level, str(level)) for level in range(1, (claimed_level or 0) + 1)]
        # One decision and note per evidence item of the claimed levels (fields item-<code>, note-<code>).
        self.item_codes = [
            entry["code"] for level, entries in sorted((evidence_items or {}).items(), key=lambda pair: int(pair[0]))
            if int(level) <= (claimed_level or 0) for entry in entries
        ]
        for code in self.item_codes:
            self.fields[f"item-{code}"] = forms.ChoiceField(
                label=code, required=False, choices=[("", "—"), ("accepted", _("Accept")), ("returned", _("Return"))])
            self.fields[f"note-{code}"] = forms.CharField(label=_("Note on %(code)s") % {"code": code}, required=False, max_length=1000)

    def item_decisions(self):
        data = self.cleaned_data
        return {code: (data.get(f"item-{code}") or "", data.get(f"note-{code}") or "") for code in self.item_codes}


class ExternalScoreForm(forms.Form):
    """One value of an externally scored indicator, as province staff type it (2,99 or 2.99)."""

    item = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    value = forms.CharField(label=_("Value"), max_length=10, widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "2,99"}))
    reference = forms.CharField(label=_("Source"), max_length=200, help_text=_("E.g. Hasil Evaluasi Satu Data Indonesia 2025."))
    dated = forms.DateField(label=_("Date of the source's result"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("Reason for a correction"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.visible_fields():
            field.field.widget.attrs.setdefault("class", "form-control")

    def clean_value(self):
        from .services import external_value_parse

        value = external_value_parse(self.cleaned_data["value"])
        if value is None:
            raise forms.ValidationError(gettext("Enter a number such as 2,99."))
        return value


class ExternalImportForm(forms.Form):
    """A CSV or Excel file of external values (assessments.external_scores)."""

    file = forms.FileField(label=_("CSV or Excel file"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))
    reason = forms.CharField(label=_("Reason, when the file corrects entered values"), required=False, max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.visible_fields():
            field.field.widget.attrs.setdefault("class", "form-control")


def _date_field(label, required=True):
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"))


class StageDatesForm(forms.Form):
    """The dates of the national stages (penilaian dokumen, interviu, visitasi optional, hasil
    akhir). Each stage is checked against the one before it with the service's own rule
    (stage_order_problems), so its message stands next to the stage; period_stages_set checks again
    when it writes."""

    document_starts = _date_field(_("Document assessment starts"))
    document_ends = _date_field(_("Document assessment ends"))
    interview_starts = _date_field(_("Interview starts"))
    interview_ends = _date_field(_("Interview ends"))
    visit_starts = _date_field(_("Visitation starts (optional)"), required=False)
    visit_ends = _date_field(_("Visitation ends (optional)"), required=False)
    final_starts = _date_field(_("Final result starts"))
    final_ends = _date_field(_("Final result ends"))

    def __init__(self, *args, period=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.period = period

    def own_dates(self, cleaned):
        """The period's own dates (self-assessment, province verification) as [(kind, start, end)]."""
        from .services.stages import PROVINCE_REVIEW, SELF_ASSESSMENT

        period = self.period
        return [(SELF_ASSESSMENT, period.self_assessment_opens, period.self_assessment_closes),
                (PROVINCE_REVIEW, period.self_assessment_opens, period.review_deadline)]

    def stages(self):
        """{kind: (start, end) or None}, as period_stages_set takes them."""
        from .services import NATIONAL_STAGES

        data = self.cleaned_data
        return {kind: (data[f"{kind}_starts"], data[f"{kind}_ends"]) if data.get(f"{kind}_starts") else None for kind in NATIONAL_STAGES}

    def clean(self):
        from .services import NATIONAL_STAGES, stage_order_problems

        cleaned = super().clean()
        starts, ends = cleaned.get("visit_starts"), cleaned.get("visit_ends")
        if bool(starts) != bool(ends) and not self.errors.get("visit_starts") and not self.errors.get("visit_ends"):
            self.add_error("visit_ends" if starts else "visit_starts", gettext("The visitation needs both dates, or neither."))
        own = self.own_dates(cleaned)
        if own is None:
            return cleaned
        previous = own[-1]
        for kind in NATIONAL_STAGES:
            start, end = cleaned.get(f"{kind}_starts"), cleaned.get(f"{kind}_ends")
            if not (start and end):
                continue
            for problem in stage_order_problems([previous, (kind, start, end)]):
                self.add_error(f"{kind}_starts", problem)
            previous = (kind, start, end)
        return cleaned


class PeriodForm(StageDatesForm):
    """A new period: name, year, framework version, its own dates and the national stages."""

    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("E.g. Pemdi 2028."))
    year = forms.IntegerField(label=_("Year"), min_value=2018, max_value=2100)
    framework_version = forms.ModelChoiceField(label=_("Framework version"), queryset=None)
    self_assessment_opens = _date_field(_("Self-assessment opens"))
    self_assessment_closes = _date_field(_("Self-assessment closes"))
    review_deadline = _date_field(_("Province verification ends (review deadline)"))

    field_order = ["name", "year", "framework_version", "self_assessment_opens", "self_assessment_closes", "review_deadline"]

    def __init__(self, *args, **kwargs):
        from .models import FrameworkVersion

        super().__init__(*args, **kwargs)
        self.fields["framework_version"].queryset = FrameworkVersion.objects.select_related("framework").order_by("-first_year", "name")
        for name in ("name", "year"):
            self.fields[name].widget.attrs["class"] = "form-control"
        self.fields["framework_version"].widget.attrs["class"] = "form-select"

    def own_dates(self, cleaned):
        from .services.stages import PROVINCE_REVIEW, SELF_ASSESSMENT

        opens, closes, deadline = (cleaned.get(name) for name in ("self_assessment_opens", "self_assessment_closes", "review_deadline"))
        if not (opens and closes and deadline):
            return None
        if opens > closes:
            self.add_error("self_assessment_closes", gettext("The self-assessment must open before it closes."))
        if closes > deadline:
            self.add_error("review_deadline", gettext("The review deadline cannot be before the self-assessment closes."))
        return [(SELF_ASSESSMENT, opens, closes), (PROVINCE_REVIEW, opens, deadline)]


class EnrolmentForm(forms.Form):
    """The agencies to enrol in a period (regencies and the city, all active ones checked)."""

    agencies = forms.ModelMultipleChoiceField(
        label=_("Agencies"), queryset=None, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one agency to enrol.")},
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = agencies


class StageResultsForm(forms.Form):
    """The assessors' results of one stage for one agency, an indicator a row: the level (or, for
    an externally scored indicator, the value), the note and the recommendation."""

    reason = forms.CharField(label=_("Reason, when this corrects entered results"), required=False, max_length=1000)
    stamp = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, items, results, **kwargs):
        from .services import stage_results_stamp

        super().__init__(*args, **kwargs)
        self.items, self.results = items, results
        self.fields["stamp"].initial = stage_results_stamp(results.values())
        for item in items:
            result = results.get(item.pk)
            if item.indicator.externally_scored:
                initial = "" if result is None or result.value is None else f"{result.value:.2f}".replace(".", ",")
                self.fields[f"score-{item.pk}"] = forms.CharField(
                    label=_("Value of %(code)s") % {"code": item.indicator.code}, required=False, max_length=10, initial=initial,
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "2,99"}))
            else:
                self.fields[f"score-{item.pk}"] = forms.CharField(
                    label=_("Level of %(code)s") % {"code": item.indicator.code}, required=False, max_length=3,
                    initial="" if result is None or result.level is None else result.level,
                    widget=forms.TextInput(attrs={"inputmode": "numeric"}))
            self.fields[f"note-{item.pk}"] = forms.CharField(
                label=_("Note on %(code)s") % {"code": item.indicator.code}, required=False, max_length=2000,
                initial=result.note if result else "", widget=forms.Textarea(attrs={"rows": 1}))
            self.fields[f"recommendation-{item.pk}"] = forms.CharField(
                label=_("Recommendation on %(code)s") % {"code": item.indicator.code}, required=False, max_length=2000,
                initial=result.recommendation if result else "", widget=forms.Textarea(attrs={"rows": 1}))
        for field in self.visible_fields():
            field.field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def rows(self):
        return [(item, self[f"score-{item.pk}"], self[f"note-{item.pk}"], self[f"recommendation-{item.pk}"]) for item in self.items]

    def clean(self):
        from .services import external_value_parse

        data = super().clean()
        self.scores = {}
        for item in self.items:
            text = (data.get(f"score-{item.pk}") or "").strip()
            if not text:
                self.scores[item.pk] = (None, None)
            elif item.indicator.externally_scored:
                value = external_value_parse(text)
                if value is None:
                    self.add_error(f"score-{item.pk}", gettext("Enter a number such as 2,99."))
                self.scores[item.pk] = (None, value)
            elif text.isdigit():
                self.scores[item.pk] = (int(text), None)
            else:
                self.add_error(f"score-{item.pk}", gettext("Enter a whole level."))
        return data

    def changes(self):
        """The StageResultChange of every indicator with a score, a note or a recommendation."""
        from .services import StageResultChange

        data, changes = self.cleaned_data, []
        for item in self.items:
            level, value = self.scores[item.pk]
            note, recommendation = data.get(f"note-{item.pk}", ""), data.get(f"recommendation-{item.pk}", "")
            if item.pk in self.results or level is not None or value is not None or note.strip() or recommendation.strip():
                changes.append(StageResultChange(item, level, value, note, recommendation))
        return changes
