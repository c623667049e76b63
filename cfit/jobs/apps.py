from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

#: Seconds an SQLite writer waits for another's transaction before "database is locked": longer than
#: the final transaction of a large register import, so that a sign-in meanwhile waits instead of failing.
SQLITE_BUSY_TIMEOUT = 30


def configure_sqlite(sender: Any, connection: Any, **kwargs: Any) -> None:
    """WAL (readers never wait for the writer, the writer never waits for readers) and a busy timeout
    on every SQLite connection; the settings ask for WAL too, this holds wherever the database is."""
    if connection.vendor != "sqlite":
        return
    from django.conf import settings

    timeout = int(getattr(settings, "SQLITE_BUSY_TIMEOUT", SQLITE_BUSY_TIMEOUT) * 1000)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={timeout}")


class JobsConfig(AppConfig):
    name = "cfit.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        connection_created.connect(configure_sqlite, dispatch_uid="cfit.jobs.configure_sqlite")
