"""Writes of what is measured, one module per concern, one transaction each:

- frameworks: load framework files as versions;
- periods: periods, their states and the assessments of agencies in them;
- workflow: the review workflow of an item (save, evidence, submit, review) and what-if targets;
- stages: the stages of the national evaluation on a period, their dates and timeline;
- summaries: the engine's numbers kept per assessment;
- results: published national results;
- external: values of externally scored indicators, entered or imported by the province;
- stage_results: the national assessors' results of each stage, entered or imported;
- digests: the reviewers' daily digest of submissions;
- stage_reminders: the daily reminder of a stage ending soon, to whoever still has work before it.

Callers import from ``assessments.services``; the names below are the public ones.
"""

from .digests import review_digests_send, wib
from .external import ExternalChange, external_score_set, external_scores_save, external_value_parse, external_value_problem
from .frameworks import FrameworkLoad, framework_load, framework_version_in_use
from .periods import (
    Enrolment,
    assessment_get_or_create,
    assessment_levels_set,
    final_results_publish,
    period_create,
    period_enrol,
    period_next_states,
    period_transition,
)
from .results import CorrectionError, published_result_correct, published_results_correct, published_results_save
from .stages import (
    NATIONAL_STAGES,
    STAGE_LABELS,
    STAGE_ORDER,
    TimelineStage,
    period_current_stage,
    period_stages_set,
    period_timeline,
    stage_order_problems,
)
from .stage_results import StageResultChange, stage_results_save, stage_results_stamp, stage_score_problem
from .stage_reminders import stage_reminders_send, stages_ending
from .summaries import SUMMARY_ROW, assessment_summary_refresh, summaries_rebuild
from .workflow import (
    ACTIVE_PERIOD_STATES,
    UNCHANGED,
    ConcurrentChange,
    assessment_reviewed_import,
    evidence_add,
    evidence_checklist,
    evidence_items_of,
    evidence_missing,
    evidence_remove,
    item_assign_reviewer,
    item_open_revision,
    item_review,
    item_save,
    item_submit,
    item_update,
    item_url,
    levels_without_evidence,
    refuse_external_level,
    targets_save,
    verified_level_from,
)

__all__ = [
    "NATIONAL_STAGES", "STAGE_LABELS", "STAGE_ORDER", "TimelineStage", "period_current_stage", "period_stages_set",
    "period_timeline", "stage_order_problems",
    "StageResultChange", "stage_results_save", "stage_results_stamp", "stage_score_problem",
    "ACTIVE_PERIOD_STATES", "ConcurrentChange", "ExternalChange", "FrameworkLoad", "SUMMARY_ROW", "UNCHANGED",
    "Enrolment", "final_results_publish", "period_enrol",
    "assessment_get_or_create", "assessment_levels_set", "assessment_reviewed_import",
    "assessment_summary_refresh", "evidence_add", "evidence_checklist", "evidence_items_of",
    "evidence_missing", "evidence_remove", "external_score_set", "external_scores_save",
    "external_value_parse", "external_value_problem", "framework_load",
    "framework_version_in_use", "item_assign_reviewer", "item_open_revision", "item_review", "item_save",
    "item_submit", "item_update", "item_url", "levels_without_evidence", "period_create", "refuse_external_level",
    "period_next_states", "period_transition", "published_results_save", "published_result_correct", "published_results_correct", "CorrectionError", "review_digests_send",
    "summaries_rebuild", "targets_save", "verified_level_from", "wib",
    "stage_reminders_send", "stages_ending",
]
