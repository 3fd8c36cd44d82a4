from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agencies import access
from agencies.models import Agency
from agencies.selectors import province_of
from agencies.access import is_administrator, is_provincial_staff
from agencies.forms import add_service_errors
from agencies.params import posted_int

from . import selectors, services
from .exports import as_csv, as_xlsx, export
from .forms import EnrolmentForm, ExternalImportForm, ExternalScoreForm, ItemForm, PeriodForm, ReviewForm, StageDatesForm
from .interview_kit import application_text
from .table_imports import TableImportError
from .models import AssessmentPeriod, IndicatorAssessment


@login_required
def period_list(request):
    return render(request, "assessments/period_list.html", {"periods": selectors.period_list(), "can_administer": is_administrator(request.user)})


@login_required
def period_detail(request, period_id):
    period = selectors.period_get(period_id)
    timeline = services.period_timeline(period, today=timezone.localdate())
    return render(
        request,
        "assessments/period_detail.html",
        {
            "period": period,
            "timeline": timeline,
            "current_stage": next((stage for stage in timeline if stage.is_current), None),
            "next_stage": next((stage for stage in timeline if stage.status == "coming"), None),
            "rows": selectors.period_summaries(period=period, user=request.user),
            "events": selectors.period_events(period=period),
            "can_administer": is_administrator(request.user),
            "province": province_of(user=request.user),
            "can_enter_external": bool(period.framework_version.scoring.external_codes) and is_provincial_staff(request.user),
            "can_enter_stage_results": is_provincial_staff(request.user),
            "next_states": [(state, AssessmentPeriod.State(state).label) for state in services.period_next_states(period)],
            "period_choices": selectors.period_choices(current=period, url_for=lambda other: reverse("period_detail", args=[other.pk])),
        },
    )


@login_required
@require_POST
def period_transition(request, period_id):
    period = selectors.period_get(period_id)
    if not is_administrator(request.user):
        raise PermissionDenied
    try:
        services.period_transition(
            period=period,
            to_state=request.POST.get("to_state", ""),
            actor=request.user,
            note=request.POST.get("note", ""),
            expected_state=request.POST.get("expected_state") or None,
        )
    except (ValidationError, ValueError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("The period is now: %(state)s.") % {"state": period.get_state_display()})
    return redirect("period_detail", period_id=period.pk)


def _require_administrator(request):
    if not is_administrator(request.user):
        raise PermissionDenied


