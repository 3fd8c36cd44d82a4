"""The interview preparation kit (bahan persiapan interviu) of one regency in one period, and the
"copy text" of an indicator for the national application.

``kit_gather`` reads everything once — items, evidence, the province's return notes, the national
assessors' stage results, the indices and the letterhead — in a fixed number of queries whatever
the number of indicators, into one ``InterviewKit``. Both renderers read only that object:
``render_pdf`` (WeasyPrint, the reports' A4 office layout and letterhead, nothing fetched) and
``render_docx`` (python-docx, for officers to edit). Both are always in Indonesian, like the
reports: the kit is taken into an Indonesian interview. Texts of the regulation (indicator names,
criteria) are data and printed as they are."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from spbe_portal.dates import format_datetime

from . import selectors
from .models import Evidence, IndicatorAssessment, ItemEvent, StageResult

# The province's notes that count as review notes: returns of an indicator or of an evidence item.
RETURN_ACTIONS = (ItemEvent.Action.RETURNED, ItemEvent.Action.EVIDENCE_ITEM_RETURNED)


@dataclass(frozen=True)
class KitNote:
    at: object  # datetime
    by: str
    text: str


@dataclass(frozen=True)
class KitStageNote:
    stage: str  # label, e.g. Penilaian dokumen
    score: object  # level, or value of an externally scored indicator; None when none was given
    note: str
    recommendation: str


@dataclass
class KitEntry:
    """One indicator of the kit, in framework order."""

    item: object  # IndicatorAssessment
    group: str  # the aspect (or domain) above the indicator: "Aspek 1.1 Kebijakan Internal"
    claimed: object  # selectors.LevelText of the claimed level, or None
    verified: object  # selectors.LevelText of the verified level, or None
    evidence: list = field(default_factory=list)  # Evidence rows, by level
    returns: list = field(default_factory=list)  # KitNote, oldest first
    stages: list = field(default_factory=list)  # KitStageNote, in stage order

    @property
    def indicator(self):
        return self.item.indicator

    @property
    def external(self):
        return self.item.indicator.externally_scored


@dataclass
class InterviewKit:
    assessment: object
    heading: object  # agencies.letterheads.OfficeHeading
    generated_at: object  # aware datetime, shown in WIB
    scores: dict  # variant → scoring.Scores
    state_counts: list  # [(label, count)]
    entries: list  # KitEntry

    # The names the shared report layout (templates/reports/_report_base.html) reads.
    @property
    def agency(self):
        return self.assessment.agency

    @property
    def period(self):
        return self.assessment.period

    @property
    def version(self):
        return self.assessment.period.framework_version

    def file_name(self, extension):
        """bahan-interviu-17.02-pemdi-2026.pdf: the agency code, the index (its name without
        "Indeks") and the year."""
        from django.utils.text import slugify

        index = slugify(self.version.index_name or self.version.framework.code).removeprefix("indeks-") or "indeks"
        return f"bahan-interviu-{self.agency.code}-{index}-{self.period.year}.{extension}"


def _level_text(texts, level):
    return next((text for text in texts if text.level == level), None) if level is not None else None


def kit_gather(*, assessment, now=None) -> InterviewKit:
    """Everything the kit prints about ``assessment`` (already scoped by the caller through
    ``selectors.assessment_get``), in a fixed number of queries."""
    from agencies.selectors import issuing_office

    from .services.stages import STAGE_LABELS, STAGE_ORDER

    version = assessment.period.framework_version
    items = selectors.assessment_items(assessment=assessment)
    overview = selectors.assessment_overview(assessment=assessment, items=items)
    groups = {group.node.pk: group.node for group in overview["groups"]}
    evidence, returns, stages = {}, {}, {}
    for row in Evidence.objects.filter(item__assessment=assessment).order_by("level", "item_code", "uploaded_at", "pk"):
        evidence.setdefault(row.item_id, []).append(row)
    for event in (ItemEvent.objects.filter(item__assessment=assessment, action__in=RETURN_ACTIONS).exclude(note="")
                  .select_related("actor").order_by("at", "pk")):
        by = event.actor.get_full_name() if event.actor else _("system")
        returns.setdefault(event.item_id, []).append(KitNote(event.at, by, event.note))
    order = {stage: position for position, stage in enumerate(STAGE_ORDER)}
    for result in sorted(StageResult.objects.filter(item__assessment=assessment), key=lambda r: order.get(r.stage, len(order))):
        stages.setdefault(result.item_id, []).append(
            KitStageNote(str(STAGE_LABELS.get(result.stage, result.stage)), result.score, result.note, result.recommendation))
    entries = []
    for item in items:
        texts = selectors.indicator_level_texts(item.indicator, version)
        parent = groups.get(item.indicator.parent_id)
        entries.append(KitEntry(
            item=item, group=f"{parent.tier_label} {parent.code} {parent.name}" if parent else "",
            claimed=_level_text(texts, item.level), verified=_level_text(texts, item.verified_level),
            evidence=evidence.get(item.pk, []), returns=returns.get(item.pk, []), stages=stages.get(item.pk, []),
        ))
    counts = {}
    for item in items:
        if not item.indicator.externally_scored:
            counts[item.state] = counts.get(item.state, 0) + 1
    state_counts = [(label, counts.get(state, 0)) for state, label in IndicatorAssessment.State.choices]
    return InterviewKit(
        assessment=assessment, heading=issuing_office(agency=assessment.agency), generated_at=now or timezone.now(),
        scores=overview["scores"], state_counts=state_counts, entries=entries,
    )


# --- What both documents print, as label and text ------------------------------------------------


def level_label(text):
    """"3 (Terdefinisi)", or "—"."""
    if text is None:
        return "—"
    return f"{text.level} ({text.name})" if text.name else str(text.level)


def evidence_name(evidence):
    """A file's name, or a link's description and address."""
    if evidence.kind == Evidence.Kind.FILE:
        return evidence.original_name or evidence.description
    return f"{evidence.description} — {evidence.url}" if evidence.description else evidence.url


def evidence_rows(entry):
    """The evidence table of an indicator: [(level, item code, name, SHA-256)]."""
    return [(str(e.level), e.item_code or "—", evidence_name(e), e.sha256 or "—") for e in entry.evidence]


def evidence_columns():
    return [_("Level"), _("Evidence item"), _("Name"), "SHA-256"]


def entry_facts(entry):
    """[(label, text)] of an indicator, in the order both documents print them."""
    item = entry.item
    if entry.external:
        value = number_format(item.external_value, 2) if item.external_value is not None else _("no value yet")
        facts = [(_("Value from %(source)s") % {"source": entry.indicator.external_source}, value)]
        if item.external_reference:
            facts.append((_("Source of the value"), item.external_reference))
        return facts
    return [
        (_("Claimed level"), level_label(entry.claimed)),
        (_("Criterion of the claimed level"), _criterion(entry.claimed)),
        (_("Verified level"), level_label(entry.verified)),
        (_("State"), item.get_state_display()),
        (_("Justification"), item.justification or "—"),
    ]


def _criterion(text):
    """The indicator's own criterion of the level, else the scale's description, said so."""
    if text is None:
        return "—"
    return text.criterion if text.own else f"{text.criterion} ({_('general description of the level')})"


def entry_notes(entry):
    """The province's notes: the current review note, then every return (date, by, note)."""
    notes = []
    if entry.item.review_note:
        notes.append(_("Current review note: %(note)s") % {"note": entry.item.review_note})
    notes.extend(f"{format_datetime(note.at)} · {note.by}: {note.text}" for note in entry.returns)
    return notes


