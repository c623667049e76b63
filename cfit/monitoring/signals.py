"""What starts a new edition of the results besides a refresh (which bumps it itself): rows the results
pages show that are saved by forms, the admin or actions alike."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from cfit.monitoring.models import Campaign, DisclosureRules, ResultsEdition
from cfit.pact.models import BuyerGroup

#: A campaign's publication (and its year and group), the rules a page states, a group's name in the
#: scope list: each is shown on the results pages.
SHOWN = (Campaign, DisclosureRules, BuyerGroup)


def new_edition(sender: type[Any], **kwargs: Any) -> None:
    if kwargs.get("raw"):  # fixtures being loaded: the refresh that follows bumps it
        return
    ResultsEdition.bump()


def connect() -> None:
    for model in SHOWN:
        post_save.connect(new_edition, sender=model, dispatch_uid=f"results-edition-save-{model.__name__}")
        post_delete.connect(
            new_edition, sender=model, dispatch_uid=f"results-edition-delete-{model.__name__}"
        )
