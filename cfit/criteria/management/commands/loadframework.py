from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cfit.criteria import content
from cfit.criteria.actions import FrameworkError, load_framework


class Command(BaseCommand):
    help = "Load the criteria framework files (idempotent): a new version only when the files changed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dir", type=Path, default=content.FRAMEWORK_DIR, help="folder of the framework files"
        )
        parser.add_argument("--draft", action="store_true", help="load as a draft instead of publishing it")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            framework = content.load_framework_dir(options["dir"])
            coming = content.check_legal_floors(framework, timezone.localdate())
            version, changed = load_framework(framework, publish=not options["draft"])
        except (content.ContentError, content.BelowLegalFloor, FrameworkError) as error:
            raise CommandError(str(error)) from error
        for finding in coming:
            self.stderr.write(f"warning: {finding.describe()}")
        count = version.criteria.count()
        state = "loaded" if changed else "already loaded, nothing changed"
        self.stdout.write(
            f"Framework {version.code} ({version.get_status_display()}): {count} criteria, {state}."
        )
