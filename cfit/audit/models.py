from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cfit.accounts.models import Organisation


class AuditRecordQuerySet(models.QuerySet):
    def of_organisation(self, organisation: Organisation) -> AuditRecordQuerySet:
        return self.filter(organisation=organisation)


class AuditRecord(models.Model):
    """One state change: who acted, for which organisation, what they did to which object, when, and
    where it matters the state before and after (figures, states, texts) and the reason given.

    Written by the action that made the change, in the same transaction (``cfit.audit.record``), so a
    change without its record (or a record of a change rolled back) cannot exist. Never edited."""

    class Action(models.TextChoices):
        # -- organisations
        #: an administrator changed the organisation's details that its notices carry
        NOTICE_DETAILS_SAVED = "notice_details_saved", _("Organisation's notice details saved")
        # -- accounts
        API_TOKEN_CREATED = "api_token_created", _("API token made")
        API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")
        # -- monitoring
        #: a campaign asks its members for their reports
        CAMPAIGN_OPENED = "campaign_opened", _("Campaign opened")
        CAMPAIGN_CLOSED = "campaign_closed", _("Campaign closed")
        REPORT_STARTED = "report_started", _("Report started")
        #: a report went to the campaign that reviews it: its buyer group's, opened after the report was
        #: started from the pact-wide one, or the pact-wide one after its group's campaign closed
        REPORT_MOVED = "report_moved", _("Report moved to another campaign")
        #: figures of a report changed (typed in or taken from a workbook)
        REPORT_SAVED = "report_saved", _("Report figures saved")
        REPORT_SUBMITTED = "report_submitted", _("Report submitted")
        REPORT_ACCEPTED = "report_accepted", _("Report accepted")
        REPORT_RETURNED = "report_returned", _("Report returned")
        RESULTS_PUBLISHED = "results_published", _("Results published")
        RESULTS_WITHDRAWN = "results_withdrawn", _("Results withdrawn")
        DISCLOSURE_RULES_CHANGED = "disclosure_rules_changed", _("Disclosure rules changed")
        # -- tenders and offers
        TENDER_CREATED = "tender_created", _("Tender created")
        LOT_ADDED = "lot_added", _("Lot added")
        #: ambition, criteria, criterion types, weights or life-cycle costs of a draft lot
        LOT_CHANGED = "lot_changed", _("Lot changed")
        TENDER_PUBLISHED = "tender_published", _("Tender published")
        TENDER_STATUS_CHANGED = "tender_status_changed", _("Tender status changed")
        OFFERS_DEADLINE_SET = "offers_deadline_set", _("Offer deadline set")
        #: the terms a draft tender's contract notice states (submission, durations, place, funding…)
        NOTICE_TERMS_SAVED = "notice_terms_saved", _("Tender's notice terms saved")
        LOT_MOVED = "lot_moved", _("Lot moved to another framework version")
        OFFER_STORED = "offer_stored", _("Offer stored")
        UPLOAD_LINK_ISSUED = "upload_link_issued", _("Upload link issued")
        CLARIFICATION_ANSWERED = "clarification_answered", _("Clarification answered")
        RESULT_OVERRIDDEN = "result_overridden", _("Evaluation result overridden")
        SIGN_OFF_PREPARED = "sign_off_prepared", _("Evaluation prepared for sign-off")
        SIGN_OFF_APPROVED = "sign_off_approved", _("Evaluation signed off")
        # -- contracts and factories
        CONTRACTS_IMPORTED = "contracts_imported", _("Contracts imported")
        CONTRACT_CREATED = "contract_created", _("Contract created")
        #: how often a criterion of a contract is reported; its obligations still due are replaced
        FREQUENCY_CHANGED = "frequency_changed", _("Reporting frequency changed")
        DELIVERY_RECORDED = "delivery_recorded", _("Delivery under a contract recorded")
        #: the supplier's evidence (a file, figures, a declaration) for an obligation
        EVIDENCE_DELIVERED = "evidence_delivered", _("Contract evidence delivered")
        EVIDENCE_DISPUTED = "evidence_disputed", _("Return of contract evidence disputed")
        EVIDENCE_ACCEPTED = "evidence_accepted", _("Contract evidence accepted")
        EVIDENCE_RETURNED = "evidence_returned", _("Contract evidence returned")
        EVIDENCE_REPLACED = "evidence_replaced", _("Contract evidence replaced")
        EVIDENCE_WITHDRAWN = "evidence_withdrawn", _("Contract evidence withdrawn")
        FINDING_OPENED = "finding_opened", _("Finding opened")
        #: the supplier closed a finding's corrective action with its evidence
        FINDING_CLOSED = "finding_closed", _("Corrective action closed")
        #: a supplier disclosed factories (form or file), or withdrew a disclosed model
        FACTORIES_DISCLOSED = "factories_disclosed", _("Factories disclosed")
        FACTORY_DISCLOSURE_WITHDRAWN = "factory_disclosure_withdrawn", _("Factory disclosure withdrawn")
        FACTORY_SHARING_CHANGED = "factory_sharing_changed", _("Agreement to share factory figures changed")
        # -- data centres
        FACILITY_CREATED = "facility_created", _("Data centre registered")
        #: a provider filed one or more years of a data centre's values (form, API or template)
        FACILITY_REPORTS_FILED = "facility_reports_filed", _("Data centre's yearly values filed")
        FACILITY_LINKED = "facility_linked", _("Data centre linked to a lot")
        FACILITY_UNLINKED = "facility_unlinked", _("Data centre unlinked from a lot")
        # -- fleet
        ASSET_EVENT_RECORDED = "asset_event_recorded", _("Device event recorded")
        # -- pact
        PACT_JOINED = "pact_joined", _("Participation in the pact changed")
        GROUP_INVITED = "group_invited", _("Invited to a buyer group")
        GROUP_JOIN_REQUESTED = "group_join_requested", _("Asked to join a buyer group")
        GROUP_MEMBERSHIP_DECIDED = "group_membership_decided", _("Buyer group membership decided")
        STATEMENT_SAVED = "statement_saved", _("Statement draft saved")
        STATEMENT_PUBLISHED = "statement_published", _("Statement published")
        STATEMENT_SIGNED = "statement_signed", _("Statement signed")
        STATEMENT_SIGNATURE_WITHDRAWN = (
            "statement_signature_withdrawn",
            _("Signature of a statement withdrawn"),
        )
        #: its authors closed a statement for good: no more signatures (a signature withdrawn is another)
        STATEMENT_CLOSED = "statement_closed", _("Statement closed")
        WORKING_GROUP_SAVED = "working_group_saved", _("Working group saved")
        #: an organisation seated in a working group, or its role there changed
        WORKING_GROUP_SEAT_SAVED = "working_group_seat_saved", _("Seat in a working group given")
        WORKING_GROUP_SEAT_REMOVED = "working_group_seat_removed", _("Seat in a working group removed")
        WORKING_GROUP_JOIN_REQUESTED = "working_group_join_requested", _("Asked to join a working group")
        WORKING_GROUP_REQUEST_DECIDED = (
            "working_group_request_decided",
            _("Request to join a working group decided"),
        )
        # -- joining the pact, case studies, market consultations
        APPLICATION_SUBMITTED = "application_submitted", _("Application to join submitted")
        APPLICATION_MORE_ASKED = "application_more_asked", _("More information asked of an applicant")
        APPLICATION_APPROVED = "application_approved", _("Application to join approved")
        APPLICATION_REFUSED = "application_refused", _("Application to join refused")
        CASE_STUDY_SAVED = "case_study_saved", _("Case study saved")
        CASE_STUDY_PUBLISHED = "case_study_published", _("Case study published")
        CASE_STUDY_WITHDRAWN = "case_study_withdrawn", _("Case study withdrawn")
        EVENT_REGISTERED = "event_registered", _("Registered for an event")
        EVENT_REGISTRATION_CANCELLED = "event_registration_cancelled", _("Event registration cancelled")
        CONSULTATION_SAVED = "consultation_saved", _("Market consultation drafted")
        CONSULTATION_DELETED = "consultation_deleted", _("Market consultation draft deleted")
        CONSULTATION_PUBLISHED = "consultation_published", _("Market consultation published")
        CONSULTATION_ANSWERED = "consultation_answered", _("Market consultation answered")
        CONSULTATION_CLOSED = "consultation_closed", _("Market consultation closed before its deadline")
        CONSULTATION_SUMMARY_PUBLISHED = "consultation_summary_published", _("Consultation summary published")
        # -- guides and knowledge sessions
        GUIDE_SAVED = "guide_saved", _("Guide saved")
        GUIDE_PUBLISHED = "guide_published", _("Guide published")
        GUIDE_TRANSLATION_REVIEWED = "guide_translation_reviewed", _("Guide translation reviewed")
        EVENT_SAVED = "event_saved", _("Event saved")
        EVENT_UNREGISTERED = "event_unregistered", _("Registration for an event withdrawn")
        EVENT_MATERIAL_ADDED = "event_material_added", _("Event material added")
        # -- criteria framework
        CRITERION_TEXTS_CHANGED = "criterion_texts_changed", _("Criterion texts changed")
        VERSION_SUBMITTED = "version_submitted", _("Framework version submitted for review")
        VERSION_APPROVED = "version_approved", _("Framework version approved")
        VERSION_SENT_BACK = "version_sent_back", _("Framework version sent back")
        VERSION_PUBLISHED = "version_published", _("Framework version published")
        VERSION_IMPORTED = "version_imported", _("Framework version imported from a file")
        # -- published notices
        NOTICES_IMPORTED = "notices_imported", _("Published notices imported")

    # -- who and when
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty for work done by the platform itself (commands, jobs, the demo)."),
    )
    actor_name = models.TextField(
        _("by (name)"), blank=True, help_text=_("The name at the time, kept if the account is removed.")
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    # -- what
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_records",
        verbose_name=_("organisation"),
        help_text=_(
            "The organisation concerned; empty for pact-wide changes (framework, pact-wide results)."
        ),
    )
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=60, help_text=_("app_label.model"))
    object_id = models.CharField(_("object id"), max_length=40)
    object_label = models.TextField(_("object"), blank=True, help_text=_("What the object was called then."))
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        # The audit page lists an organisation's records newest first (or all of them for the secretariat).
        indexes = [
            models.Index(fields=["organisation", "-at"], name="audit_by_organisation"),
            models.Index(fields=["-at"], name="audit_by_time"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.action} {self.object_label}"
