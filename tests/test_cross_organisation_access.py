"""Nobody sees or changes what is not theirs, tried from outside on every route of the project.

One world (the demo, plus what it lacks) gives buyer A (Rijkswaterstaat) one object of every protected
kind. Every URL pattern is filled with A's ids and slugs and requested by the outsiders: B's procurer
(Lyon), a supplier with no tie to A, the coordinator of another buyer group, an anonymous visitor and A's
own user through a revoked and an expired API token; with GET (and the organisation chooser's
parameters), POST (with A's ids in the form fields), PUT and DELETE. None may answer 2xx on a private
route, no answer may show one of A's marked texts, and no row of the database may change. A new route
the test cannot fill fails it: add its parameters to ``FILL``, or it to ``PUBLIC`` with the reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from cfit.accounts.models import ApiToken, Membership, Organisation
from cfit.accounts.scoping import system_scope
from cfit.demo import create_demo_data
from tests.test_every_word_translated import small_partnership

pytestmark = pytest.mark.django_db

MARK = "ZZSECRET"
A = "rijkswaterstaat"

# -- the world


def _make(label: str, **fields: Any) -> Any:
    return apps.get_model(label).objects.create(**fields)


def _build() -> dict[str, Any]:
    """A's objects (ids and slugs by the route parameter they fill) and the outsiders' users."""
    User = get_user_model()
    now = timezone.now()
    w: dict[str, Any] = {}
    with system_scope():
        a = Organisation.objects.get(slug=A)
        a_user = User.objects.get(username="procurer")
        w["a"] = a
        tender = apps.get_model("tenders.Tender").objects.filter(organisation=a, offers__isnull=False).first()
        assert tender is not None
        apps.get_model("tenders.Tender").objects.filter(organisation=a).update(title=f"{MARK} tender")
        w["tender"] = tender
        w["lot"] = tender.lots.first()
        w["line"] = apps.get_model("offers.OfferLine").objects.filter(offer__tender=tender).first()
        w["sign_off"] = apps.get_model("offers.EvaluationSignOff").objects.filter(organisation=a).first()
        w["question"] = apps.get_model("offers.Clarification").objects.filter(organisation=a).first()
        w["asset"] = apps.get_model("fleet.Asset").objects.filter(organisation=a).first()
        w["import"] = _make(
            "fleet.AssetImport", organisation=a, filename=f"{MARK}-register.csv", stored_file="x/none.csv",
            default_country="NL", stage="mapping",
        )  # fmt: skip
        w["disposal"] = _make(
            "fleet.DisposalReport", organisation=a, filename=f"{MARK}-itad.csv", stored_file="x/none.csv",
            state="preview", mapping={"tag": "asset_key"},
        )  # fmt: skip
        w["usage"] = _make(
            "cloud.CloudUsage", organisation=a, filename=f"{MARK}-focus.csv", sha256="0" * 64,
            focus_version="1.0", method="ccf", first_month="2026-01", last_month="2026-02", rows=1,
            counted_rows=1, energy_kwh_low=1, energy_kwh=2, energy_kwh_high=3, emissions_kgco2e_low=1,
            emissions_kgco2e=2, emissions_kgco2e_high=3, result={},
        )  # fmt: skip
        w["facility"] = _make("datacentres.Facility", organisation=a, name=f"{MARK} facility", country="NL")
        w["facility_link"] = apps.get_model("datacentres.FacilityLot").objects.first()
        contract = apps.get_model("contracts.Contract").objects.filter(organisation=a).first()
        assert contract is not None
        w["contract"] = contract
        w["row"] = contract.criteria.first() if hasattr(contract, "criteria") else None
        if w["row"] is None:
            w["row"] = apps.get_model("contracts.ContractCriterion").objects.filter(contract=contract).first()
        w["submission"] = (
            apps.get_model("contracts.Submission").objects.filter(obligation__contract=contract).first()
        )
        w["obligation"] = w["submission"].obligation
        w["finding"] = _make(
            "contracts.Finding", contract=contract, obligation=w["obligation"], kind="complaint",
            description=f"{MARK} finding", action="", owner="", deadline=date(2027, 1, 1), closing_note="",
            evidence_name="", evidence_sha256="",
        )  # fmt: skip
        w["minerals"] = apps.get_model("duediligence.MineralsReport").objects.first()
        w["record"] = apps.get_model("audit.AuditRecord").objects.filter(organisation=a).first()
        w["campaign"] = apps.get_model("monitoring.Campaign").objects.first()
        w["report"] = apps.get_model("monitoring.Report").objects.filter(organisation=a).first()
        w["group"] = apps.get_model("pact.BuyerGroup").objects.get(slug="buyer-group-nl")
        w["membership"] = apps.get_model("pact.GroupMembership").objects.filter(organisation=a).first()
        wg = _make("pact.WorkingGroup", name="Private working group", slug="zz-private-wg")
        w["seat"] = _make("pact.WorkingGroupMember", group=wg, organisation=a)
        w["wg"] = wg
        w["wg_request"] = _make("pact.WorkingGroupRequest", group=wg, organisation=a, role="observer")
        w["document"] = _make(
            "pact.WorkingGroupDocument", group=wg, title=f"{MARK} document", url="https://example.org/doc",
            stored_file="", filename="",
        )  # fmt: skip
        w["event"] = _make(
            "learning.Event", buyer_group=w["group"], title=f"{MARK} event", description="",
            starts=now + timedelta(days=9), ends=now + timedelta(days=9, hours=1), place="", online_url="",
            capacity=10,
        )  # fmt: skip
        w["material"] = _make(
            "learning.EventMaterial", event=w["event"], title=f"{MARK} material", url="https://example.org/m",
            stored_file="", filename="",
        )  # fmt: skip
        w["feed_secret"] = "cal_" + "a" * 40
        _make(
            "learning.CalendarFeed", user=a_user, digest=hashlib.sha256(w["feed_secret"].encode()).hexdigest()
        )
        w["application"] = _make(
            "joining.Application", organisation_name=f"{MARK} applicant", country="NL",
            type="procuring_participant", contact_name="x", contact_email="x@example.org", applicant=a_user,
            signing="in_platform", pact_version="1", pact_sha256="0" * 64, signer_name="x", signer_role="x",
            signed_on=date(2026, 1, 1), stored_file="", filename="", file_sha256="", message="", answer="",
            submitted=now,
        )  # fmt: skip
        w["case_study"] = _make(
            "casestudies.CaseStudy", tender=tender, organisation=a, title=f"{MARK} case study",
            what_bought="", end_of_use="", country="NL", year=2026,
        )  # fmt: skip
        w["consultation"] = _make(
            "consultations.Consultation", buyer_group=w["group"], title=f"{MARK} consultation",
            description="", deadline=now + timedelta(days=9),
        )  # fmt: skip
        w["upload_link"] = apps.get_model("offers.UploadLink").objects.filter(organisation=a).first()
        w["criterion"] = apps.get_model("criteria.Criterion").objects.first()
        w["version"] = apps.get_model("criteria.FrameworkVersion").objects.first()
        w["statement"] = apps.get_model("pact.Statement").objects.first()
        w["supplier_org"] = contract.supplier_organisation or Organisation.objects.get(slug="green-refurb")
        token_fields = {"user": a_user, "read_only": False, "name": "x"}
        w["revoked"], w["expired"] = "cfit_" + "r" * 40, "cfit_" + "e" * 40
        w["token"] = ApiToken.objects.create(
            prefix=w["revoked"][:12], digest=hashlib.sha256(w["revoked"].encode()).hexdigest(),
            expires=now + timedelta(days=30), revoked=now - timedelta(days=1), **token_fields,
        )  # fmt: skip
        ApiToken.objects.create(
            prefix=w["expired"][:12], digest=hashlib.sha256(w["expired"].encode()).hexdigest(),
            expires=now - timedelta(days=1), **token_fields,
        )  # fmt: skip
        # the outsiders
        supplier = Organisation.objects.create(
            slug="zz-outside-supplies",
            name="Outside Supplies",
            country="DE",
            type=Organisation.Type.SUPPORTER,
        )
        coordination = Organisation.objects.create(
            slug="zz-other-coordination", name="Other Coordination", country="BE",
            type=Organisation.Type.COORDINATING_PARTICIPANT,
        )  # fmt: skip
        from cfit.pact import actions as pact

        pact.create_buyer_group(
            coordination,
            name="Other group",
            slug="zz-other-group",
            country="BE",
            language="fr",
            description="x",
        )
        for username, organisation in (("zz-supplier", supplier), ("zz-coordinator", coordination)):
            user = User.objects.create_user(username=username, password="x")
            Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.ADMIN)
    return w


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        create_demo_data()
        small_partnership()
        yield _build()
        transaction.set_rollback(True)


# -- the routes

W = dict[str, Any]
T = "tender_id"

#: Route name -> its parameters filled with A's objects.
FILL: dict[str, Callable[[W], dict[str, Any]]] = {
    "api-token-revoke": lambda w: {"pk": w["token"].pk},
    "audit:records": lambda w: {"slug": A},
    "audit:csv": lambda w: {"slug": A},
    "audit:record": lambda w: {"slug": A, "record_id": w["record"].pk},
    "accounts:detail": lambda w: {"slug": A},
    "accounts:notice-details": lambda w: {"slug": A},
    "criteria:create_draft": lambda w: {"code": w["version"].code},
    "criteria:submit": lambda w: {"code": w["version"].code},
    "criteria:approve": lambda w: {"code": w["version"].code},
    "criteria:send_back": lambda w: {"code": w["version"].code},
    "criteria:publish": lambda w: {"code": w["version"].code},
    "criteria:import": lambda w: {"code": w["version"].code},
    "criteria:edit": lambda w: {"code": w["version"].code, "criterion_code": w["criterion"].code},
    "criteria:mark_reviewed": lambda w: {"code": w["version"].code, "criterion_code": w["criterion"].code},
    "criteria:add_to_shortlist": lambda w: {"code": w["criterion"].code},
    **{
        f"tenders:{name}": (lambda w: {T: w["tender"].pk})
        for name in ("detail", "ambition", "review", "edit", "status", "notice-terms")
    },
    "tenders:download": lambda w: {T: w["tender"].pk, "fmt": "docx"},
    **{
        f"offers:{n}": (lambda w: {T: w["tender"].pk})
        for n in ("index", "issue_link", "compare", "prepare_sign_off")
    },
    "offers:line": lambda w: {T: w["tender"].pk, "line_pk": w["line"].pk},
    "offers:report": lambda w: {T: w["tender"].pk, "fmt": "xlsx"},
    "offers:approve_sign_off": lambda w: {T: w["tender"].pk, "sign_off_pk": w["sign_off"].pk},
    "offers:answer_question": lambda w: {T: w["tender"].pk, "question_pk": w["question"].pk},
    **{
        f"fleet:{n}": (lambda w: {"slug": A})
        for n in ("dashboard", "scenario", "assets", "import", "retire", "disposal")
    },
    "fleet:asset": lambda w: {"slug": A, "asset_id": w["asset"].pk},
    "fleet:disposal-report": lambda w: {"slug": A, "report_id": w["disposal"].pk},
    **{
        f"fleet:{n}": (lambda w: {"slug": A, "import_id": w["import"].pk})
        for n in ("import-mapping", "import-values", "import-progress", "import-problems", "import-status")
    },
    "cloud:overview": lambda w: {"slug": A},
    "cloud:usage": lambda w: {"slug": A, "usage_id": w["usage"].pk},
    "cloud:remove": lambda w: {"slug": A, "usage_id": w["usage"].pk},
    "datacentres:facility": lambda w: {"facility_id": w["facility"].pk},
    "datacentres:file": lambda w: {"facility_id": w["facility"].pk},
    "datacentres:new": lambda w: {"slug": A},
    "datacentres:template": lambda w: {"slug": A},
    "datacentres:upload": lambda w: {"slug": A},
    "datacentres:tender": lambda w: {T: w["facility_link"].lot.tender_id},
    "datacentres:unlink": lambda w: {T: w["facility_link"].lot.tender_id, "link_id": w["facility_link"].pk},
    "contracts:enter": lambda w: {"organisation_slug": A},
    "contracts:import": lambda w: {"organisation_slug": A},
    "contracts:tender": lambda w: {T: w["tender"].pk},
    "contracts:detail": lambda w: {"contract_id": w["contract"].pk},
    "contracts:frequency": lambda w: {"contract_id": w["contract"].pk, "row_id": w["row"].pk},
    "contracts:decide": lambda w: {"contract_id": w["contract"].pk, "obligation_id": w["obligation"].pk},
    "contracts:evidence": lambda w: {
        "contract_id": w["contract"].pk,
        "obligation_id": w["obligation"].pk,
        "submission_id": w["submission"].pk,
    },
    "contracts:delivery_record": lambda w: {"contract_id": w["contract"].pk},
    "contracts:finding_open": lambda w: {"contract_id": w["contract"].pk},
    "contracts:finding_evidence": lambda w: {"contract_id": w["contract"].pk, "finding_id": w["finding"].pk},
    "contracts:supplier": lambda w: {"contract_id": w["contract"].pk},
    "contracts:finding_close": lambda w: {"contract_id": w["contract"].pk, "finding_id": w["finding"].pk},
    "contracts:supplier_finding_evidence": lambda w: {
        "contract_id": w["contract"].pk,
        "finding_id": w["finding"].pk,
    },
    "contracts:deliver": lambda w: {"contract_id": w["contract"].pk, "obligation_id": w["obligation"].pk},
    "contracts:supplier_evidence": lambda w: {
        "contract_id": w["contract"].pk,
        "obligation_id": w["obligation"].pk,
        "submission_id": w["submission"].pk,
    },
    "factories:disclose": lambda w: {"organisation_slug": w["supplier_org"].slug},
    "factories:withdraw": lambda w: {"organisation_slug": w["supplier_org"].slug, "product_id": 1},
    "factories:sharing": lambda w: {"organisation_slug": A},
    "duediligence:contract": lambda w: {"contract_id": w["minerals"].contract_id},
    "duediligence:supplier": lambda w: {"contract_id": w["minerals"].contract_id},
    "pact:membership-answer": lambda w: {"membership_id": w["membership"].pk},
    "pact:group-invite": lambda w: {"slug": w["group"].slug},
    "pact:group-join": lambda w: {"slug": w["group"].slug},
    "pact:participation": lambda w: {"slug": A},
    "pact:document": lambda w: {"slug": w["wg"].slug, "document_id": w["document"].pk},
    "pact:statement-new": lambda w: {"slug": w["wg"].slug},
    "pact:statement-edit": lambda w: {"slug": w["statement"].slug},
    "pact:statement-publish": lambda w: {"slug": w["statement"].slug},
    "pact:statement-withdraw": lambda w: {"slug": w["statement"].slug},
    "pact:statement-close": lambda w: {"slug": w["statement"].slug},
    "pact:working-group-edit": lambda w: {"slug": w["wg"].slug},
    "pact:working-group-seat": lambda w: {"slug": w["wg"].slug},
    "pact:working-group-seat-remove": lambda w: {"slug": w["wg"].slug, "seat_id": w["seat"].pk},
    "pact:working-group-join": lambda w: {"slug": w["wg"].slug},
    "pact:working-group-request-answer": lambda w: {"request_id": w["wg_request"].pk},
    **{
        f"learning:{n}": (lambda w: {"event_id": w["event"].pk})
        for n in ("event", "event-ics", "event-register", "event-unregister", "material-add")
    },
    "learning:material": lambda w: {"event_id": w["event"].pk, "material_id": w["material"].pk},
    **{
        f"monitoring:{n}": (lambda w: {"campaign_id": w["campaign"].pk})
        for n in ("campaign", "campaign-publish", "campaign-withdraw")
    },
    "monitoring:campaign-action": lambda w: {"campaign_id": w["campaign"].pk, "action": "close"},
    "monitoring:report-start": lambda w: {"campaign_id": w["campaign"].pk, "slug": A},
    **{
        f"monitoring:{n}": (lambda w: {"report_id": w["report"].pk})
        for n in ("report", "report-template", "report-upload", "report-decide")
    },
    **{
        f"joining:{n}": (lambda w: {"application_id": w["application"].pk})
        for n in ("application", "answer", "decide", "signed-pact")
    },
    "casestudies:start": lambda w: {T: w["tender"].pk},
    **{f"casestudies:{n}": (lambda w: {"pk": w["case_study"].pk}) for n in ("detail", "edit", "withdraw")},
    "consultations:new": lambda w: {"kind": "buyer-group", "slug": w["group"].slug},
    **{
        f"consultations:{n}": (lambda w: {"pk": w["consultation"].pk})
        for n in ("detail", "edit", "delete", "answer", "publish", "close", "publish-summary")
    },
    **{
        f"api:{n}": (lambda w: {T: w["tender"].pk})
        for n in (
            "get_tender",
            "set_offers_deadline",
            "set_notice_terms",
            "change_status",
            "export_tender",
            "list_offers",
            "import_offer",
            "evaluation",
        )
    },  # fmt: skip
    "api:set_weights": lambda w: {T: w["tender"].pk, "number": w["lot"].number},
    "api:set_costs": lambda w: {T: w["tender"].pk, "number": w["lot"].number},
    **{
        f"api:{n}": (lambda w: {"slug": A})
        for n in (
            "fleet_figures",
            "fleet_what_if",
            "fleet_assets",
            "fleet_import",
            "retire_assets",
            "send_disposal_report",
            "disposal_reports",
        )
    },
    **{
        f"api:{n}": (lambda w: {"slug": A, "report_id": w["disposal"].pk})
        for n in ("disposal_report", "apply_disposal_report")
    },
    "api:report": lambda w: {"report_id": w["report"].pk},
    "api:datacentre_detail": lambda w: {"facility_id": w["facility"].pk},
    "api:datacentre_file": lambda w: {"facility_id": w["facility"].pk},
    "api:get_contract": lambda w: {"contract_id": w["contract"].pk},
    "api:get_supplied_contract": lambda w: {"contract_id": w["contract"].pk},
    "api:deliver_figures": lambda w: {"contract_id": w["contract"].pk, "obligation_id": w["obligation"].pk},
    "api:deliver_evidence": lambda w: {"contract_id": w["contract"].pk, "obligation_id": w["obligation"].pk},
    "api:withdraw_evidence": lambda w: {"contract_id": w["contract"].pk, "obligation_id": w["obligation"].pk},
}

#: Routes anyone may read, with their parameters (public data) and why they are public.
PUBLIC: dict[str, tuple[Callable[[W], dict[str, Any]], str]] = {
    "criteria:compare": (lambda w: {"group": "notebooks"}, "the criteria framework is public"),
    "criteria:version": (lambda w: {"code": w["version"].code}, "published framework versions are public"),
    "criteria:export_xlsx": (
        lambda w: {"code": w["version"].code},
        "published framework versions are public",
    ),
    "criteria:criterion": (lambda w: {"code": w["criterion"].code}, "the criteria framework is public"),
    "api:get_criterion": (lambda w: {"code": w["criterion"].code}, "the criteria framework is public"),
    "api:export_version": (lambda w: {"code": w["version"].code}, "published framework versions are public"),
    "pact:group": (lambda w: {"slug": w["group"].slug}, "a buyer group's page is public (members, not data)"),
    "pact:statement": (
        lambda w: {"slug": w["statement"].slug},
        "a statement's public page (disclosure control)",
    ),
    "api:statement": (
        lambda w: {"slug": w["statement"].slug},
        "a statement's public page (disclosure control)",
    ),
    "learning:guide": (lambda w: {"slug": "x"}, "guides are public"),
    "learning:guide-edit": (lambda w: {"slug": "x"}, "secretariat's guides, none of A's"),
    "learning:guide-publish": (lambda w: {"slug": "x"}, "secretariat's guides, none of A's"),
    "learning:guide-review": (lambda w: {"slug": "x"}, "secretariat's guides, none of A's"),
    "factories:detail": (lambda w: {"factory_id": 1}, "factories' totals are public under disclosure rules"),
    "results-download": (lambda w: {"fmt": "csv"}, "the collective results are public"),
    "notices:download": (lambda w: {"fmt": "csv"}, "published notices are public data"),
    "offers:upload": (lambda w: {"token": "not-a-token"}, "the secret address is the supplier's key"),
    "offers:upload_template": (
        lambda w: {"token": "not-a-token"},
        "the secret address is the supplier's key",
    ),
    "offers:ask_question": (lambda w: {"token": "not-a-token"}, "the secret address is the supplier's key"),
    "learning:calendar-feed": (lambda w: {"secret": "cal_not-a-secret"}, "the secret address is the key"),
    "pact:working-group": (lambda w: {"slug": w["wg"].slug}, "a working group's page is public"),
    "password_reset_confirm": (lambda w: {"uidb64": "MQ", "token": "x-y"}, "the emailed secret is the key"),
}


def routes(
    patterns: list[Any] | None = None, namespace: str = "", prefix: str = ""
) -> Iterator[tuple[str, str, Any]]:
    """(name, pattern, URLPattern) of every route."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes(pattern.url_patterns, inner, prefix + str(pattern.pattern))
        else:
            yield namespace + (pattern.name or ""), prefix + str(pattern.pattern), pattern


