"""Pages of joining: apply (with an account made on the way), follow one's application, and the
secretariat's review. Thin: forms in, an action of ``cfit.joining.actions``, a redirect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cfit.joining import actions
from cfit.joining.access import check_reviewer, get_application
from cfit.joining.forms import AccountForm, AnswerForm, ApplicationForm, DecisionForm, SignatureForm
from cfit.joining.models import Application, PactText
from cfit.uploads import ImportRefused


def _problem(error: Exception) -> str:
    if isinstance(error, ImportRefused):
        if error.code == "not_pdf":
            return _("%(file)s: only a PDF file is accepted.") % {"file": error.filename}
        if error.code == "too_large":
            return _("%(file)s: larger than %(size)s.") % {
                "file": error.filename,
                "size": error.params["size"],
            }
    return " ".join(getattr(error, "messages", [str(error)]))


def _signature(form: SignatureForm) -> actions.Signature:
    data = form.cleaned_data
    if data["signing"] == Application.Signing.UPLOADED:
        upload = data["signed_pact"]
        return actions.UploadedSignature(
            data=upload.read(), filename=upload.name, signed_on=data["signed_on"]
        )
    return actions.InPlatformSignature(
        signer_name=data["signer_name"],
        signer_role=data["signer_role"],
        signed_on=data["signed_on"],
        pact_version=data["pact_version"],
    )


def apply(request: HttpRequest) -> HttpResponse:
    """The application form, the pact's text to sign, and an account form for those without one."""
    anonymous = not request.user.is_authenticated
    post = request.POST if request.method == "POST" else None
    form = ApplicationForm(post)
    signature_form = SignatureForm(post, request.FILES if post is not None else None, prefix="sign")
    account_form = AccountForm(post) if anonymous else None
    problem = ""
    offered = PactText.current()
    if post is not None and all(f.is_valid() for f in (form, signature_form, account_form) if f is not None):
        details = actions.Details(**form.cleaned_data)
        try:
            with transaction.atomic():
                user: Any = request.user
                if account_form is not None:
                    user = actions.create_applicant(
                        username=account_form.cleaned_data["username"],
                        password=account_form.cleaned_data["password1"],
                        email=details.contact_email,
                    )
                application = actions.submit_application(
                    details, _signature(signature_form), acting_user=user
                )
        except (actions.ApplicationRefused, ImportRefused) as error:
            problem = _problem(error)
        else:
            if anonymous:
                login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(request, _("Your application has been sent to the secretariat."))
            return redirect("joining:application", application.pk)
    return render(
        request,
        "joining/apply.html",
        {
            "form": form,
            "signature_form": signature_form,
            "account_form": account_form,
            "problem": problem,
            "pact_version": offered.version,
            "pact_text": offered.text,
            "pact_sha256": offered.sha256,
        },
    )


@login_required
def my_applications(request: HttpRequest) -> HttpResponse:
    applications = Application.objects.of_applicant(request.user).select_related("organisation")
    return render(request, "joining/mine.html", {"applications": applications})


@login_required
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = get_application(request.user, application_id)
    reviewing = application.applicant_id != request.user.pk
    context: dict[str, Any] = {
        "application": application,
        "reviewing": reviewing,
        "pact_text": PactText.text_of(application.pact_version),
    }
    if reviewing and application.is_open:
        context["decision_form"] = DecisionForm()
    if not reviewing and application.may_become(Application.State.SUBMITTED):
        context["answer_form"] = AnswerForm()
        context["signature_form"] = SignatureForm(prefix="sign")
    return render(request, "joining/application.html", context)


@login_required
@require_POST
def answer(request: HttpRequest, application_id: int) -> HttpResponse:
    application = get_application(request.user, application_id)
    form = AnswerForm(request.POST)
    signature_form = SignatureForm(request.POST, request.FILES, prefix="sign")
    # Signing again is optional: only a complete signature form replaces the one on record.
    signature = _signature(signature_form) if signature_form.is_valid() else None
    if form.is_valid():
        try:
            actions.answer(
                application, text=form.cleaned_data["text"], signature=signature, acting_user=request.user
            )
        except (actions.ApplicationRefused, ImportRefused) as error:
            messages.error(request, _problem(error))
        else:
            messages.success(request, _("Your answer has been sent; the application is submitted again."))
    else:
        messages.error(request, _("Write your answer."))
    return redirect("joining:application", application.pk)


@login_required
@require_POST
def decide(request: HttpRequest, application_id: int) -> HttpResponse:
    check_reviewer(request.user)
    application = get_application(request.user, application_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect("joining:application", application.pk)
    decision, message = form.cleaned_data["decision"], form.cleaned_data["message"]
    try:
        if decision == "approve":
            actions.approve(application, message=message, acting_user=request.user)
            messages.success(request, _("Approved: the organisation now takes part."))
        elif decision == "more":
            actions.ask_for_more(application, message=message, acting_user=request.user)
            messages.success(request, _("The applicant has been asked for more."))
        else:
            actions.refuse_application(application, message=message, acting_user=request.user)
            messages.success(request, _("The application has been refused."))
    except actions.ApplicationRefused as error:
        messages.error(request, _problem(error))
    return redirect("joining:application", application.pk)


@login_required
def signed_pact(request: HttpRequest, application_id: int) -> HttpResponseBase:
    application = get_application(request.user, application_id)
    if not application.stored_file or not Path(application.stored_file).is_file():
        raise Http404
    return FileResponse(
        Path(application.stored_file).open("rb"),
        as_attachment=True,
        filename=application.filename or "signed-pact.pdf",
        content_type="application/pdf",
    )


@login_required
def review(request: HttpRequest) -> HttpResponse:
    check_reviewer(request.user)
    applications = Application.objects.select_related("applicant", "organisation")
    return render(
        request,
        "joining/review.html",
        {
            "waiting": applications.to_review(),
            "others": applications.exclude(state=Application.State.SUBMITTED),
        },
    )