@login_required
def period_new(request):
    """An administrator sets up a period: its own dates and the national stages (period_create, all
    or nothing); then on to the enrolment."""
    _require_administrator(request)
    form = PeriodForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                period = services.period_create(
                    name=data["name"], year=data["year"], framework_version=data["framework_version"],
                    opens=data["self_assessment_opens"], closes=data["self_assessment_closes"],
                    review_deadline=data["review_deadline"], actor=request.user, stages=form.stages(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The period %(period)s is set up. Now enrol the regencies.") % {"period": period.name})
                return redirect("period_enrolment", period_id=period.pk)
        status = 400
    return render(request, "assessments/period_form.html", {"form": form, "period": None}, status=status)


@login_required
def period_stages_edit(request, period_id):
    """An administrator changes the dates of a period's national stages; a closed period refuses."""
    period = selectors.period_get(period_id)
    _require_administrator(request)
    stages = {stage.kind: stage for stage in period.stages.all()}
    initial = {f"{kind}_{end}": getattr(stage, field) for kind, stage in stages.items()
               for end, field in (("starts", "starts_on"), ("ends", "ends_on"))}
    form = StageDatesForm(request.POST or None, period=period, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:  # a closed period is refused by the service, with its message above the form
                services.period_stages_set(period=period, stages=form.stages(), actor=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The stage dates of %(period)s are saved.") % {"period": period.name})
                return redirect("period_detail", period_id=period.pk)
        status = 400
    return render(request, "assessments/period_form.html", {"form": form, "period": period}, status=status)


@login_required
def period_enrolment(request, period_id):
    """An administrator enrols regencies and the city in a period (all active ones checked at
    first); those enrolled are shown as such and stay enrolled."""
    period = selectors.period_get(period_id)
    _require_administrator(request)
    candidates = selectors.enrolment_candidates(period=period)
    status = 200
    form = EnrolmentForm(request.POST or None, agencies=Agency.objects.regional_governments())
    if request.method == "POST":
        if form.is_valid():
            try:
                enrolment = services.period_enrol(period=period, agencies=form.cleaned_data["agencies"], actor=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(new)s agencies enrolled, %(already)s already enrolled.") % {
                    "new": len(enrolment.enrolled), "already": len(enrolment.already_enrolled)})
                return redirect("period_enrolment", period_id=period.pk)
        status = 400
    chosen = {str(pk) for pk in form.data.getlist("agencies")} if form.is_bound else None
    rows = [(agency, agency.is_enrolled or (str(agency.pk) in chosen if chosen is not None else agency.is_active))
            for agency in candidates]
    return render(request, "assessments/period_enrolment.html", {
        "period": period, "form": form, "rows": rows, "enrolled_count": sum(agency.is_enrolled for agency in candidates),
    }, status=status)


def _parse_target(text):
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@login_required
def assessment_detail(request, period_id, code):
    period = selectors.period_get(period_id)
    assessment = selectors.assessment_get(user=request.user, period=period, code=code)
    items = selectors.assessment_items(assessment=assessment)
    overview = selectors.assessment_overview(assessment=assessment, items=items)
    framework = overview["framework"]
    basis = request.GET.get("basis") if request.GET.get("basis") in (selectors.SELF, selectors.VERIFIED) else selectors.SELF
    target = _parse_target(request.GET.get("target", ""))
    target_error = ""
    if target is not None and not framework.scale_min <= target <= framework.scale_max:
        target_error = _("A target index must be between %(low)s and %(high)s.") % {"low": framework.scale_min, "high": framework.scale_max}
        target = None
    plan = selectors.assessment_plan(assessment=assessment, levels=overview["levels"], basis=basis, target=target)
    gains = selectors.assessment_top_gains(assessment=assessment, levels=overview["levels"], basis=basis)
    # Filters: state, aspect (or domain), and "needs my action" (officer: not started, draft,
    # returned; reviewer: submitted).
    agency = assessment.agency
    can_submit, can_review = access.can_submit(request.user, agency), access.can_review(request.user, agency)
    state_filter = request.GET.get("state", "")
    group_filter = request.GET.get("group", "")
    mine = request.GET.get("mine") == "1"
    my_states = set(selectors.OFFICER_ACTION_STATES if can_submit else ()) | set(selectors.REVIEWER_ACTION_STATES if can_review else ())
    group_nodes = {group.node.pk: group.node for group in overview["groups"]}

    def ancestors(node):
        while node.parent_id in group_nodes:
            node = group_nodes[node.parent_id]
            yield node.code

    def shown(item):
        return (
            (not state_filter or (item.state == state_filter and not item.indicator.externally_scored))
            and (not group_filter or group_filter in set(ancestors(item.indicator)))
            and (not mine or (item.state in my_states and not item.indicator.externally_scored))
        )

    visible_items = [item for item in items if shown(item)]
    visible_groups = {code for item in visible_items for code in ancestors(item.indicator)}
    # Domains, aspects and indicators in the file's order: one table, groups as heading rows.
    lines = sorted(
        [{"group": group, "position": group.node.position} for group in overview["groups"] if group.node.code in visible_groups]
        + [
            {
                "item": item,
                "position": item.indicator.position,
                "level_name": framework.level_names.get(item.indicator.level_scale, {}).get(item.level, ""),
            }
            for item in visible_items
        ],
        key=lambda line: line["position"],
    )
    # Externally scored items are nobody's work here (the province enters their values): counted apart.
    state_counts = {}
    for item in items:
        if not item.indicator.externally_scored:
            state_counts[item.state] = state_counts.get(item.state, 0) + 1
    return render(
        request,
        "assessments/assessment_detail.html",
        {
            "period": period,
            "assessment": assessment,
            "agency": assessment.agency,
            "framework": framework,
            "scores": overview["scores"],
            "groups": overview["groups"],
            "lines": lines,
            "missing": len(overview["scores"][selectors.SELF].missing),
            "states": [(state, label, state_counts.get(state, 0)) for state, label in IndicatorAssessment.State.choices],
            "state_filter": state_filter,
            "group_filter": group_filter,
            "mine": mine,
            "shown_count": len(visible_items),
            "item_count": len(items),
            "can_submit": can_submit,
            "can_review": can_review,
            "plan": plan,
            "gains": gains,
            "external": overview["external"],
            "basis": basis,
            "target_text": request.GET.get("target", ""),
            "target_error": target_error,
            "published": selectors.published_results(user=request.user, agency=assessment.agency),
            "level_descriptions": period.framework_version.definition["level_scales"],
            "ledger": selectors.assessment_ledger(assessment=assessment, items=items),
            "period_choices": selectors.period_choices(
                current=period, agency=assessment.agency,
                url_for=lambda other: reverse("assessment_detail", args=[other.pk, assessment.agency.code])),
        },
    )


@login_required
def external_scores(request, period_id):
    """Province staff enter, correct and import the values of the period's externally scored
    indicators (the source agencies' indices); regency users may not (403, like the province
    dashboard)."""
    from agencies.params import query_int

    from .external_scores import read_table, validate_rows

    if not is_provincial_staff(request.user):
        raise PermissionDenied
    period = selectors.period_get(period_id)
    chosen = query_int(request, "item", default=None, minimum=1)
    item = selectors.external_item_get(period=period, pk=chosen) if chosen else None
    score_form = import_form = None
    import_problems = []
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "set":
                score_form = ExternalScoreForm(request.POST)
                item = selectors.external_item_get(period=period, pk=posted_int(request, "item", minimum=1))
                if score_form.is_valid():
                    data = score_form.cleaned_data
                    services.external_score_set(
                        item=item, actor=request.user, value=data["value"], reference=data["reference"], dated=data["dated"],
                        reason=data["reason"], expected_version=data["version"],
                    )
                    messages.success(request, _("Saved the value of %(code)s for %(agency)s.") % {
                        "code": item.indicator.code, "agency": item.assessment.agency.short_name})
                    return redirect("external_scores", period_id=period.pk)
                status = 400
            elif action == "import":
                import_form = ExternalImportForm(request.POST, request.FILES)
                if import_form.is_valid():
                    upload = import_form.cleaned_data["file"]
                    changes = validate_rows(read_table(upload.read(), upload.name), period=period, reason=import_form.cleaned_data["reason"])
                    written = services.external_scores_save(changes=changes, actor=request.user)
                    messages.success(request, _("Imported: %(count)s values changed.") % {"count": written})
                    return redirect("external_scores", period_id=period.pk)
                status = 400
            else:
                return HttpResponse(status=400)
        except TableImportError as error:  # a file that cannot be read, or rows with problems
            import_problems = error.lines()
            status = 400
        except services.ConcurrentChange as error:
            messages.error(request, " ".join(error.messages))
            item = selectors.external_item_get(period=period, pk=item.pk)
            score_form = None
            status = 409
        except ValidationError as error:
            if score_form is not None:
                add_service_errors(score_form, error)
            else:
                messages.error(request, " ".join(error.messages))
            status = 400
    if score_form is None and item is not None:
        score_form = ExternalScoreForm(initial={
            "item": item.pk, "version": item.version,
            "value": "" if item.external_value is None else f"{item.external_value:.2f}".replace(".", ","),
            "reference": item.external_reference, "dated": item.external_dated,
        })
    indicators, rows = selectors.external_score_table(period=period)
    return render(
        request,
        "assessments/external_scores.html",
        {"period": period, "indicators": indicators, "rows": rows, "item": item, "score_form": score_form,
         "import_form": import_form or ExternalImportForm(), "import_problems": import_problems,
         "read_only": period.is_read_only},
        status=status,
    )


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
def period_export(request, period_id, kind, file_format):
    period = selectors.period_get(period_id)
    if kind not in ("levels", "indices") or file_format not in CONTENT_TYPES:
        raise Http404
    content = export(kind=kind, file_format=file_format, period=period, user=request.user)
    name = {"levels": _("levels"), "indices": _("indices")}[kind]
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{slugify(period.framework_version.index_label)}-{period.year}-{slugify(name)}.{file_format}"'
    return response


@login_required
def published_result_list(request):
    results = list(selectors.published_results(user=request.user))
    years = sorted({result.year for result in results})
    table = {}
    for result in results:
        table.setdefault(result.agency, {})[result.year] = result
    rows = [(agency, [by_year.get(year) for year in years]) for agency, by_year in table.items()]
    return render(
        request,
        "assessments/published_results.html",
        {"years": years, "rows": rows, "is_provincial_staff": is_provincial_staff(request.user)},
    )


# --- The review workflow --------------------------------------------------------------------------


def _item_context(request, item, *, item_form=None, review_form=None):
    from agencies.selectors import people_of

    assessment = item.assessment
    agency = assessment.agency
    version = assessment.period.framework_version
    framework = version.scoring
    scale = version.scale
    can_submit = access.can_submit(request.user, agency)
    can_review = access.can_review(request.user, agency)
    period_active = assessment.period.state in services.ACTIVE_PERIOD_STATES
    evidence = selectors.item_evidence(item=item)
    external = item.indicator.externally_scored  # the province enters its value: no level to claim or review
    if external:
        can_submit, item_form, review_form = False, None, None
    if item_form is None and can_submit:
        item_form = ItemForm(
            initial={
                "version": item.version, "level": item.level, "justification": item.justification,
                "target_level": item.target_level, "person_in_charge": item.person_in_charge_id,
                "unit_in_charge": item.unit_in_charge_id,
            },
            scale=scale, people=people_of(agency=agency), units=agency.children.filter(kind="unit", is_active=True),
            evidence_items=item.indicator.evidence_items,
        )
    if review_form is None and can_review:
        review_form = ReviewForm(
            initial={"version": item.version, "accepted_levels": item.accepted_levels},
            claimed_level=item.level, evidence_items=item.indicator.evidence_items,
        )
    checklist = services.evidence_checklist(item=item, evidence=evidence)
    recommendations = _recommendations_context(request, item, can_review)
    for row in (row for level in checklist for row in level["items"]):
        # The reviewer's choice per item: what was just posted (a refused review keeps it), else the last decision.
        bound = review_form is not None and review_form.is_bound
        row["decision"] = review_form.data.get(f"item-{row['code']}", "") if bound else row["status"]
        row["decision_note"] = review_form.data.get(f"note-{row['code']}", "") if bound else row["note"]
    missing_levels, missing_items = services.evidence_missing(
        indicator=item.indicator, level=item.level, evidence_rows=[(e.level, e.item_code) for e in evidence])
    level_texts = selectors.indicator_level_texts(item.indicator, version)
    levels = [
        {
            "level": text.level,
            "name": text.name,
            "criterion": text.criterion,
            "own_criterion": text.own,
            "evidence": [e for e in evidence if e.level == text.level],
            "accepted": text.level in item.accepted_levels,
            "has_items": str(text.level) in item.indicator.evidence_items,
        }
        for text in level_texts
    ]
    return {
        "application_text": "" if external else application_text(item=item, level_texts=level_texts, evidence=evidence),
        "item": item,
        "assessment": assessment,
        "period": assessment.period,
        "agency": agency,
        "framework": framework,
        "levels": levels,
        "evidence": evidence,
        "levels_without_evidence": missing_levels,
        "missing_items": missing_items,
        "checklist": checklist,
        "checklist_returned": [row for level in checklist for row in level["items"] if row["status"] == "returned"],
        "events": selectors.item_events(item=item),
        "revisions": selectors.item_revisions(item=item),
        "can_edit": can_submit and period_active and item.state != IndicatorAssessment.State.ACCEPTED,
        "can_open_revision": can_submit and period_active and item.state == IndicatorAssessment.State.ACCEPTED,
        "can_enter_external": external and can_review and access.is_provincial_staff(request.user),
        "can_review_now": not external and can_review and period_active and item.state == IndicatorAssessment.State.SUBMITTED,
        "period_active": period_active,
        "item_form": item_form,
        "review_form": review_form,
        "reviewers": selectors.item_reviewers(item=item) if can_review and item.state == IndicatorAssessment.State.SUBMITTED else [],
        "queue_filters": _queue_filters_of(request),
        "ledger_row": selectors.item_ledger(item=item),
        **recommendations,
    }


def _recommendations_context(request, item, can_review):
    """The section "Rekomendasi asesor" of an item page: the assessors' recommendations, and for
    provincial staff in a period not closed, the people of the regency who may own a follow-up."""
    from agencies.selectors import people_of
    from meetings.selectors import item_recommendations

    recommendations = item_recommendations(item=item)
    can_follow_up = (
        can_review and is_provincial_staff(request.user) and not item.assessment.period.is_read_only
        and any(result.follow_up_made is None for result in recommendations)
    )
    return {
        "recommendations": recommendations,
        "can_make_follow_up": can_follow_up,
        "follow_up_owners": list(people_of(agency=item.assessment.agency)) if can_follow_up else [],
        "follow_up_min_date": timezone.localdate().isoformat(),
    }


def _queue_filters_of(request):
    """The review queue's filters an item page was opened with (``?queue=1&agency=…``), or None
    when it was not opened from the queue; posted back with the review so the next item comes from
    the same queue."""
    params = request.POST if request.method == "POST" else request.GET
    if not params.get("queue"):
        return None
    return selectors.QueueFilters.from_params(params)


def _with_queue(url, filters):
    params = filters.as_params() if filters is not None else ""
    return f"{url}?queue=1&{params}" if params else f"{url}?queue=1"


def _recommendation_follow_up(request, item):
    """Provincial staff turn an assessor's recommendation on ``item`` into a follow-up of the
    regency (meetings.services.follow_up_from_recommendation), or open the one made before."""
    from agencies.selectors import people_of
    from meetings.forms import RecommendationFollowUpForm
    from meetings.services import follow_up_from_recommendation

    if not is_provincial_staff(request.user):
        raise PermissionDenied
    form = RecommendationFollowUpForm(request.POST, owners=people_of(agency=item.assessment.agency))
    if not form.is_valid():
        raise ValidationError([f"{form.fields[name].label}: {' '.join(errors)}" if name in form.fields else " ".join(errors)
                               for name, errors in form.errors.items()])
    result = item.stage_results.filter(pk=form.cleaned_data["stage_result"]).first()
    if result is None:
        raise Http404
    follow_up, created = follow_up_from_recommendation(
        stage_result=result, owner=form.cleaned_data["owner"], due_date=form.cleaned_data["due_date"], actor=request.user)
    if created:
        messages.success(request, _("The recommendation is now a follow-up of %(agency)s.") % {"agency": follow_up.agency.short_name})
    else:
        messages.info(request, _("This recommendation is already a follow-up: here it is."))
    return redirect("follow_up_detail", pk=follow_up.pk)


@login_required
def item_detail(request, period_id, code, indicator_code):
    period = selectors.period_get(period_id)
    item = selectors.item_get(user=request.user, period=period, code=code, indicator_code=indicator_code)
    if request.method != "POST":
        return render(request, "assessments/item_detail.html", _item_context(request, item))

    action = request.POST.get("action", "")
    agency = item.assessment.agency
    officer_actions = ("save", "submit", "open_revision", "remove_evidence")
    reviewer_actions = ("accept", "return", "assign", "take", "follow_up")
    if (action in officer_actions and not access.can_submit(request.user, agency)) or (
        action in reviewer_actions and not access.can_review(request.user, agency)
    ):
        raise PermissionDenied
    item_form = review_form = None
    status = 400  # reached only when the form or a rule refused what was sent
    try:
        if action in ("save", "submit"):
            from agencies.selectors import people_of

            item_form = ItemForm(
                request.POST, request.FILES, scale=period.framework_version.scale, people=people_of(agency=agency),
                units=agency.children.filter(kind="unit", is_active=True), evidence_items=item.indicator.evidence_items,
            )
            if item_form.is_valid():
                services.item_update(
                    item=item, actor=request.user, expected_version=item_form.cleaned_data["version"],
                    values=item_form.item_values(), evidence=item_form.evidence_values(), submit=action == "submit",
                )
                messages.success(request, _("Submitted for review.") if action == "submit" else _("Saved as a draft."))
                return redirect(request.path)
        elif action in ("accept", "return"):
            review_form = ReviewForm(request.POST, claimed_level=item.level, evidence_items=item.indicator.evidence_items)
            if review_form.is_valid():
                services.item_review(
                    item=item, actor=request.user, expected_version=review_form.cleaned_data["version"], decision=action,
                    accepted_levels=review_form.cleaned_data["accepted_levels"], note=review_form.cleaned_data["note"],
                    item_decisions=review_form.item_decisions(),
                )
                done = _("Accepted.") if action == "accept" else _("Returned to the officer with your note.")
                return _offer_next_item(request, item, done)
        elif action in ("assign", "take"):
            people = {str(person.pk): person for person in selectors.item_reviewers(item=item)}
            assignee = request.user if action == "take" else None
            if action == "assign" and request.POST.get("reviewer"):
                assignee = people.get(request.POST["reviewer"])
                if assignee is None:
                    raise ValidationError(_("Choose a colleague who may review %(agency)s.") % {"agency": agency.short_name})
            current = request.POST.get("current_reviewer", "")
            services.item_assign_reviewer(
                item=item, actor=request.user, assignee=assignee,
                expected_reviewer=people.get(current, services.UNCHANGED) if current else None,
            )
            messages.success(request, _("Assigned to %(person)s.") % {"person": assignee} if assignee else _("The item is unassigned."))
            filters = _queue_filters_of(request)
            return redirect(_with_queue(request.path, filters) if filters else request.path)
        elif action == "follow_up":
            return _recommendation_follow_up(request, item)
        elif action == "open_revision":
            services.item_open_revision(item=item, actor=request.user, expected_version=posted_int(request, "version"))
            messages.success(request, _("A new revision is open: change the indicator and submit it again."))
            return redirect(request.path)
        elif action == "remove_evidence":
            evidence = item.evidence.filter(pk=posted_int(request, "evidence")).first()
            if evidence is None:
                raise Http404
            services.evidence_remove(evidence=evidence, actor=request.user, expected_version=posted_int(request, "version"))
            messages.success(request, _("Evidence removed."))
            return redirect(request.path)
        else:
            return HttpResponse(status=400)
    except PermissionDenied:
        raise
    except services.ConcurrentChange as error:
        messages.error(request, " ".join(error.messages))
        item = selectors.item_get(user=request.user, period=period, code=code, indicator_code=indicator_code)
        # Keep what the user typed, on top of the latest version, so nothing is lost or overwritten unseen.
        if item_form is not None and item_form.is_bound:
            data = request.POST.copy()
            data["version"] = item.version
            item_form = ItemForm(data, scale=period.framework_version.scale, people=item_form.fields["person_in_charge"].queryset,
                                 units=item_form.fields["unit_in_charge"].queryset, evidence_items=item.indicator.evidence_items)
            item_form.is_valid()
        review_form = None
        status = 409
    except ValidationError as error:
        form = item_form if item_form is not None else review_form
        if form is not None and not item.indicator.externally_scored:  # an external item's page shows no level form
            add_service_errors(form, error)
            if form is item_form and request.FILES:
                form.add_error(None, _("Nothing was saved. What you typed is kept below; choose the file again after fixing the problem."))
        else:
            messages.error(request, " ".join(error.messages))
    context = _item_context(request, item, item_form=item_form, review_form=review_form)
    return render(request, "assessments/item_detail.html", context, status=status)


@login_required
def evidence_download(request, pk):
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    if evidence.kind != evidence.Kind.FILE or not evidence.file:
        raise Http404
    _evidence_access_log(request, evidence)
    return evidence.download_response()


def _evidence_access_log(request, evidence):
    """The province's staff opening another agency's evidence file goes to the access log."""
    from agencies.lockouts import client_address
    from agencies.services import evidence_download_log

    evidence_download_log(
        user=request.user, agency=evidence.item.assessment.agency, description=evidence.file.name, ip_address=client_address(request)
    )


@login_required
def assessment_evidence_zip(request, period_id, code):
    """All evidence files of a regency for a period as one ZIP (scope as the assessment page)."""
    from .evidence_archive import build_archive

    period = selectors.period_get(period_id)
    assessment = selectors.assessment_get(user=request.user, period=period, code=code)
    archive = build_archive(selectors.assessment_evidence_files(assessment=assessment))
    name = f"bukti-dukung-{assessment.agency.code}-{period.year}.zip"
    response = FileResponse(archive, as_attachment=True, filename=name, content_type="application/zip")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


KIT_FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@login_required
@require_GET
def interview_kit(request, period_id, code, file_format):
    """The interview preparation kit of a regency for a period, as PDF or DOCX (scope as the
    assessment page: its officers and leadership, and the province's staff; others 404). Rendered
    in the request: one agency's indicators, bounded (docs/architecture.md)."""
    from .interview_kit import kit_gather, render_docx, render_pdf
    from .stored_files import content_disposition

    period = selectors.period_get(period_id)
    assessment = selectors.assessment_get(user=request.user, period=period, code=code)
    kit = kit_gather(assessment=assessment)
    content = render_pdf(kit) if file_format == "pdf" else render_docx(kit)
    response = HttpResponse(content, content_type=KIT_FORMATS[file_format])
    response["Content-Disposition"] = content_disposition(kit.file_name(file_format))
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def evidence_view(request, pk):
    """A PDF or image shown in the browser (same scope check as the download; other types: 404)."""
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    if evidence.kind != evidence.Kind.FILE or not evidence.file:
        raise Http404
    _evidence_access_log(request, evidence)
    return evidence.inline_response()


def _offer_next_item(request, item, done):
    """After a decision: go to the next item of the same (filtered) queue, or back to the queue
    when nothing else waits in it."""
    from django.urls import reverse

    filters = _queue_filters_of(request) or selectors.QueueFilters()
    following = selectors.review_queue_next(user=request.user, filters=filters, after=item)
    if following is None:
        messages.success(request, f"{done} " + _("Nothing else waits in this queue."))
        params = filters.as_params()
        return redirect(reverse("review_queue") + (f"?{params}" if params else ""))
    messages.success(request, f"{done} " + _("Next in the queue: %(code)s of %(agency)s.") % {
        "code": following.indicator.code, "agency": following.assessment.agency.short_name})
    return redirect(_with_queue(services.item_url(following), filters))


QUEUE_PAGE_SIZE = 50


@login_required
def review_queue(request):
    from django.core.paginator import Paginator

    if not access.is_provincial_staff(request.user):
        raise PermissionDenied
    filters = selectors.QueueFilters.from_params(request.GET)
    if request.method == "POST":
        # "Take" from the queue: the item must be one of this reviewer's queue (404 otherwise).
        item = selectors.review_queue(user=request.user).filter(pk=posted_int(request, "item")).first()
        if item is None:
            raise Http404
        try:
            services.item_assign_reviewer(item=item, actor=request.user, assignee=request.user, expected_reviewer=None)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("You took %(code)s of %(agency)s.") % {
                "code": item.indicator.code, "agency": item.assessment.agency.short_name})
        params = selectors.QueueFilters.from_params(request.POST).as_params()
        return redirect(request.path + (f"?{params}" if params else ""))
    page = Paginator(selectors.review_queue(user=request.user, filters=filters), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    params = filters.as_params()
    return render(
        request,
        "assessments/review_queue.html",
        {
            "page": page,
            "items": page.object_list,
            "filters": filters,
            "filter_params": params,
            "item_params": f"queue=1&{params}" if params else "queue=1",
            "choices": selectors.review_queue_choices(user=request.user),
        },
    )


@login_required
def officer_todo(request):
    return render(request, "assessments/todo.html", selectors.officer_todo(user=request.user))


@login_required
def assessment_history(request, period_id, code, file_format):
    period = selectors.period_get(period_id)
    assessment = selectors.assessment_get(user=request.user, period=period, code=code)
    if file_format not in CONTENT_TYPES:
        raise Http404
    columns = [
        ("indicator_code", _("Indicator code")), ("indicator", _("Indicator")), ("revision", _("Revision")),
        ("at", _("Time (WIB)")), ("actor", _("By")), ("action", _("Action")), ("from_state", _("From")),
        ("to_state", _("To")), ("note", _("Note")),
    ]
    rows = selectors.assessment_history_rows(assessment=assessment)
    for row in rows:
        row["at"] = timezone.localtime(row["at"]).strftime("%Y-%m-%d %H:%M")
    content = as_csv(columns, rows) if file_format == "csv" else as_xlsx([(_("History"), columns, rows)])
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="riwayat-{code}-{period.year}.{file_format}"'
    return response


@login_required
def stage_results(request, period_id):
    """Province staff import (CSV/XLSX) or enter by hand, per agency, the national assessors'
    results of a stage of the period (the stage chosen on the page); regency users may not (403)."""
    from .forms import StageResultsForm
    from .stage_result_files import read_table, validate_rows

    if not is_provincial_staff(request.user):
        raise PermissionDenied
    period = selectors.period_get(period_id)
    stage = request.GET.get("stage") or request.POST.get("stage") or services.NATIONAL_STAGES[0]
    if stage not in services.NATIONAL_STAGES:
        raise Http404
    assessments = selectors.stage_result_assessments(period=period)
    code = request.GET.get("agency", "")
    assessment = next((a for a in assessments if a.agency.code == code), None)
    if code and assessment is None:
        raise Http404
    items = selectors.assessment_items(assessment=assessment) if assessment else []
    results = selectors.stage_results_by_item(assessment=assessment, stage=stage) if assessment else {}
    entry_form = import_form = None
    import_problems = []
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "enter" and assessment is not None:
                entry_form = StageResultsForm(request.POST, items=items, results=results)
                if entry_form.is_valid():
                    written = services.stage_results_save(period=period, stage=stage, changes=entry_form.changes(),
                                                          actor=request.user, reason=entry_form.cleaned_data["reason"],
                                                          expected_stamp=entry_form.cleaned_data["stamp"])
                    messages.success(request, _("Saved: %(count)s results changed.") % {"count": written})
                    return redirect(f"{request.path}?stage={stage}&agency={assessment.agency.code}")
                status = 400
            elif action == "import":
                import_form = ExternalImportForm(request.POST, request.FILES)
                if import_form.is_valid():
                    upload = import_form.cleaned_data["file"]
                    changes = validate_rows(read_table(upload.read(), upload.name), period=period)
                    written = services.stage_results_save(period=period, stage=stage, changes=changes, actor=request.user,
                                                          reason=import_form.cleaned_data["reason"])
                    messages.success(request, _("Imported: %(count)s results changed.") % {"count": written})
                    return redirect(f"{request.path}?stage={stage}")
                status = 400
            else:
                return HttpResponse(status=400)
        except TableImportError as error:  # a file that cannot be read, or rows with problems
            import_problems = error.lines()
            status = 400
        except services.ConcurrentChange as error:
            messages.error(request, " ".join(error.messages))
            results = selectors.stage_results_by_item(assessment=assessment, stage=stage)
            entry_form = None
            status = 409
        except ValidationError as error:
            if entry_form is not None:
                add_service_errors(entry_form, error)
            else:
                import_problems = list(error.messages)
            status = 400
    if entry_form is None and assessment is not None:
        entry_form = StageResultsForm(items=items, results=results)
    return render(
        request,
        "assessments/stage_results.html",
        {"period": period, "stage": stage, "stage_label": services.STAGE_LABELS[stage],
         "stages": [(kind, services.STAGE_LABELS[kind]) for kind in services.NATIONAL_STAGES],
         "agency_rows": [(a, a.stage_counts.get(stage, 0)) for a in assessments], "assessment": assessment, "entry_form": entry_form,
         "import_form": import_form or ExternalImportForm(), "import_problems": import_problems,
         "read_only": period.is_read_only},
        status=status,
    )
