"""Framework files: load a validated file as a framework version (never altering one in use)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from ..framework_files import content_hash, load_text
from ..models import (
    Framework,
    FrameworkNode,
    FrameworkVersion,
)

@dataclass(frozen=True)
class FrameworkLoad:
    version: FrameworkVersion
    outcome: str  # "created", "unchanged", "updated" (unused version changed in place), "new_version"

    @property
    def message(self):
        return {
            "created": _("%(name)s loaded as version %(number)s."),
            "unchanged": _("%(name)s is already loaded as version %(number)s: nothing changed."),
            "updated": _("%(name)s version %(number)s was not in use yet and has been updated in place."),
            "new_version": _("%(name)s is in use, so the changed file was loaded as a new version %(number)s."),
        }[self.outcome] % {"name": self.version.name, "number": self.version.number}

def framework_version_in_use(version):
    return version.periods.exists() or version.published_results.exists()

@transaction.atomic
def framework_load(*, text, name="", actor=None):
    """Validate a framework file and load it. The same content twice changes nothing; a version
    that a period or a published result uses is never altered: a change becomes a new version.
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
    else:
        version = FrameworkVersion(framework=framework, number=(latest.number + 1) if latest else 1)
        outcome = "new_version" if latest else "created"
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
    _framework_nodes_create(version, definition)
    return FrameworkLoad(version, outcome)


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
                    name=data["name"],
                    tier=tiers[depth]["key"],
                    tier_label=tiers[depth]["label"],
                    depth=depth,
                    position=0,
                    weight=Decimal(str(data["weight"])),
                    is_indicator=not data.get("children"),
                    level_scale=scale,
                    externally_scored=bool(data.get("externally_scored")),
                    external_source=data.get("external_source", ""),
                    criteria={str(k): v for k, v in (data.get("criteria") or {}).items()},
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