# -- the outsiders and what they try

#: B's procurer, A's own supplier (outside its side of A's contract), a supplier with no tie to A, the
#: coordinator of another buyer group, an anonymous visitor, A's procurer through dead API tokens.
OUTSIDERS = (
    "lyon",
    "supplier",
    "zz-supplier",
    "zz-coordinator",
    "anonymous",
    "revoked-token",
    "expired-token",
)
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
#: What A's own supplier (the demo's ``supplier``, of A's contract) may reach: its side of the contract
#: and its own disclosures (docs/permissions.md: ``obligation.deliver``, ``factory.disclose``).
SUPPLIER_SIDE = {
    "contracts:supplier", "contracts:finding_close", "contracts:supplier_finding_evidence", "contracts:deliver",
    "contracts:supplier_evidence", "duediligence:supplier", "api:get_supplied_contract", "api:deliver_figures",
    "api:deliver_evidence", "api:withdraw_evidence", "factories:disclose", "factories:withdraw",
}  # fmt: skip
USERS: dict[str, Any] = {}
#: Tables where an outsider's request may add a row of its own (its calendar feed), none changed.
OWN_ADDITIONS = {"learning.CalendarFeed"}
#: Tables an outsider's refused request may write to (its own traces, none of A's data; the pact's
#: text is stored when the join page is first shown).
TRACES = {"audit.AuditRecord", "accounts.FailedSignIn", "joining.PactText"}


