from ._export import ExportCommand


class Command(ExportCommand):
    help = "Export a period's indices per agency (overall, per domain and aspect, predicates) as CSV or Excel."
    kind = "indices"
