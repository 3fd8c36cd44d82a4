from ._export import ExportCommand


class Command(ExportCommand):
    help = "Export a period's levels per agency and indicator (self-assessed, verified, target) as CSV or Excel."
    kind = "levels"