def _clients(w: W) -> dict[str, tuple[Client, dict[str, str]]]:
    User = get_user_model()
    out: dict[str, tuple[Client, dict[str, str]]] = {}
    for name in OUTSIDERS:
        client, headers = Client(), {}
        if name.endswith("-token"):
            headers = {"HTTP_AUTHORIZATION": f"Bearer {w[name.split('-')[0]]}"}
        elif name != "anonymous":
            USERS[name] = User.objects.get(username=name)
            client.force_login(USERS[name])
        out[name] = (client, headers)
    return out


def _hidden_fields(w: W) -> dict[str, Any]:
    """A form of the outsider's own with A's ids in every field a form might take an object from."""
    return {
        "organisation": w["a"].pk, "organisation_slug": A, "for": A, "slug": A, "buyer": A,
        "asset": w["asset"].pk, "assets": w["asset"].pk, "asset_id": w["asset"].pk, "lot": w["lot"].pk,
        "lots": w["lot"].pk, "campaign": w["campaign"].pk, "tender": w["tender"].pk, "report": w["report"].pk,
        "contract": w["contract"].pk, "obligation": w["obligation"].pk, "facility": w["facility"].pk,
        "group": w["group"].pk, "buyer_group": w["group"].pk, "working_group": w["wg"].pk,
        "shortlist": 1, "criterion": w["criterion"].pk, "usage": w["usage"].pk, "import": w["import"].pk,
        "event": w["event"].pk, "application": w["application"].pk, "consultation": w["consultation"].pk,
        "id": w["tender"].pk, "pk": w["tender"].pk, "title": "changed", "name": "changed",
    }  # fmt: skip


