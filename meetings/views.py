from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies import access
from agencies.forms import add_service_errors
from agencies.params import posted_int, query_int
from agencies.models import Agency
from agencies.selectors import agencies_of_people, people_of_agencies
from assessments.models import AssessmentPeriod
from assessments.stored_files import private_file_response

from . import selectors, services
from .forms import AttachmentForm, AttachToIndicatorForm, AttendeeForm, AttendeeFormSet, FollowUpActionForm, FollowUpForm, MeetingForm
from .models import FollowUp, FollowUpEvidence, Meeting, MeetingAttachment, MeetingMinutes, MinutesRender


def _organisers(user):
    """Agencies whose meetings the user may record: where they are provincial staff."""
    scope = access.role_scope(user, access.REVIEW_ROLES)
    if scope is None:
        return Agency.objects.none()
    return Agency.objects.filter(scope, is_active=True).exclude(kind=Agency.Kind.UNIT).order_by("path")


def _require_staff(user):
    if not access.is_provincial_staff(user):
        raise PermissionDenied


@login_required
def meeting_list(request):
    agency_code = request.GET.get("agency", "")
    year = query_int(request, "year", minimum=1900, maximum=2999)
    context = selectors.meeting_list(user=request.user, agency_code=agency_code, year=year)
    context.update(
        {
            "years": selectors.meeting_years(user=request.user),
            "agencies": Agency.objects.for_user(request.user).regional_governments().order_by("code"),
            "year": year,
            "agency_code": agency_code,
            "can_record": access.is_provincial_staff(request.user),
        }
    )
    return render(request, "meetings/meeting_list.html", context)


def _attendee_values(formset):
    return [form.cleaned_data for form in formset.forms if form.cleaned_data.get("name")]


def _meeting_form_page(request, meeting=None):
    _require_staff(request.user)
    organisers = _organisers(request.user)
    if meeting is not None and not access.can_review(request.user, meeting.organiser):
        raise PermissionDenied
    initial_attendees = [
        {"name": a.name, "position": a.position, "agency": a.agency_id} for a in meeting.attendees.all()
    ] if meeting else []
    if request.method == "POST":
        form = MeetingForm(request.POST, instance=meeting, organisers=organisers)
        formset = AttendeeFormSet(request.POST, prefix="attendees")
        if form.is_valid() and formset.is_valid():
            try:
                if meeting is None:
                    meeting = services.meeting_create(
                        actor=request.user, values=form.meeting_values(), participants=list(form.cleaned_data["participants"]),
                        attendees=_attendee_values(formset),
                    )
                    messages.success(request, _("The meeting is recorded."))
                else:
                    services.meeting_update(
                        meeting=meeting, actor=request.user, expected_version=form.cleaned_data.get("version") or 0,
                        values=form.meeting_values(), participants=list(form.cleaned_data["participants"]),
                        attendees=_attendee_values(formset), correction_reason=form.cleaned_data.get("correction_reason", ""),
                    )
                    messages.success(request, _("The meeting is updated."))
                return redirect("meeting_detail", pk=meeting.pk)
            except ValidationError as error:
                add_service_errors(form, error)
        status = 400
    else:
        initial = {"version": meeting.version} if meeting else {
            "organiser": organisers.filter(kind=Agency.Kind.PROVINCE).first(),
            "period": AssessmentPeriod.objects.filter(state__in=["open", "review"]).order_by("-year").first(),
        }
        form = MeetingForm(instance=meeting, initial=initial, organisers=organisers)
        formset = AttendeeFormSet(prefix="attendees", initial=initial_attendees)
        status = 200
    # The agency list of every attendee row, read once (not once per row).
    agency_choices = [("", "---------")] + [(agency.pk, str(agency)) for agency in AttendeeForm.base_fields["agency"].queryset.all()]  # .all(): a fresh query, never the shared cached one
    return render(request, "meetings/meeting_form.html",
                  {"form": form, "formset": formset, "meeting": meeting, "agency_choices": agency_choices}, status=status)


