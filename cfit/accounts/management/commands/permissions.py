from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cfit.accounts.permissions import markdown


class Command(BaseCommand):
    help = "Print the permission table (what each role may do) as the Markdown of docs/permissions.md."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(markdown(), ending="")