def _snapshot() -> dict[str, set[tuple[str, ...]]]:
    rows: dict[str, set[tuple[str, ...]]] = {}
    with system_scope():
        for model in apps.get_models():
            label = model._meta.label
            if label in TRACES or not (model.__module__.startswith("cfit") or label == "auth.User"):
                continue
            fields = [
                f.attname for f in model._meta.concrete_fields if f.name not in ("last_login", "last_used")
            ]
            rows[label] = {tuple(map(repr, row)) for row in model._base_manager.values_list(*fields)}
    return rows


STATS: dict[Any, int] = {}


def test_no_outsider_reaches_or_changes_anything_of_another_organisation(world: W) -> None:
    w = world
    clients = _clients(w)
    before = _snapshot()
    problems: list[str] = []
    unfilled: list[str] = []
    tried = 0
    for name, pattern, urlpattern in routes():
        params = urlpattern.pattern.regex.groupindex
        is_admin = pattern.startswith("admin/")
        if is_admin:
            if not urlpattern.name or name in ("admin:login", "admin:logout"):
                continue  # the admin's catch-all, log-in and log-out: no data
            kwargs = {p: ("accounts" if p == "app_label" else "1") for p in params}
            kind = "admin"
        elif name in FILL:
            kwargs, kind = FILL[name](w), "private"
        elif name in PUBLIC:
            kwargs, kind = PUBLIC[name][0](w), "public"
        elif not params:
            kwargs, kind = {}, "own"
        else:
            unfilled.append(f"{name} {pattern}")
            continue
        url = reverse(name, kwargs=kwargs) if urlpattern.name else "/" + pattern.strip("^$")
        for persona, (client, headers) in clients.items():
            methods = ("get", "post") if is_admin else ("get", "post", "put", "delete")
            for method in methods:
                if method == "get":
                    address = url + ("?" if "?" not in url else "&") + f"for={A}&organisation={A}&q=zzsecret"
                    response = getattr(client, method)(address, **headers)
                elif method == "post":
                    response = client.post(url, _hidden_fields(w), **headers)
                else:
                    response = getattr(client, method)(url, **headers)
                tried += 1
                if persona in USERS and "_auth_user_id" not in client.session:
                    client.force_login(USERS[persona])  # it signed out (the log-out page): back in
                STATS[(kind, method, response.status_code)] = (
                    STATS.get((kind, method, response.status_code), 0) + 1
                )
                status = response.status_code
                where = f"{method.upper()} {url} as {persona}: {status}"
                body = b"" if response.streaming else response.content
                if MARK.encode() in body and not (persona == "supplier" and name in SUPPLIER_SIDE):
                    problems.append(f"{where} shows A's {MARK} text")
                allowed = persona == "supplier" and name in SUPPLIER_SIDE
                if kind in ("private", "admin") and 200 <= status < 300 and not allowed:
                    problems.append(f"{where} answered")
                to = response.get("Location", "")
                if kind == "private" and method == "get" and status == 302 and not to.startswith(LOGIN):
                    problems.append(f"{where} redirects to {to}")
                if kind == "admin" and status == 302 and not response["Location"].startswith(ADMIN_LOGIN):
                    problems.append(f"{where} redirects to {response['Location']}")
    after = _snapshot()
    for label, rows in before.items():
        if rows - after[label] or (label not in OWN_ADDITIONS and after[label] - rows):
            problems.append(
                f"{label} changed: -{sorted(rows - after[label])[:3]} +{sorted(after[label] - rows)[:3]}"
            )
    # The probes can find: A's own user sees the marked texts where the outsiders did not.
    insider = Client()
    insider.force_login(get_user_model().objects.get(username="procurer"))
    for address in ("/search/?q=zzsecret", f"/tenders/{w['tender'].pk}/", f"/events/{w['event'].pk}/"):
        assert MARK.encode() in insider.get(address).content, address
    print(f"tried {tried} requests", sorted(STATS.items()))
    assert not unfilled, "routes the test cannot fill: add them to FILL or PUBLIC:\n" + "\n".join(unfilled)
    assert not problems, "\n".join(problems)