@login_required
def meeting_create(request):
    return _meeting_form_page(request)


@login_required
def meeting_edit(request, pk):
    return _meeting_form_page(request, selectors.meeting_get(user=request.user, pk=pk))


def _follow_up_form(meeting, data=None):
    participants = list(meeting.participants.all())
    return FollowUpForm(data, meeting=meeting, owners=people_of_agencies(agencies=participants),
                        owner_agencies=agencies_of_people(agencies=participants))


@login_required
def meeting_detail(request, pk, follow_up_form=None, attachment_form=None, status=200):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    is_staff = access.can_review(request.user, meeting.organiser)
    if is_staff and follow_up_form is None:
        follow_up_form = _follow_up_form(meeting)
    editions = list(meeting.minutes.all())  # newest first
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "participants": list(meeting.participants.order_by("code")),
            "attendees": list(meeting.attendees.select_related("agency")),
            "attachments": list(meeting.attachments.select_related("uploaded_by")),
            "minutes": editions[0] if editions else None,
            "editions": editions,
            # The record's history names every agency's follow-ups: provincial staff only.
            "events": list(meeting.events.select_related("actor")[:30]) if is_staff else [],
            "follow_ups": selectors.meeting_follow_ups(meeting=meeting, user=request.user),
            "is_staff": is_staff,
            "follow_up_form": follow_up_form,
            "attachment_form": attachment_form or (AttachmentForm() if is_staff else None),
            "next_state": services.meeting_next_state(meeting),
            **selectors.minutes_renders(meeting=meeting, is_staff=is_staff),
        },
        status=status,
    )


