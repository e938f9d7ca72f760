"""PostgreSQL's `unaccent` for accent-insensitive search (core/text_search.py).

A trusted extension since PostgreSQL 13: the database's owner may create it without
superuser rights. On SQLite the operation does nothing (the function is registered on
each connection instead).
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0001_worker_heartbeat")]

    operations = [UnaccentExtension()]
