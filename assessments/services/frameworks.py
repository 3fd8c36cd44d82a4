"""Framework files: load a validated file as a framework version (never changing a number of one in use)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from ..framework_files import content_hash, load_text, scoring_hash
from ..models import (
    Framework,
    FrameworkNode,
    FrameworkVersion,
)

@dataclass(frozen=True)
class FrameworkLoad:
    version: FrameworkVersion
    outcome: str  # "created", "unchanged", "updated" (unused version changed in place), "texts_updated", "new_version"

    @property
    def message(self):
        return {
            "created": _("%(name)s loaded as version %(number)s."),
            "unchanged": _("%(name)s is already loaded as version %(number)s: nothing changed."),
            "updated": _("%(name)s version %(number)s was not in use yet and has been updated in place."),
            "texts_updated": _("%(name)s version %(number)s is in use, but only its texts changed: they have been updated in place (no number changes)."),
            "new_version": _("%(name)s is in use, so the changed file was loaded as a new version %(number)s."),
        }[self.outcome] % {"name": self.version.name, "number": self.version.number}

def framework_version_in_use(version):
    return version.periods.exists() or version.published_results.exists()

@transaction.atomic
def framework_load(*, text, name="", actor=None):
    """Validate a framework file and load it. The same content twice changes nothing; a version
    that a period or a published result uses never changes a number: a change of its scoring content
    becomes a new version, a change of texts only (framework_files.scoring_content) updates it in place.
    Raises FrameworkFileError (nothing written) for a bad file."""
    definition = load_text(text, name=name)
    digest = content_hash(definition)
    framework, _created = Framework.objects.select_for_update().get_or_create(
        code=definition["code"], defaults={"name": definition["name"]}
    )
    if framework.name != definition["name"]:
        framework.name = definition["name"]
        framework.save(update_fields=["name"])
    same = framework.versions.filter(content_sha256=digest).first()
    if same:
        return FrameworkLoad(same, "unchanged")
    latest = framework.versions.order_by("-number").first()
    if latest and not framework_version_in_use(latest):
        latest.nodes.all().delete()
        version, outcome = latest, "updated"
    elif latest and scoring_hash(latest.definition) == scoring_hash(definition):
        # Only words changed (names, explanations, criteria, notes, sources…): every number of every
        # period stays the same, so the version in use takes the corrected texts instead of forking.
        _framework_version_fill(latest, definition, digest=digest, name=name, actor=actor)
        _framework_node_texts_update(latest, definition)
        return FrameworkLoad(latest, "texts_updated")
    else:
        version = FrameworkVersion(framework=framework, number=(latest.number + 1) if latest else 1)
        outcome = "new_version" if latest else "created"
    _framework_version_fill(version, definition, digest=digest, name=name, actor=actor)
    _framework_nodes_create(version, definition)
    return FrameworkLoad(version, outcome)


def _framework_version_fill(version, definition, *, digest, name, actor):
    """Write the file's content on the version and record the load (who; when is loaded_at)."""
    years = definition.get("evaluation_years") or {}
    version.name = definition["name"]
    version.regulation = definition["regulation"]
    version.index_name = definition.get("index_name", "")
    version.source_note = definition.get("source_note", "")
    version.first_year = years.get("from")
    version.last_year = years.get("to")
    version.content_sha256 = digest
    version.definition = definition
    version.source_file = name[-255:]
    version.loaded_by = actor
    version.save()


def _node_texts(data):
    return {
        "name": data["name"],
        "explanation": (data.get("explanation") or "").strip(),
        "criteria": {str(k): v for k, v in (data.get("criteria") or {}).items()},
        "evidence_items": {
            str(level): [{"code": str(entry["code"]).strip(), "text": entry["text"].strip()} for entry in entries]
            for level, entries in sorted((data.get("evidence_items") or {}).items(), key=lambda pair: int(pair[0]))
        },
        "evidence_items_source": (data.get("evidence_items_source") or "").strip(),
    }


def _framework_node_texts_update(version, definition):
    """The texts of existing nodes, matched by code (same scoring content: same codes and shape)."""
    texts = {}
    stack = list(definition["tree"])
    while stack:
        data = stack.pop()
        texts[str(data["code"])] = _node_texts(data)
        stack.extend(data.get("children") or [])
    nodes = list(version.nodes.all())
    for node in nodes:
        for field, value in texts[node.code].items():
            setattr(node, field, value)
    FrameworkNode.objects.bulk_update(nodes, ["name", "explanation", "criteria", "evidence_items", "evidence_items_source"])


def _framework_nodes_create(version, definition):
    tiers = definition["tiers"]
    position = 0
    level = [(None, item, definition.get("default_level_scale") or "") for item in definition["tree"]]
    depth = 0
    while level:
        rows = []
        for parent, data, inherited_scale in level:
            position += 1
            scale = data.get("level_scale") or inherited_scale
            rows.append(
                FrameworkNode(
                    version=version,
                    parent=parent,
                    code=str(data["code"]),
                    tier=tiers[depth]["key"],
                    tier_label=tiers[depth]["label"],
                    depth=depth,
                    position=0,
                    weight=Decimal(str(data["weight"])),
                    is_indicator=not data.get("children"),
                    level_scale=scale,
                    externally_scored=bool(data.get("externally_scored")),
                    external_source=data.get("external_source", ""),
                    **_node_texts(data),
                )
            )
        created = FrameworkNode.objects.bulk_create(rows)
        level = [
            (node, child, node.level_scale)
            for node, (_parent, data, _scale) in zip(created, level)
            for child in data.get("children") or []
        ]
        depth += 1
    # Positions in depth-first (file) order, so that lists read like the file.
    order = {code: index for index, code in enumerate(_depth_first_codes(definition["tree"]))}
    nodes = list(version.nodes.all())
    for node in nodes:
        node.position = order[node.code]
    FrameworkNode.objects.bulk_update(nodes, ["position"])


def _depth_first_codes(items):
    for item in items:
        yield str(item["code"])
        yield from _depth_first_codes(item.get("children") or [])
