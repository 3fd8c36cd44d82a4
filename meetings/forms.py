from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from assessments.evidence_files import ACCEPT_ATTRIBUTE
from assessments.forms import announce_upload_limit

from .models import FollowUp, Meeting, MeetingAttachment
from .services import MEETING_FIELDS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class MeetingForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    correction_reason = forms.CharField(
        label=_("Reason for the correction"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The minutes are final: a change is a recorded correction, and the minutes are issued again."),
    )

    class Meta:
        model = Meeting
        fields = ["title", "starts_at", "ends_at", "place", "organiser", "period", "chair", "chair_position", "chair_nip", "note_taker",
                  "note_taker_nip", "participants", "agenda", "discussion", "decisions"]
        widgets = {
            "starts_at": DateTimeLocal(),
            "ends_at": DateTimeLocal(),
            "participants": forms.CheckboxSelectMultiple,
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "discussion": forms.Textarea(attrs={"rows": 6}),
            "decisions": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, organisers, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
        self.fields["organiser"].queryset = organisers
        self.fields["participants"].queryset = Agency.objects.regional_governments().filter(is_active=True).order_by("code")
        if not (self.instance.pk and self.instance.is_final):
            del self.fields["correction_reason"]

    def meeting_values(self):
        data = self.cleaned_data
        return {name: data.get(name) for name in MEETING_FIELDS}


class AttendeeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.filter(is_active=True).order_by("path"), required=False)


AttendeeFormSet = forms.formset_factory(AttendeeForm, extra=3, max_num=200)


class OwnerSelect(forms.Select):
    """A person list whose options name the agencies each person belongs to (data-agencies="3 7"), so
    static/js/forms.js can show only the people of the chosen agency."""

    option_agencies = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        key = getattr(value, "value", value)
        if key not in (None, ""):
            option["attrs"]["data-agencies"] = " ".join(str(pk) for pk in sorted(self.option_agencies.get(key, ())))
        return option


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["agency", "description", "indicators", "owner", "due_date"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "indicators": forms.SelectMultiple(attrs={"size": 6}),
            "owner": OwnerSelect(attrs={"data-filter-by": "agency"}),
        }

    def __init__(self, *args, meeting, owners, owner_agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = meeting.participants.order_by("code")
        self.fields["indicators"].queryset = meeting.period.framework_version.nodes.filter(is_indicator=True).order_by("position")
        self.fields["indicators"].label_from_instance = lambda node: f"{node.code}. {node.name}"
        self.fields["owner"].queryset = owners
        self.fields["owner"].widget.option_agencies = owner_agencies or {}
        self.fields["owner"].help_text = _("Only people of the chosen agency can own its follow-up.")
        self.fields["owner"].label_from_instance = lambda user: f"{user.get_full_name()} ({user.username})"


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingAttachment.Kind.choices)
    file = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        announce_upload_limit(self.fields["file"])


class FollowUpActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=3000)
    file = forms.FileField(label=_("Evidence file"), required=False, widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
    description = forms.CharField(label=_("Description of the evidence"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        announce_upload_limit(self.fields["file"])


class AttachToIndicatorForm(forms.Form):
    item = forms.TypedChoiceField(label=_("Indicator in the current period"), coerce=int)
    level = forms.TypedChoiceField(label=_("Supports level"), coerce=int, choices=[(n, str(n)) for n in range(1, 6)])
    source = forms.ChoiceField(label=_("Document"))

    def __init__(self, *args, items, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [
            (item.pk, f"{item.assessment.period.year} · {item.indicator.code}. {item.indicator.name}") for item in items
        ]
        self.fields["source"].choices = sources


class RecommendationFollowUpForm(forms.Form):
    """Turn one assessor's recommendation of an item into a follow-up of its regency."""

    stage_result = forms.IntegerField(widget=forms.HiddenInput)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None)
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda user: f"{user.get_full_name()} ({user.username})"
