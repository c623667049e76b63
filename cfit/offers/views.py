"""Pages for offers: receive, compare, override with a justification, report; and the supplier's upload page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cfit.offers import actions
from cfit.offers.access import get_upload_link
from cfit.offers.forms import OfferImportForm, SupplierUploadForm, UploadLinkForm
from cfit.offers.models import Offer, UploadLink
from cfit.tenders.access import get_tender_for_user
from cfit.tenders.actions import tender_spec
from cfit.tenders.response_template import build_response_template
from cfit.uploads import ImportRefused

LINES_SHOWN = 300  #: a page lists this many lines per lot; the XLSX report holds them all


def _read_upload(upload: object) -> bytes:
    return upload.read()  # type: ignore[attr-defined,no-any-return]


@login_required
def offer_index(request: HttpRequest, tender_id: int) -> HttpResponse:
    tender = get_tender_for_user(request.user, tender_id, edit=request.method == "POST")
    form = OfferImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            offer = actions.import_offer(
                tender,
                _read_upload(upload),
                upload.name,
                supplier=form.cleaned_data["supplier"],
                user=request.user,
                replace=form.cleaned_data["replace"],
            )
        except ImportRefused as error:
            problems = [f"{error.filename}: {p}" for p in error.problems]
        except actions.OfferError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Offer of %(supplier)s received: %(n)s product line(s).")
                % {"supplier": offer.supplier, "n": offer.line_count},
            )
            return redirect("offers:index", tender_id=tender.pk)
    links = UploadLink.objects.filter(tender=tender).select_related("offer")
    return render(
        request,
        "offers/index.html",
        {
            "tender": tender,
            "offers": Offer.objects.filter(tender=tender).select_related("submitted_by"),
            "form": form,
            "link_form": UploadLinkForm(),
            "links": [
                (link, request.build_absolute_uri(reverse("offers:upload", args=[link.token])))
                for link in links
            ],
            "problems": problems,
        },
    )


@require_POST
@login_required
def issue_link(request: HttpRequest, tender_id: int) -> HttpResponse:
    tender = get_tender_for_user(request.user, tender_id, edit=True)
    form = UploadLinkForm(request.POST)
    if form.is_valid():
        try:
            actions.issue_upload_link(tender, form.cleaned_data["supplier"], user=request.user)
        except actions.OfferError as error:
            messages.error(request, str(error))
    return redirect("offers:index", tender_id=tender.pk)


def upload(request: HttpRequest, token: str) -> HttpResponse:
    """The supplier's page: the template, an upload form and what it sent; nothing of anyone else."""
    link = get_upload_link(token)
    form = SupplierUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            actions.submit_through_link(link, _read_upload(upload_file), upload_file.name)
        except ImportRefused as error:
            problems = [f"{error.filename}: {p}" for p in error.problems]
        except actions.OfferError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your offer was received."))
            return redirect("offers:upload", token=token)
        link.refresh_from_db()
    return render(
        request,
        "offers/upload.html",
        {"link": link, "tender": link.tender, "form": form, "problems": problems},
    )


def upload_template(request: HttpRequest, token: str) -> HttpResponse:
    link = get_upload_link(token)
    response = HttpResponse(
        build_response_template(tender_spec(link.tender)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{link.tender.reference}-response.xlsx"'
    return response
