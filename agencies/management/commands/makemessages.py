from django.core.management.commands import makemessages


class Command(makemessages.Command):
    """makemessages without fuzzy matching: a new string arrives empty, so it is translated on
    purpose instead of inheriting a near-miss that looks done (tests/test_i18n.py)."""

    msgmerge_options = makemessages.Command.msgmerge_options + ["--no-fuzzy-matching"]