def test_no_form_of_an_outsider_takes_another_organisation_s_ids(world: W) -> None:
    """An outsider's own forms, filled as they would be, with A's ids or slugs where the form chooses."""
    w = world
    clients = _clients(w)
    with system_scope():
        shortlist = apps.get_model("criteria.Shortlist").objects.get(organisation=w["a"])
        own_tender = (
            apps.get_model("tenders.Tender").objects.filter(organisation__slug="ville-de-lyon").first()
        )
    code = w["criterion"].code
    later = (timezone.now() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    latest = (timezone.now() + timedelta(days=21)).strftime("%Y-%m-%dT%H:%M")
    tries: list[tuple[str, str, dict[str, Any]]] = [
        ("lyon", f"/criteria/{code}/shortlist/", {"shortlist": shortlist.pk}),
        ("lyon", f"/criteria/{code}/shortlist/", {"shortlist": "new", "organisation": A, "name": "x"}),
        ("lyon", "/groups/zz-other-group/join/", {"organisation": A}),
        ("lyon", "/organisations/ville-de-lyon/participation/", {"organisation": A}),
        ("lyon", "/fleet/ville-de-lyon/assets/", {"asset": w["asset"].pk, "status": "disposed"}),
        ("lyon", "/cloud/ville-de-lyon/", {"usage": w["usage"].pk}),
        (
            "zz-coordinator",
            "/events/new/",
            {
                "audience": f"bg:{w['group'].slug}",
                "title": "x",
                "language": "en",
                "starts": later,
                "ends": latest,
                "capacity": 5,
            },
        ),  # fmt: skip
        (
            "zz-coordinator",
            "/monitoring/campaigns/new/",
            {
                "scope": w["group"].slug,
                "year": 2026,
                "title": "x",
                "opens": "2027-01-01",
                "deadline": "2027-03-01",
            },
        ),  # fmt: skip
        ("zz-supplier", f"/consultations/{w['consultation'].pk}/answer/", {"organisation": A}),
        ("zz-supplier", "/factories/disclose/zz-outside-supplies/", {"form": "one", "one-supplier": A}),
    ]
    if own_tender is not None:
        tries += [
            ("lyon", f"/datacentres/tenders/{own_tender.pk}/", {"lot": w["lot"].pk, "code": "DC-1"}),
            ("lyon", f"/contracts/tender/{own_tender.pk}/", {"lot": w["lot"].pk, "tender": w["tender"].pk}),
            ("lyon", f"/case-studies/new/{own_tender.pk}/", {"tender": w["tender"].pk, "organisation": A}),
        ]
    before = _snapshot()
    problems = []
    for persona, url, data in tries:
        client, headers = clients[persona]
        response = client.post(url, data, **headers)
        if MARK.encode() in response.content:
            problems.append(f"POST {url} as {persona} shows A's {MARK} text")
    after = _snapshot()
    for label, rows in before.items():
        if rows - after[label] or (label not in OWN_ADDITIONS and after[label] - rows):
            problems.append(
                f"{label} changed: -{sorted(rows - after[label])[:3]} +{sorted(after[label] - rows)[:3]}"
            )
    assert not problems, "\n".join(problems)


def test_a_report_s_details_reach_its_group_s_coordinator_only_where_shared(world: W) -> None:
    """Inside A's buyer group: its coordinator reads A's report only once A shared it; the secretariat,
    which runs the pact-wide campaign, never reads a report a group's campaign asked for."""
    w = world
    Report = apps.get_model("monitoring.Report")
    report = w["report"]
    addresses = (
        f"/monitoring/reports/{report.pk}/",
        f"/monitoring/reports/{report.pk}/template.xlsx",
        f"/api/v1/monitoring/reports/{report.pk}",
    )
    seen: dict[tuple[str, bool], list[int]] = {}
    for shared in (False, True):
        with system_scope():
            Report.objects.filter(pk=report.pk).update(shared_with_coordinator=shared)
        for username in ("coordinator", "secretariat"):
            client = Client()
            client.force_login(get_user_model().objects.get(username=username))
            seen[username, shared] = [client.get(address).status_code for address in addresses]

    assert seen["coordinator", False] == [404, 404, 404]
    assert seen["coordinator", True] == [200, 404, 200]  # the workbook to fill is the organisation's own
    assert seen["secretariat", False] == [404, 404, 404]
    assert seen["secretariat", True] == [404, 404, 404]


def test_the_list_of_reports_gives_no_outsider_the_id_of_another_organisation_s_report(world: W) -> None:
    """``/api/v1/monitoring/reports`` takes no parameter to fill: its answer is tried here, A's report
    listed for A's own user and for nobody else, a shared one not even for the coordinator it is shared with."""
    w = world
    with system_scope():
        apps.get_model("monitoring.Report").objects.filter(pk=w["report"].pk).update(
            shared_with_coordinator=True
        )
    seen: dict[str, list[int]] = {}
    for username in ("procurer", "lyon", "supplier", "zz-coordinator", "coordinator", "secretariat"):
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        answer = client.get("/api/v1/monitoring/reports", {"per_page": 1000})
        assert answer.status_code == 200, username
        seen[username] = [report["id"] for report in answer.json()["reports"]]

    assert w["report"].pk in seen.pop("procurer")
    assert all(w["report"].pk not in ids for ids in seen.values()), seen


def test_the_coordinators_list_of_reports_holds_a_report_only_once_shared_and_only_for_it(world: W) -> None:
    """``as_coordinator=true``: A's report is listed for its buyer group's coordinator once A shares it,
    never before, and never for anyone else (another group's coordinator, the secretariat that runs the
    pact-wide campaign, A's own procurer, who reads it as its own); every id listed opens."""
    w = world
    Report = apps.get_model("monitoring.Report")
    seen: dict[tuple[str, bool], list[int]] = {}
    opens: dict[str, list[int]] = {}
    for shared in (False, True):
        with system_scope():
            Report.objects.filter(pk=w["report"].pk).update(shared_with_coordinator=shared)
        for username in ("coordinator", "zz-coordinator", "secretariat", "procurer", "lyon", "supplier"):
            client = Client()
            client.force_login(get_user_model().objects.get(username=username))
            answer = client.get("/api/v1/monitoring/reports", {"as_coordinator": "true", "per_page": 1000})
            assert answer.status_code == 200, username
            seen[username, shared] = [report["id"] for report in answer.json()["reports"]]
            opens[username] = [
                client.get(f"/api/v1/monitoring/reports/{report_id}").status_code
                for report_id in seen[username, shared]
            ]

    listed = {report_id for ids in seen.values() for report_id in ids}
    assert w["report"].pk not in seen.pop(("coordinator", False))
    assert w["report"].pk in seen.pop(("coordinator", True))
    assert all(w["report"].pk not in ids for ids in seen.values()), seen
    assert all(status == 200 for statuses in opens.values() for status in statuses), opens
    with system_scope():
        never_shared = Report.objects.filter(shared_with_coordinator=False).values_list("pk", flat=True)
        assert listed and not set(never_shared) & listed


def test_no_child_of_another_organisation_is_reached_under_an_own_parent(world: W) -> None:
    """B's procurer puts A's ids under B's own organisation and tender in the address
    (``/fleet/<B>/assets/<A's asset>/``, ``/tenders/<B's tender>/offers/lines/<A's line>/``…)."""
    w = world
    with system_scope():
        own_tender = (
            apps.get_model("tenders.Tender").objects.filter(organisation__slug="ville-de-lyon").first()
        )
    assert own_tender is not None
    parents = {"slug": "ville-de-lyon", "organisation_slug": "ville-de-lyon", T: own_tender.pk}
    client, _headers = _clients(w)["lyon"]
    before = _snapshot()
    problems, tried = [], 0
    for name, make in FILL.items():
        kwargs = make(w)
        mixed = {
            key: parents.get(key, value) if value == A or key == T else value for key, value in kwargs.items()
        }
        if mixed == kwargs or not set(kwargs) - set(parents) - {"fmt", "action", "code", "criterion_code"}:
            continue
        url = reverse(name, kwargs=mixed)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            tried += 1
            if 200 <= response.status_code < 300 or MARK.encode() in response.content:
                problems.append(f"{method.upper()} {url}: {response.status_code}")
    after = _snapshot()
    problems += [label for label, rows in before.items() if rows != after[label]]
    assert tried > 20
    assert not problems, "\n".join(problems)