def entry_stage_notes(entry):
    """The national assessors' findings so far, one line per stage."""
    lines = []
    for stage in entry.stages:
        parts = [f"{stage.stage}: " + (_("level/value %(score)s") % {"score": _score_text(stage.score)} if stage.score is not None
                                        else _("no level given"))]
        if stage.note:
            parts.append(_("note: %(note)s") % {"note": stage.note})
        if stage.recommendation:
            parts.append(_("recommendation: %(recommendation)s") % {"recommendation": stage.recommendation})
        lines.append(" — ".join(parts))
    return lines


def _score_text(score):
    return number_format(score, 2) if not isinstance(score, int) else str(score)


def summary_rows(kit):
    """The cover's summary: indices with predicates and how many indicators they count, and the items by state."""
    rows = []
    for variant, label in ((selectors.SELF, _("Self-assessed index")), (selectors.VERIFIED, _("Verified index"))):
        scores = kit.scores[variant]
        text = f"{number_format(scores.index, 2)} ({scores.predicate})"
        assessed = selectors.assessed_text(scores.assessed_count, scores.indicator_count)
        rows.append((label, f"{text} — {assessed}" if assessed else text))
    rows.append((_("Indicators"), str(len(kit.entries))))
    rows.extend((label, str(count)) for label, count in kit.state_counts)
    return rows


def cover_rows(kit):
    return [
        (_("Agency"), kit.agency.name),
        (_("Period"), kit.period.name),
        (_("Framework"), kit.version.name),
        (_("Generated"), format_datetime(kit.generated_at)),
    ]


