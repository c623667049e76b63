"""Pages for offers: receive (sealed until the deadline), questions and answers, and the supplier's upload page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cfit.accounts.permissions import Action, may
from cfit.downloads import attachment
from cfit.offers import actions
from cfit.offers.access import get_upload_link, offers_opened, offers_receiving
from cfit.offers.forms import AnswerForm, OfferImportForm, QuestionForm, SupplierUploadForm, UploadLinkForm
from cfit.offers.models import Clarification, Offer, OfferReceipt, UploadLink
from cfit.refusals import refusal_texts
from cfit.tenders.access import get_tender_for_user
from cfit.tenders.actions import format_moment, tender_spec
from cfit.tenders.response_template import build_response_template
from cfit.uploads import ImportRefused

LINES_SHOWN = 300  #: a page lists this many lines per lot; the XLSX report holds them all


def _read_upload(upload: UploadedFile) -> bytes:
    return upload.read()


@login_required
def offer_index(request: HttpRequest, tender_id: int) -> HttpResponse:
    """Receive offers; before the deadline only how many arrived, after it the offers themselves."""
    tender = get_tender_for_user(
        request.user, tender_id, edit=request.method == "POST", action=Action.OFFER_EVALUATE
    )
    form = OfferImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            receipt = actions.import_offer(
                tender,
                _read_upload(upload),
                upload.name,
                supplier=form.cleaned_data["supplier"],
                acting_user=request.user,
                replace=form.cleaned_data["replace"],
            )
        except ImportRefused as error:
            problems = refusal_texts(error, "offers")
        except actions.OfferError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "The offer of %(supplier)s was received (SHA-256 %(sha256)s); it stays sealed until the deadline."
                )
                % {"supplier": receipt.supplier, "sha256": receipt.sha256},
            )
            return redirect("offers:index", tender_id=tender.pk)
    opened = offers_opened(tender)
    offers = Offer.objects.filter(tender=tender)
    links = UploadLink.objects.filter(tender=tender)
    return render(
        request,
        "offers/index.html",
        {
            "tender": tender,
            "opened": opened,
            "receiving": offers_receiving(tender),
            # Sealed: how many arrived, never what (no suppliers, no lines).
            "offers": offers.select_related("submitted_by") if opened else None,
            "offer_count": offers.count(),
            "receipt_count": OfferReceipt.objects.filter(tender=tender).count(),
            "receipts": OfferReceipt.objects.filter(tender=tender) if opened else None,
            "form": form,
            "link_form": UploadLinkForm(prefix="link"),  # its own ids beside the import form
            "links": [
                (link, request.build_absolute_uri(reverse("offers:upload", args=[link.token])))
                for link in links
            ],
            "questions": Clarification.objects.filter(tender=tender),
            "answer_max": actions.MAX_ANSWER,
            "problems": problems,
            # A viewer reads; the import, link and answer forms would end in a 403 for it.
            "may_act": may(request.user, Action.OFFER_EVALUATE, tender.organisation_id),
        },
    )


@require_POST
@login_required
def issue_link(request: HttpRequest, tender_id: int) -> HttpResponse:
    tender = get_tender_for_user(request.user, tender_id, edit=True)
    form = UploadLinkForm(request.POST, prefix="link")
    if form.is_valid():
        try:
            actions.issue_upload_link(tender, form.cleaned_data["supplier"], acting_user=request.user)
        except actions.OfferError as error:
            messages.error(request, str(error))
    return redirect("offers:index", tender_id=tender.pk)


@require_POST
@login_required
def answer_question(request: HttpRequest, tender_id: int, question_pk: int) -> HttpResponse:
    tender = get_tender_for_user(request.user, tender_id, edit=True)
    question = get_object_or_404(Clarification.objects.filter(tender=tender), pk=question_pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
    else:
        try:
            actions.answer_clarification(question, form.cleaned_data["answer"], acting_user=request.user)
        except actions.OfferError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Answered; every supplier with an upload link sees it now."))
    return redirect("offers:index", tender_id=tender.pk)


def _upload_page(request: HttpRequest, link: UploadLink, **context: Any) -> HttpResponse:
    tender = link.tender
    receiving = offers_receiving(tender) and link.is_valid
    return render(
        request,
        "offers/upload.html",
        {
            "link": link,
            "tender": tender,
            "receiving": receiving,
            "form": SupplierUploadForm(),
            "question_form": QuestionForm(),
            "problems": [],
            # Only what came through this link: another supplier's receipts never show here.
            "receipts": OfferReceipt.unscoped.filter(link=link),
            # Answers are for every supplier of the tender; who asked is never shown.
            "answered": Clarification.unscoped.filter(tender=tender, answered_at__isnull=False),
            "waiting": Clarification.unscoped.filter(asked_through=link, answered_at__isnull=True),
            **context,
        },
    )


def upload(request: HttpRequest, token: str) -> HttpResponse:
    """The supplier's page: the template, an upload form, its receipts and the tender's answered questions."""
    link = get_upload_link(token)
    form = SupplierUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            receipt = actions.submit_through_link(link, _read_upload(upload_file), upload_file.name)
        except ImportRefused as error:
            problems = refusal_texts(error, "offers")
        except actions.OfferError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Your offer was received on %(time)s. Your receipt: SHA-256 %(sha256)s.")
                % {"time": format_moment(receipt.received_at), "sha256": receipt.sha256},
            )
            return redirect("offers:upload", token=token)
        link.refresh_from_db()
    return _upload_page(request, link, form=form, problems=problems)


@require_POST
def ask_question(request: HttpRequest, token: str) -> HttpResponse:
    link = get_upload_link(token)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            actions.ask_clarification(link, form.cleaned_data["question"])
        except actions.OfferError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your question was sent; its answer will appear on this page."))
            return redirect("offers:upload", token=token)
    return _upload_page(request, link, question_form=form)


def upload_template(request: HttpRequest, token: str) -> HttpResponse:
    link = get_upload_link(token)
    response = HttpResponse(
        build_response_template(tender_spec(link.tender)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return attachment(response, f"{link.tender.reference}-response.xlsx")