@login_required
@require_POST
def meeting_transition(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    try:
        services.meeting_transition(
            meeting=meeting, actor=request.user, expected_version=posted_int(request, "version"), to_state=request.POST.get("to_state", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The meeting is now: %(state)s.") % {"state": Meeting.State(request.POST["to_state"]).label})
    return redirect("meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_attachment_add(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if not access.can_review(request.user, meeting.organiser):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.meeting_attachment_add(meeting=meeting, actor=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"])
            messages.success(request, _("Attachment added."))
            return redirect("meeting_detail", pk=meeting.pk)
        except ValidationError as error:
            add_service_errors(form, error)
    return meeting_detail(request, pk, attachment_form=form, status=400)


@login_required
@require_POST
def follow_up_create(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if not access.can_review(request.user, meeting.organiser):
        raise PermissionDenied
    form = _follow_up_form(meeting, request.POST)
    if form.is_valid():
        try:
            services.follow_up_create(
                meeting=meeting, actor=request.user, agency=form.cleaned_data["agency"], description=form.cleaned_data["description"],
                owner=form.cleaned_data["owner"], due_date=form.cleaned_data["due_date"], indicators=list(form.cleaned_data["indicators"]),
            )
            messages.success(request, _("Follow-up added."))
            return redirect("meeting_detail", pk=meeting.pk)
        except ValidationError as error:
            add_service_errors(form, error)
    return meeting_detail(request, pk, follow_up_form=form, status=400)


def _file_response(record, inline=False):
    return record.inline_response() if inline else record.download_response()


@login_required
def meeting_attachment_download(request, pk, attachment_pk, inline=False):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    attachment = MeetingAttachment.objects.filter(meeting=meeting, pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    return _file_response(attachment, inline)


@login_required
def minutes_pdf(request, pk):
    """The final minutes as issued; before they are final, provincial staff get the latest draft a
    worker rendered (``minutes_draft_request``)."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    minutes = meeting.minutes.first()
    if minutes is not None:
        return _file_response(minutes)
    if not access.can_review(request.user, meeting.organiser):
        raise Http404
    draft = meeting.renders.filter(edition_number=None, state=MinutesRender.State.DONE).first()
    if draft is None or not draft.file:
        raise Http404
    date_text = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d")
    return private_file_response(draft.file, filename=f"Draf notulen rapat pengendalian SPBE {date_text}.pdf", content_type="application/pdf")


def _minutes_box(request, meeting, error=""):
    is_staff = access.can_review(request.user, meeting.organiser)
    context = {"meeting": meeting, "is_staff": is_staff, "box_error": error, **selectors.minutes_renders(meeting=meeting, is_staff=is_staff)}
    return render(request, "meetings/_minutes_box.html", context)


@login_required
def minutes_box(request, pk):
    """The minutes' rendering state (htmx, polled every 2 s while a rendering is pending)."""
    return _minutes_box(request, selectors.meeting_get(user=request.user, pk=pk))


@login_required
@require_POST
def minutes_draft_request(request, pk):
    """Queue a draft of the minutes (provincial staff); answers the box (htmx) or the meeting page."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if not access.can_review(request.user, meeting.organiser):
        raise Http404
    error = ""
    try:
        services.minutes_draft_request(meeting=meeting, actor=request.user)
    except ValidationError as problem:
        error = " ".join(problem.messages)
    if request.headers.get("HX-Request"):
        return _minutes_box(request, meeting, error)
    if error:
        messages.error(request, error)
    return redirect("meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def minutes_render_retry(request, pk):
    """Provincial staff send a failed rendering of the meeting's minutes back to the queue."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if not access.can_review(request.user, meeting.organiser):
        raise Http404
    render_row = meeting.renders.filter(pk=posted_int(request, "render")).first()
    if render_row is None:
        raise Http404
    error = ""
    try:
        services.minutes_render_retry(render=render_row, actor=request.user)
    except ValidationError as problem:
        error = " ".join(problem.messages)
    if request.headers.get("HX-Request"):
        return _minutes_box(request, meeting, error)
    return redirect("meeting_detail", pk=meeting.pk)


@login_required
def follow_up_tracker(request):
    state = request.GET.get("state", "")
    agency_code = request.GET.get("agency", "")
    overdue = request.GET.get("overdue") == "1"
    kind = request.GET.get("kind", "")
    kind = kind if kind in FollowUp.Kind.values else ""
    follow_ups = selectors.follow_up_tracker(user=request.user, state=state, agency_code=agency_code, overdue_only=overdue, kind=kind)
    return render(
        request,
        "meetings/follow_up_tracker.html",
        {
            "follow_ups": follow_ups[:1000],
            "states": FollowUp.State.choices,
            "kinds": FollowUp.Kind.choices,
            "kind": kind,
            "agencies": Agency.objects.for_user(request.user).regional_governments().order_by("code"),
            "state": state,
            "agency_code": agency_code,
            "overdue": overdue,
        },
    )


def _follow_up_context(request, follow_up, action_form=None, attach_form=None):
    can_act = access.can_submit(request.user, follow_up.agency)
    can_verify = access.can_review(request.user, follow_up.agency)
    evidence = list(follow_up.evidence.select_related("uploaded_by"))
    minutes = follow_up.meeting.minutes.first() if follow_up.meeting_id else None
    sources = [(f"evidence:{e.pk}", e.original_name) for e in evidence]
    if minutes:
        sources.append((f"minutes:{minutes.pk}", _("Final minutes: %(name)s") % {"name": minutes.original_name}))
    can_attach = can_act and follow_up.state in (FollowUp.State.DONE, FollowUp.State.VERIFIED) and sources
    items = selectors.attachable_items(follow_up=follow_up) if can_attach else []
    return {
        "follow_up": follow_up,
        "evidence": evidence,
        "events": list(follow_up.events.select_related("actor")),
        "can_act": can_act and follow_up.state in FollowUp.OPEN_STATES,
        "can_verify": can_verify and follow_up.state == FollowUp.State.DONE,
        "action_form": action_form or FollowUpActionForm(initial={"version": follow_up.version}),
        "attach_form": attach_form or (AttachToIndicatorForm(items=items, sources=sources) if items else None),
    }


@login_required
def follow_up_detail(request, pk):
    follow_up = selectors.follow_up_get(user=request.user, pk=pk)
    if request.method != "POST":
        return render(request, "meetings/follow_up_detail.html", _follow_up_context(request, follow_up))
    action = request.POST.get("action", "")
    if action in ("start", "evidence", "done", "attach") and not access.can_submit(request.user, follow_up.agency):
        raise PermissionDenied
    if action in ("verify", "reopen") and not access.can_review(request.user, follow_up.agency):
        raise PermissionDenied
    action_form = attach_form = None
    try:
        if action == "attach":
            evidence = list(follow_up.evidence.all())
            minutes = follow_up.meeting.minutes.first() if follow_up.meeting_id else None
            sources = {f"evidence:{e.pk}": e for e in evidence}
            if minutes:
                sources[f"minutes:{minutes.pk}"] = minutes
            items = {item.pk: item for item in selectors.attachable_items(follow_up=follow_up)}
            attach_form = AttachToIndicatorForm(request.POST, items=items.values(), sources=[(key, key) for key in sources])
            if attach_form.is_valid():
                item = items[attach_form.cleaned_data["item"]]
                services.follow_up_attach_to_indicator(
                    follow_up=follow_up, actor=request.user, item=item, level=attach_form.cleaned_data["level"],
                    source=sources[attach_form.cleaned_data["source"]],
                )
                messages.success(request, _("Attached to indicator %(code)s as evidence; submit it there for review.") % {"code": item.indicator.code})
                return redirect("follow_up_detail", pk=follow_up.pk)
        else:
            action_form = FollowUpActionForm(request.POST, request.FILES)
            if action_form.is_valid():
                data = action_form.cleaned_data
                if action == "start":
                    services.follow_up_start(follow_up=follow_up, actor=request.user, expected_version=data["version"])
                elif action == "evidence":
                    if not data.get("file"):
                        raise ValidationError({"file": _("Choose a file.")})
                    services.follow_up_evidence_add(follow_up=follow_up, actor=request.user, expected_version=data["version"],
                                                    upload=data["file"], description=data["description"])
                elif action == "done":
                    services.follow_up_done(follow_up=follow_up, actor=request.user, expected_version=data["version"], note=data["note"],
                                            upload=data.get("file"), description=data["description"])
                elif action in ("verify", "reopen"):
                    services.follow_up_review(follow_up=follow_up, actor=request.user, expected_version=data["version"],
                                              decision=action, note=data["note"])
                else:
                    return HttpResponse(status=400)
                messages.success(request, _("Saved."))
                return redirect("follow_up_detail", pk=follow_up.pk)
    except services.StaleChange as error:
        messages.error(request, " ".join(error.messages))
        return redirect("follow_up_detail", pk=follow_up.pk)
    except ValidationError as error:
        form = attach_form if action == "attach" else action_form
        add_service_errors(form, error)
    follow_up = selectors.follow_up_get(user=request.user, pk=pk)
    context = _follow_up_context(request, follow_up, action_form=action_form, attach_form=attach_form)
    return render(request, "meetings/follow_up_detail.html", context, status=400)


@login_required
def follow_up_evidence_download(request, pk, evidence_pk, inline=False):
    follow_up = selectors.follow_up_get(user=request.user, pk=pk)
    evidence = FollowUpEvidence.objects.filter(follow_up=follow_up, pk=evidence_pk).first()
    if evidence is None:
        raise Http404
    return _file_response(evidence, inline)


@login_required
def minutes_edition_download(request, pk, minutes_pk, inline=False):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    minutes = MeetingMinutes.objects.filter(meeting=meeting, pk=minutes_pk).first()
    if minutes is None:
        raise Http404
    return _file_response(minutes, inline)
