"""Django's makemessages, without fuzzy matching: a new string must get its own Spanish.

gettext's msgmerge otherwise pre-fills a new msgid with the translation of a similar old
one ("Not sent" took "Consent"'s), marked fuzzy, which is easy to miss and wrong.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