def document_title():
    return _("Interview preparation kit")


# --- The two documents ---------------------------------------------------------------------------


def kit_context(kit):
    return {
        "report": kit, "kit": kit, "heading": kit.heading, "title": document_title(), "cover_rows": cover_rows(kit),
        "summary_rows": summary_rows(kit), "evidence_columns": evidence_columns(),
        "entries": [
            {"entry": entry, "facts": entry_facts(entry), "evidence": evidence_rows(entry), "notes": entry_notes(entry),
             "stages": entry_stage_notes(entry), "new_group": entry.group if index == 0 or entry.group != kit.entries[index - 1].group else ""}
            for index, entry in enumerate(kit.entries)
        ],
    }


def render_pdf(kit) -> bytes:
    """The kit as an A4 PDF under the agency's letterhead (the reports' layout); nothing is fetched
    but the embedded logo."""
    from weasyprint import HTML

    from agencies.letterheads import embedded_only_fetcher

    with translation.override("id"):
        html = render_to_string("assessments/interview_kit_pdf.html", kit_context(kit))
    return HTML(string=html, url_fetcher=embedded_only_fetcher(kit.heading.embedded()), base_url=None).write_pdf()


def render_docx(kit) -> bytes:
    """The kit as a Word document (python-docx) with the same content, for officers to edit."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    with translation.override("id"):
        context = kit_context(kit)
        document = Document()
        section = document.sections[0]
        section.page_height, section.page_width = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = Mm(20), Mm(20), Mm(18), Mm(16)
        document.styles["Normal"].font.name = "Arial"
        document.styles["Normal"].font.size = Pt(10)
        heading = kit.heading
        if heading.logo:
            document.add_picture(io.BytesIO(heading.logo), width=Mm(18))
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        for text, bold in ((heading.government, True), (heading.office, True), (heading.address, False), (heading.contact_line, False)):
            if text:
                paragraph = document.add_paragraph()
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                paragraph.paragraph_format.space_after = Pt(0)
                paragraph.add_run(text).bold = bold
        title = document.add_heading(context["title"], level=0)
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _docx_pairs(document, context["cover_rows"])
        document.add_heading(_("Summary"), level=1)
        _docx_pairs(document, context["summary_rows"])
        document.add_page_break()
        document.add_heading(_("Indicators"), level=1)
        for block in context["entries"]:
            entry = block["entry"]
            if block["new_group"]:
                document.add_heading(block["new_group"], level=2)
            document.add_heading(f"{entry.indicator.code}. {entry.indicator.name}", level=3)
            _docx_pairs(document, block["facts"])
            if not entry.external:
                document.add_heading(_("Evidence"), level=4)
                if block["evidence"]:
                    _docx_table(document, context["evidence_columns"], block["evidence"])
                else:
                    document.add_paragraph(_("No evidence."))
            document.add_heading(_("Province's review notes"), level=4)
            _docx_lines(document, block["notes"], _("No review note."))
            document.add_heading(_("National assessors' notes"), level=4)
            _docx_lines(document, block["stages"], _("No national stage result yet."))
        stream = io.BytesIO()
        document.save(stream)
    return stream.getvalue()


def _docx_pairs(document, pairs):
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, text in pairs:
        cells = table.add_row().cells
        cells[0].text = str(label)
        cells[0].paragraphs[0].runs[0].bold = True
        cells[1].text = str(text)
    document.add_paragraph()


def _docx_table(document, columns, rows):
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, columns):
        cell.text = str(label)
        cell.paragraphs[0].runs[0].bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = str(text)
    document.add_paragraph()


def _docx_lines(document, lines, empty):
    for line in lines or [empty]:
        document.add_paragraph(line, style="List Bullet" if lines else None)


# --- The copy text of one indicator --------------------------------------------------------------


def application_text(*, item, level_texts, evidence):
    """The justification as the national application takes it: "Tingkat 3 (Terdefinisi):
    justification", then "Bukti dukung:" and one line per evidence (level, item code, name).
    Always Indonesian, the application's language."""
    with translation.override("id"):
        claimed = _level_text(level_texts, item.level)
        lines = []
        if claimed is not None:
            lines.append(_("Level %(level)s: %(justification)s") % {"level": level_label(claimed), "justification": item.justification.strip()})
        else:
            lines.append(item.justification.strip())
        if evidence:
            lines.append(_("Evidence:"))
            for row in evidence:
                code = f" {row.item_code}" if row.item_code else ""
                lines.append(f"- {_('Level')} {row.level}{code}: {evidence_name(row)}")
        return "\n".join(line for line in lines if line)

