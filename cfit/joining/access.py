"""Who sees an application: its applicant and the secretariat; everyone else gets 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from cfit.accounts.access import is_secretariat_staff
from cfit.joining.models import Application


def get_application(user: Any, application_id: int) -> Application:
    """The application for its applicant or the secretariat; 404 for anyone else (existence not revealed)."""
    if not user.is_authenticated:
        raise Http404
    application = (
        Application.objects.select_related("applicant", "organisation").filter(pk=application_id).first()
    )
    if application is None or not (application.applicant_id == user.pk or is_secretariat_staff(user)):
        raise Http404
    return application


def check_reviewer(user: Any) -> None:
    """Only the secretariat reviews applications."""
    if not is_secretariat_staff(user):
        raise PermissionDenied
