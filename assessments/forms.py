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
