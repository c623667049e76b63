from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from cfit.accounts.demo import DEMO_PASSWORD, create_demo_data, create_demo_partnership
from cfit.casestudies.demo import create_demo_case_studies
from cfit.events.demo import create_demo_events
from cfit.joining.demo import create_demo_applications


class Command(BaseCommand):
    help = "Load the framework and demo organisations and accounts, and print the accounts (never in production)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("demo data is for development only (DJANGO_ENV=production is set)")
        call_command("loadframework", stdout=self.stdout)
        accounts = create_demo_data()
        accounts += create_demo_partnership()
        create_demo_case_studies()
        create_demo_applications(DEMO_PASSWORD)
        create_demo_events()
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD})")
        for account in accounts:
            self.stdout.write(f"  {account.username:<12} {account.role:<14} {account.organisation}")
        self.stdout.write("")
