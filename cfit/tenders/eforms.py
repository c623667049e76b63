"""A tender as an eForms contract notice (UBL ``ContractNotice``, eForms SDK 1.15).

``FIELDS`` maps every business term the notice writes (BT-…, OPP-…, OPT-…) to its absolute XPath,
copied from the SDK's ``fields/fields.json``; a test checks them against the SDK, and a notice
reader can find each field with ``root.xpath(FIELDS[bt], namespaces=NS)``.

The notice is subtype 16 ("Contract notice – general directive, standard regime", legal basis
Directive 2014/24/EU): cfit tenders buy ICT goods and services for public authorities, so neither
the utilities directive (subtype 17) nor the light regime for social services (subtype 20, services
of Annex XIV) applies. A mini-competition under a framework agreement has no contract notice at all
(Directive 2014/24/EU, Art. 33(5)): asking for one is an error, not an empty notice.

Award criteria come from the lot's ``LotAwardMethod``, the object the engine scores with; their
texts from ``award_text`` in the tender's language, as the annex.

The tender's notice terms (``NoticeTerms``: submission, durations, place of performance, funding,
reservations, e-procedures, GPA) apply to every lot and are written in each; the review body of the
buyer's notice details is an organisation of its own (``REVIEW_ORG``) that each lot names. A term the
buyer has not answered is left out: the notice stays valid against the schema, and the buyer's eSender
completes it before publication.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from importlib import resources

from django.utils import translation
from django.utils.translation import gettext as _
from lxml import etree

from cfit.accounts.eforms_codes import BuyerActivity, BuyerLegalType
from cfit.criteria.content import ImpactCategory
from cfit.tenders import award_text
from cfit.tenders.award import LotAwardMethod, PriceRule
from cfit.tenders.spec import (
    FRAMEWORK_MONTHS,
    ChosenCriterion,
    ElectronicMeans,
    FrameworkAgreement,
    LotSpec,
    NoticeTerms,
    PerformancePlace,
    ReviewBody,
    TenderSpec,
)

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
}
CONTRACT_NOTICE = "urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"
SDK_VERSION = "eforms-sdk-1.15"

_LOT = "/*/cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']"
_ORG = "/*/ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension/efac:Organizations/efac:Organization/efac:Company"
_SUB = f"{_LOT}/cac:TenderingTerms/cac:AwardingTerms/cac:AwardingCriterion/cac:SubordinateAwardingCriterion"
_TERMS = f"{_LOT}/cac:TenderingTerms"
_PROCESS = f"{_LOT}/cac:TenderingProcess"
_PLACE = "cac:ProcurementProject/cac:RealizedLocation/cac:Address"
#: The lot's TendererQualificationRequest that holds neither ``other``'s code nor the other two kinds.
_REQUEST = (
    "cac:TendererQualificationRequest[not(cbc:CompanyLegalFormCode)]"
    "[not(cac:SpecificTendererRequirement/cbc:TendererRequirementTypeCode[@listName='missing-info-submission'])]"
    "[not(cac:SpecificTendererRequirement/cbc:TendererRequirementTypeCode[@listName='{other}'])]"
)
_WEIGHT = "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension/efac:AwardCriterionParameter[efbc:ParameterCode/@listName='number-weight']"


def _extra(kind: str) -> str:
    return f"{_LOT}/cac:ProcurementProject/cac:ProcurementAdditionalType[cbc:ProcurementTypeCode/@listName='{kind}']/cbc:ProcurementTypeCode"


#: Business term → absolute XPath, as in the eForms SDK 1.15.1 ``fields/fields.json``.
FIELDS: dict[str, str] = {
    "OPP-070-notice": "/*/ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension/efac:NoticeSubType/cbc:SubTypeCode",
    "BT-01-notice": "/*/cbc:RegulatoryDomain",
    "BT-02-notice": "/*/cbc:NoticeTypeCode",
    "BT-04-notice": "/*/cbc:ContractFolderID",
    "BT-05(a)-notice": "/*/cbc:IssueDate",
    "BT-701-notice": "/*/cbc:ID[@schemeName='notice-id']",
    "BT-702(a)-notice": "/*/cbc:NoticeLanguageCode",
    "BT-757-notice": "/*/cbc:VersionID",
    "OPT-200-Organization-Company": f"{_ORG}/cac:PartyIdentification/cbc:ID",
    "BT-500-Organization-Company": f"{_ORG}/cac:PartyName/cbc:Name",
    "BT-514-Organization-Company": f"{_ORG}/cac:PostalAddress/cac:Country/cbc:IdentificationCode",
    "BT-506-Organization-Company": f"{_ORG}/cac:Contact/cbc:ElectronicMail",
    "BT-501-Organization-Company": f"{_ORG}/cac:PartyLegalEntity/cbc:CompanyID",
    "BT-503-Organization-Company": f"{_ORG}/cac:Contact/cbc:Telephone",
    "BT-510(a)-Organization-Company": f"{_ORG}/cac:PostalAddress/cbc:StreetName",
    "BT-512-Organization-Company": f"{_ORG}/cac:PostalAddress/cbc:PostalZone",
    "BT-513-Organization-Company": f"{_ORG}/cac:PostalAddress/cbc:CityName",
    "BT-507-Organization-Company": f"{_ORG}/cac:PostalAddress/cbc:CountrySubentityCode",
    "OPT-300-Procedure-Buyer": "/*/cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID",
    "BT-11-Procedure-Buyer": "/*/cac:ContractingParty/cac:ContractingPartyType[cbc:PartyTypeCode/@listName='buyer-legal-type']/cbc:PartyTypeCode[@listName='buyer-legal-type']",
    "BT-10-Procedure-Buyer": "/*/cac:ContractingParty/cac:ContractingActivity[cbc:ActivityTypeCode/@listName='authority-activity']/cbc:ActivityTypeCode[@listName='authority-activity']",
    "BT-105-Procedure": "/*/cac:TenderingProcess/cbc:ProcedureCode",
    "BT-22-Procedure": "/*/cac:ProcurementProject/cbc:ID",
    "BT-21-Procedure": "/*/cac:ProcurementProject/cbc:Name",
    "BT-24-Procedure": "/*/cac:ProcurementProject/cbc:Description",
    "BT-23-Procedure": "/*/cac:ProcurementProject/cbc:ProcurementTypeCode",
    "BT-27-Procedure": "/*/cac:ProcurementProject/cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount",
    "BT-262-Procedure": "/*/cac:ProcurementProject/cac:MainCommodityClassification/cbc:ItemClassificationCode",
    "BT-137-Lot": f"{_LOT}/cbc:ID",
    "BT-22-Lot": f"{_LOT}/cac:ProcurementProject/cbc:ID",
    "BT-21-Lot": f"{_LOT}/cac:ProcurementProject/cbc:Name",
    "BT-24-Lot": f"{_LOT}/cac:ProcurementProject/cbc:Description",
    "BT-23-Lot": f"{_LOT}/cac:ProcurementProject/cbc:ProcurementTypeCode[@listName='contract-nature']",
    "BT-27-Lot": f"{_LOT}/cac:ProcurementProject/cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount",
    "BT-262-Lot": f"{_LOT}/cac:ProcurementProject/cac:MainCommodityClassification/cbc:ItemClassificationCode",
    "BT-06-Lot": _extra("strategic-procurement"),
    "BT-774-Lot": _extra("environmental-impact"),
    "BT-775-Lot": _extra("social-objective"),
    "BT-776-Lot": _extra("innovative-acquisition"),
    "BT-805-Lot": _extra("gpp-criteria"),
    "BT-131(d)-Lot": f"{_LOT}/cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod/cbc:EndDate",
    "BT-131(t)-Lot": f"{_LOT}/cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod/cbc:EndTime",
    # Read, never written: the SDK forbids BT-543 where each criterion has a weight (BR-BT-00543-0074,
    # BR-BT-00541-0271); the price formula is the price criterion's BT-540.
    "BT-543-Lot": f"{_LOT}/cac:TenderingTerms/cac:AwardingTerms/cac:AwardingCriterion/cbc:CalculationExpression",
    "BT-539-Lot": f"{_SUB}/cbc:AwardingCriterionTypeCode[@listName='award-criterion-type']",
    "BT-734-Lot": f"{_SUB}/cbc:Name",
    "BT-540-Lot": f"{_SUB}/cbc:Description",
    "BT-541-Lot-WeightNumber": f"{_SUB}/{_WEIGHT}/efbc:ParameterNumeric",
    "BT-5421-Lot": f"{_SUB}/{_WEIGHT}/efbc:ParameterCode",
    # The notice terms (``NoticeTerms``) and the review body, in the order the notice writes them.
    "BT-31-Procedure": "/*/cac:TenderingTerms/cac:LotDistribution/cbc:MaximumLotsSubmittedNumeric",
    "BT-806-Procedure": "/*/cac:TenderingTerms/cac:TendererQualificationRequest[cac:SpecificTendererRequirement/cbc:TendererRequirementTypeCode/@listName='exclusion-grounds-source']/cac:SpecificTendererRequirement/cbc:TendererRequirementTypeCode",
    "BT-727-Procedure": f"/*/{_PLACE}/cbc:Region",
    "BT-5131-Procedure": f"/*/{_PLACE}/cbc:CityName",
    "BT-5121-Procedure": f"/*/{_PLACE}/cbc:PostalZone",
    "BT-5071-Procedure": f"/*/{_PLACE}/cbc:CountrySubentityCode",
    "BT-5141-Procedure": f"/*/{_PLACE}/cac:Country/cbc:IdentificationCode",
    "BT-60-Lot": f"{_TERMS}/cbc:FundingProgramCode[@listName='eu-funded']",
    "OPT-140-Lot": f"{_TERMS}/cac:CallForTendersDocumentReference/cbc:ID",
    "BT-14-Lot": f"{_TERMS}/cac:CallForTendersDocumentReference/cbc:DocumentType",
    "BT-15-Lot": f"{_TERMS}/cac:CallForTendersDocumentReference/cac:Attachment[../cbc:DocumentType/text()='non-restricted-document']/cac:ExternalReference/cbc:URI",
    "BT-71-Lot": f"{_TERMS}/{_REQUEST.format(other='selection-criteria-source')}/cac:SpecificTendererRequirement[cbc:TendererRequirementTypeCode/@listName='reserved-procurement']/cbc:TendererRequirementTypeCode",
    "BT-821-Lot": f"{_TERMS}/{_REQUEST.format(other='reserved-procurement')}/cac:SpecificTendererRequirement[cbc:TendererRequirementTypeCode/@listName='selection-criteria-source']/cbc:TendererRequirementTypeCode",
    "BT-736-Lot": f"{_TERMS}/cac:ContractExecutionRequirement[cbc:ExecutionRequirementCode/@listName='reserved-execution']/cbc:ExecutionRequirementCode",
    "BT-743-Lot": f"{_TERMS}/cac:ContractExecutionRequirement[cbc:ExecutionRequirementCode/@listName='einvoicing']/cbc:ExecutionRequirementCode",
    "BT-764-Lot": f"{_TERMS}/cac:ContractExecutionRequirement[cbc:ExecutionRequirementCode/@listName='ecatalog-submission']/cbc:ExecutionRequirementCode",
    "BT-18-Lot": f"{_TERMS}/cac:TenderRecipientParty/cbc:EndpointID",
    "BT-98-Lot": f"{_TERMS}/cac:TenderValidityPeriod/cbc:DurationMeasure",
    "BT-98-Lot-Unit": f"{_TERMS}/cac:TenderValidityPeriod/cbc:DurationMeasure/@unitCode",
    "BT-99-Lot": f"{_TERMS}/cac:AppealTerms/cac:PresentationPeriod/cbc:Description",
    "OPT-301-Lot-ReviewOrg": f"{_TERMS}/cac:AppealTerms/cac:AppealReceiverParty/cac:PartyIdentification/cbc:ID",
    "BT-92-Lot": f"{_TERMS}/cac:PostAwardProcess/cbc:ElectronicOrderUsageIndicator",
    "BT-93-Lot": f"{_TERMS}/cac:PostAwardProcess/cbc:ElectronicPaymentUsageIndicator",
    "BT-17-Lot": f"{_PROCESS}/cbc:SubmissionMethodCode[@listName='esubmission']",
    "BT-115-Lot": f"{_PROCESS}/cbc:GovernmentAgreementConstraintIndicator",
    "BT-19-Lot": f"{_PROCESS}/cac:ProcessJustification/cbc:ProcessReasonCode[@listName='no-esubmission-justification']",
    "BT-745-Lot": f"{_PROCESS}/cac:ProcessJustification/cbc:Description",
    "BT-109-Lot": f"{_PROCESS}/cac:FrameworkAgreement/cbc:Justification",
    "BT-765-Lot": f"{_PROCESS}/cac:ContractingSystem[cbc:ContractingSystemTypeCode/@listName='framework-agreement']/cbc:ContractingSystemTypeCode",
    "BT-727-Lot": f"{_LOT}/{_PLACE}/cbc:Region",
    "BT-5131-Lot": f"{_LOT}/{_PLACE}/cbc:CityName",
    "BT-5121-Lot": f"{_LOT}/{_PLACE}/cbc:PostalZone",
    "BT-5071-Lot": f"{_LOT}/{_PLACE}/cbc:CountrySubentityCode",
    "BT-5141-Lot": f"{_LOT}/{_PLACE}/cac:Country/cbc:IdentificationCode",
    "BT-36-Lot": f"{_LOT}/cac:ProcurementProject/cac:PlannedPeriod/cbc:DurationMeasure",
    "BT-36-Lot-Unit": f"{_LOT}/cac:ProcurementProject/cac:PlannedPeriod/cbc:DurationMeasure/@unitCode",
}

#: ISO 639-1 (the site's languages) → ISO 639-3 as eForms writes languages (BT-702).
LANGUAGES = {"en": "ENG", "nl": "NLD", "fr": "FRA", "de": "DEU", "nb": "NOR"}
#: ISO 3166-1 alpha-2 → alpha-3 (BT-514) for the countries whose buyers publish eForms notices: the EU's
#: (Implementing Regulation (EU) 2019/1780) and the EEA's (Norway's Doffin uses eForms too). A buyer
#: elsewhere (the UK since 2021, Switzerland, Canada) publishes in its own system: no notice is written.
COUNTRIES = {
    "AT": "AUT", "BE": "BEL", "BG": "BGR", "CY": "CYP", "CZ": "CZE", "DE": "DEU", "DK": "DNK",
    "EE": "EST", "ES": "ESP", "FI": "FIN", "FR": "FRA", "GR": "GRC", "HR": "HRV", "HU": "HUN",
    "IE": "IRL", "IT": "ITA", "LT": "LTU", "LU": "LUX", "LV": "LVA", "MT": "MLT", "NL": "NLD",
    "PL": "POL", "PT": "PRT", "RO": "ROU", "SE": "SWE", "SI": "SVN", "SK": "SVK", "IS": "ISL",
    "LI": "LIE", "NO": "NOR",
}  # fmt: skip
#: Our procedures → BT-105 (procurement-procedure-type).
PROCEDURES = {
    "open": "open",
    "restricted": "restricted",
    "neg-w-call": "neg-w-call",
    "comp-dial": "comp-dial",
}
SUBTYPE = "16"
LEGAL_BASIS = "32014L0024"  # Directive 2014/24/EU on public procurement
SERVICE_GROUP_KINDS = {"data_centre", "service"}

#: Impact categories → BT-774 (environmental-impact).
GREEN_CODES = {
    ImpactCategory.CIRCULARITY: "circ-econ",
    ImpactCategory.CARBON: "clim-mitig",
    ImpactCategory.CHEMICALS: "pollu-prev",
}
LABOUR_WORDS = ("labour", "labor", "working", "worker", "ilo")
#: Publishers of national green-procurement criteria (BT-805 "national"): a source from one of them is a
#: member state's criteria set, not the EU's. Matched in a source's title, case-insensitively.
NATIONAL_GPP_PUBLISHERS = (
    "upphandlingsmyndigheten",  # Swedish National Agency for Public Procurement
    "pianoo",  # Dutch public procurement expertise centre (MVI criteria)
    "mvi criteria",
    "dfø",  # Norwegian Agency for Public and Financial Management
    "anskaffelser.no",
    "kompetenzstelle für nachhaltige beschaffung",  # German federal centre
    "government buying standards",  # UK GBS
)
#: A lot's award points are points out of ``POINTS_TOTAL`` (BT-5421 number-weight).
WEIGHT_TYPE = "poi-exa"
#: BT-821 (selection criteria) and BT-806 (exclusion grounds): where the lists are. cfit's notice
#: carries neither list (no BT-809 criteria, no BT-67 grounds), so they are in the procurement
#: documents; the SDK forbids BT-809 and BT-67 in the notice when the source says so.
CRITERIA_SOURCE = "epo-procurement-document"

#: The eForms code lists the notice writes codes from whose genericode files are not in the SDK data at
#: hand (the SDK's ``codelists.json`` names each; its ``codelists/`` folder here holds some of the green
#: lists only): their codes, as the SDK's Schematron checks them (``validation-stage-3b.sch``, the rule
#: named). A test compares each list with its rule. The enums of ``spec`` draw their values from these.
INLINE_CODE_LISTS: dict[str, frozenset[str]] = {
    "esubmission": frozenset({"allowed", "not-allowed", "required"}),  # BR-BT-00017-0052
    "no-esubmission-justification": frozenset(
        {"ipr-iss", "phy-mod", "sen-info", "sp-of-eq", "tdf-non-av"}
    ),  # BR-BT-00019-0052
    "einvoicing": frozenset({"allowed", "not-allowed", "required"}),  # BR-BT-00743-0052
    "ecatalog-submission": frozenset({"allowed", "not-allowed", "required"}),  # BR-BT-00764-0052
    "reserved-procurement": frozenset({"none", "res-pub-ser", "res-ws"}),  # BR-BT-00071-0102
    "reserved-execution": frozenset({"no", "not-known", "yes"}),  # BR-BT-00736-0104
    "framework-agreement": frozenset({"fa-mix", "fa-w-rc", "fa-wo-rc", "none"}),  # BR-BT-00765-0104
    "eu-funded": frozenset({"eu-funds", "no-eu-funds"}),  # BR-BT-00060-0052
    "other-place-service": frozenset({"anyw", "anyw-cou", "anyw-eea"}),  # BR-BT-00727-0156
    "document-distribution": frozenset(
        {"non-restricted-document", "restricted-document"}
    ),  # BR-BT-00014-0104
    "selection-criteria-source": frozenset(
        {"epo-acc-espd-request", "epo-notice", "epo-procurement-document"}
    ),  # BR-BT-00821-0051
    "exclusion-grounds-source": frozenset(
        {"epo-acc-espd-request", "epo-notice", "epo-procurement-document"}
    ),  # BR-BT-00806-0051
}
#: BT-15 and BT-18 must be web addresses as the SDK's pattern has them (a scheme or "www."), without
#: blanks; ``fields.json`` gives the pattern, the Schematron rejects anything else.
WEB_ADDRESS = re.compile(r"((https?|ftps?|sftp)://|w{3}[0-9]?\.)\S+", re.IGNORECASE)


class NoticeError(ValueError):
    """Raised if a tender cannot be written as a contract notice (the message says why)."""


@cache
def codes(list_name: str) -> frozenset[str]:
    """The codes of an eForms code list: shipped (genericode, read on first use) or inline."""
    if list_name in INLINE_CODE_LISTS:
        return INLINE_CODE_LISTS[list_name]
    data = resources.files("cfit.tenders").joinpath("eforms_codelists", f"{list_name}.gc").read_bytes()
    root = ET.fromstring(data)
    return frozenset(
        value.findtext("SimpleValue") or ""
        for row in root.iter("Row")
        for value in row.findall("Value")
        if value.get("ColumnRef") == "code"
    )


def _not_a_code(list_name: str, code: str) -> NoticeError:
    return NoticeError(
        _("%(code)s is not a code of the eForms list %(list)s") % {"code": repr(code), "list": list_name}
    )


def _checked(list_name: str, code: str) -> str:
    """``code`` (an enum member's value, or a string as the database holds it) if ``list_name`` has it."""
    code = str(code)
    if code not in codes(list_name):
        raise _not_a_code(list_name, code)
    return code


def _buyer_code(list_name: str, code: str) -> str:
    """A code of the buyer's notice details, from the vocabulary the organisation's form offers."""
    allowed = {"buyer-legal-type": BuyerLegalType.values, "authority-activity": BuyerActivity.values}
    if code not in allowed[list_name]:
        raise _not_a_code(list_name, code)
    return code


def _web_address(term: str, url: str) -> str:
    url = url.strip()
    if not WEB_ADDRESS.fullmatch(url):
        raise NoticeError(
            _("%(term)s: %(url)s is not a web address (it starts with https:// or www.)")
            % {"term": term, "url": url}
        )
    return url


def _duration(term: str, value: int) -> str:
    """A number of days or months (BT-98, BT-36): the SDK's pattern is digits only, and none is zero."""
    if value < 1:
        raise NoticeError(_("%(term)s: %(value)s is not a duration") % {"term": term, "value": value})
    return str(value)


def _indicator(value: bool) -> str:
    return "true" if value else "false"


def _amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


# ---------------------------------------------------------------------------
# What the notice says, per lot: plain data a test (or a reader) compares with
# ---------------------------------------------------------------------------


def strategic_codes(lot: LotSpec) -> dict[str, list[str]]:
    """BT-06, BT-774, BT-775 and BT-805 of a lot, from its criteria's impact categories and sources."""
    categories = {c.criterion.impact_category for c in lot.criteria}
    green = sorted({GREEN_CODES[c] for c in categories if c in GREEN_CODES})
    due_diligence = [
        c.criterion for c in lot.criteria if c.criterion.impact_category == ImpactCategory.DUE_DILIGENCE
    ]
    social = []
    if due_diligence:
        social.append("hum-right")
        if any(
            word in (c.topic + " " + c.title["en"]).lower() for c in due_diligence for word in LABOUR_WORDS
        ):
            social.append("work-cond")
    strategic = (["env-imp"] if green else []) + (["soc-obj"] if social else [])
    gpp: list[str] = []
    if green:  # BT-805: which criteria sets the green criteria (BT-06 env-imp) come from
        gpp = gpp_codes([c for c in lot.criteria if c.criterion.impact_category in GREEN_CODES])
    return {"BT-06": strategic or ["none"], "BT-774": green, "BT-775": social, "BT-805": gpp}


def gpp_codes(criteria: Sequence[ChosenCriterion]) -> list[str]:
    """BT-805 codes of criteria: EU GPP, national GPP, or other (a criterion from neither set)."""
    sources = [[s.title.lower() for s in c.criterion.sources] for c in criteria]
    eu = [any(_is_eu_gpp(t) for t in titles) for titles in sources]
    national = [any(_is_national_gpp(t) for t in titles) for titles in sources]
    codes = (["eu"] if any(eu) else []) + (["national"] if any(national) else [])
    if not all(e or n for e, n in zip(eu, national, strict=True)):
        codes.append("other")
    return codes


def _is_eu_gpp(title: str) -> bool:
    return "eu gpp criteria" in title or "green public procurement criteria" in title


def _is_national_gpp(title: str) -> bool:
    return any(publisher in title for publisher in NATIONAL_GPP_PUBLISHERS)


def award_criteria(method: LotAwardMethod, language: str) -> list[dict[str, str]]:
    """BT-539, BT-734, BT-540, BT-541 and BT-5421 of each award criterion of a lot, in ``language``."""
    with translation.override(language):
        price: dict[str, str] = {
            "BT-539": "cost" if method.price_rule == PriceRule.LIFE_CYCLE_COST else "price",
            "BT-734": award_text.price_noun(method).capitalize(),
            "BT-540": award_text.price_sentence(method),
            "BT-541": _number(method.price_weight),
            "BT-5421": WEIGHT_TYPE,
        }
    rows = [price]
    for criterion in method.criteria:
        title = criterion.title.get(language) or criterion.title.get("en", criterion.id)
        rows.append(
            {
                "BT-539": "quality",
                # The name a reader understands, with cfit's id to find the criterion in the annex.
                "BT-734": f"{title} ({criterion.id})",
                "BT-540": award_text.criterion_description(criterion, language),
                "BT-541": _number(criterion.weight),
                "BT-5421": WEIGHT_TYPE,
            }
        )
    return rows


# ---------------------------------------------------------------------------
# The XML
# ---------------------------------------------------------------------------


def _el(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def _text(parent: etree._Element, tag: str, text: str, language: str) -> etree._Element:
    return _el(parent, tag, text, languageID=language)


def _organisation_ref(parent: etree._Element, tag: str, organisation: str | None = None) -> None:
    _el(
        _el(_el(parent, tag), "cac:PartyIdentification"),
        "cbc:ID",
        organisation or BUYER_ORG,
        schemeName="organization",
    )


BUYER_ORG = "ORG-0001"
REVIEW_ORG = "ORG-0002"  #: the review body, when the buyer's notice details name one


def _deadline(moment: datetime) -> tuple[str, str]:
    utc = moment.astimezone(UTC).replace(microsecond=0)
    return f"{utc.date().isoformat()}Z", f"{utc.time().isoformat()}Z"


def _stable_uuid(name: str) -> str:
    """A UUID in the version-4 form eForms requires (BR-BT-00004-0052, BR-BT-00701-0052), derived from
    ``name`` so that exporting the same tender twice gives the same identifiers."""
    return str(uuid.UUID(bytes=uuid.uuid5(uuid.NAMESPACE_URL, name).bytes, version=4))


def notice_id(spec: TenderSpec) -> str:
    """BT-701: one notice per tender and issue date."""
    return _stable_uuid(f"urn:cfit:notice:{spec.identifier or spec.reference}:{spec.issued}")


def contract_notice(spec: TenderSpec) -> bytes:
    """The tender as an eForms ContractNotice (subtype 16), UTF-8 XML bytes."""
    if spec.procedure not in PROCEDURES:
        raise NoticeError(
            _(
                "A mini-competition under a framework agreement is not published as a contract notice "
                "(procedure %(procedure)s)."
            )
            % {"procedure": spec.procedure}
        )
    language = LANGUAGES.get(spec.language)
    if language is None:
        raise NoticeError(_("eForms has no notice language for %(language)s.") % {"language": spec.language})
    country = COUNTRIES.get(spec.buyer_country.upper())
    if country is None:
        raise NoticeError(
            _(
                "The buyer's country %(country)s is not one a notice can name here (give an EU or EEA country)."
            )
            % {"country": spec.buyer_country or "—"}
        )
    if not spec.lots:
        raise NoticeError(_("A contract notice needs at least one lot."))
    terms = spec.notice_terms
    if terms.submission_url and terms.electronic_submission == ElectronicMeans.NOT_ALLOWED:
        # BT-18 is forbidden then: an address where offers are submitted contradicts the answer.
        raise NoticeError(
            _("Offers may not be submitted electronically, yet a submission address is given (%(url)s).")
            % {"url": terms.submission_url}
        )

    nsmap: dict[str | None, str] = {None: CONTRACT_NOTICE}
    nsmap.update(NS)
    root = etree.Element(f"{{{CONTRACT_NOTICE}}}ContractNotice", nsmap=nsmap)
    extension = _el(
        _el(_el(_el(root, "ext:UBLExtensions"), "ext:UBLExtension"), "ext:ExtensionContent"),
        "efext:EformsExtension",
    )
    _el(_el(extension, "efac:NoticeSubType"), "cbc:SubTypeCode", SUBTYPE, listName="notice-subtype")
    organisations = _el(extension, "efac:Organizations")
    _buyer(_el(_el(organisations, "efac:Organization"), "efac:Company"), spec, country, language)
    review = spec.buyer_details.review_body
    if review.given:
        _review_body(_el(_el(organisations, "efac:Organization"), "efac:Company"), review, country, language)

    _el(root, "cbc:UBLVersionID", "2.3")
    _el(root, "cbc:CustomizationID", SDK_VERSION)
    _el(root, "cbc:ID", notice_id(spec), schemeName="notice-id")
    _el(root, "cbc:ContractFolderID", _stable_uuid(f"urn:cfit:tender:{spec.identifier or spec.reference}"))
    _el(root, "cbc:IssueDate", f"{spec.issued.isoformat()}Z")
    _el(root, "cbc:IssueTime", "00:00:00Z")
    _el(root, "cbc:VersionID", "01")
    _el(root, "cbc:RegulatoryDomain", LEGAL_BASIS)
    _el(root, "cbc:NoticeTypeCode", "cn-standard", listName="competition")
    _el(root, "cbc:NoticeLanguageCode", language)
    party = _el(root, "cac:ContractingParty")
    details = spec.buyer_details
    if details.legal_type:  # BT-11
        _el(
            _el(party, "cac:ContractingPartyType"),
            "cbc:PartyTypeCode",
            _buyer_code("buyer-legal-type", details.legal_type),
            listName="buyer-legal-type",
        )
    if details.main_activity:  # BT-10
        _el(
            _el(party, "cac:ContractingActivity"),
            "cbc:ActivityTypeCode",
            _buyer_code("authority-activity", details.main_activity),
            listName="authority-activity",
        )
    _organisation_ref(party, "cac:Party")
    procedure_terms = _el(root, "cac:TenderingTerms")
    # BT-806: the exclusion grounds are those of the procurement documents (see CRITERIA_SOURCE).
    requirement = _el(
        _el(procedure_terms, "cac:TendererQualificationRequest"), "cac:SpecificTendererRequirement"
    )
    _el(
        requirement,
        "cbc:TendererRequirementTypeCode",
        _checked("exclusion-grounds-source", CRITERIA_SOURCE),
        listName="exclusion-grounds-source",
    )
    if len(spec.lots) > 1:
        # BT-31: a tenderer may offer for every lot. A cfit offer has lines for any of the tender's
        # lots and each lot is ranked on its own; a tender records no limit. (The SDK forbids BT-31
        # in a notice of one lot.)
        _el(
            _el(procedure_terms, "cac:LotDistribution"),
            "cbc:MaximumLotsSubmittedNumeric",
            str(len(spec.lots)),
        )
    process = _el(root, "cac:TenderingProcess")
    _el(process, "cbc:ProcedureCode", PROCEDURES[spec.procedure], listName="procurement-procedure-type")
    # BT-106: cfit offers no accelerated procedure (no urgency is declared in a cfit tender)
    justification = _el(process, "cac:ProcessJustification")
    _el(justification, "cbc:ProcessReasonCode", "false", listName="accelerated-procedure")

    services = all(lot.product_group.kind.value in SERVICE_GROUP_KINDS for lot in spec.lots)
    project = _el(root, "cac:ProcurementProject")
    _el(project, "cbc:ID", spec.reference, schemeName="InternalID")
    _text(project, "cbc:Name", spec.title, language)
    _text(project, "cbc:Description", "; ".join(lot.title for lot in spec.lots), language)
    _el(
        project, "cbc:ProcurementTypeCode", "services" if services else "supplies", listName="contract-nature"
    )
    total = sum((lot.estimated_value for lot in spec.lots), Decimal(0))
    if total > 0:
        _el(
            _el(project, "cac:RequestedTenderTotal"),
            "cbc:EstimatedOverallContractAmount",
            _amount(total),
            currencyID="EUR",
        )
    main = _el(project, "cac:MainCommodityClassification")
    _el(main, "cbc:ItemClassificationCode", spec.lots[0].cpv, listName="cpv")
    if terms.performance_place is not None:  # BT-727 / BT-5141 of the procedure: every lot's place
        _place(project, spec, country)

    for lot in spec.lots:
        _lot(root, spec, lot, country, language)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml


def _buyer(company: etree._Element, spec: TenderSpec, country: str, language: str) -> None:
    """The buyer organisation (ORG-0001): its name, address, registration number and contact, in the
    order of the schema (UBL 2.3 PartyType, AddressType, ContactType); what it has not filled in of
    its notice details is left out."""
    details = spec.buyer_details
    _el(_el(company, "cac:PartyIdentification"), "cbc:ID", BUYER_ORG, schemeName="organization")
    _text(_el(company, "cac:PartyName"), "cbc:Name", spec.buyer or "—", language)
    address = _el(company, "cac:PostalAddress")
    if details.street:  # BT-510(a)
        _el(address, "cbc:StreetName", details.street)
    if details.town:  # BT-513
        _el(address, "cbc:CityName", details.town)
    if details.post_code:  # BT-512
        _el(address, "cbc:PostalZone", details.post_code)
    if details.nuts_code:  # BT-507
        _el(address, "cbc:CountrySubentityCode", details.nuts_code, listName="nuts")
    _el(_el(address, "cac:Country"), "cbc:IdentificationCode", country, listName="country")
    if details.registration_number:  # BT-501
        _el(_el(company, "cac:PartyLegalEntity"), "cbc:CompanyID", details.registration_number)
    if details.telephone or spec.buyer_email:
        contact = _el(company, "cac:Contact")
        if details.telephone:  # BT-503
            _el(contact, "cbc:Telephone", details.telephone)
        if spec.buyer_email:  # BT-506
            _el(contact, "cbc:ElectronicMail", spec.buyer_email)


def _review_body(company: etree._Element, review: ReviewBody, country: str, language: str) -> None:
    """The review body (REVIEW_ORG), in the buyer's country: what the buyer's notice details name of it."""
    _el(_el(company, "cac:PartyIdentification"), "cbc:ID", REVIEW_ORG, schemeName="organization")
    _text(_el(company, "cac:PartyName"), "cbc:Name", review.name, language)  # BT-500
    address = _el(company, "cac:PostalAddress")
    if review.town:  # BT-513
        _el(address, "cbc:CityName", review.town)
    if review.post_code:  # BT-512
        _el(address, "cbc:PostalZone", review.post_code)
    if review.nuts_code:  # BT-507
        _el(address, "cbc:CountrySubentityCode", review.nuts_code, listName="nuts")
    _el(_el(address, "cac:Country"), "cbc:IdentificationCode", country, listName="country")
    if review.registration_number:  # BT-501
        _el(_el(company, "cac:PartyLegalEntity"), "cbc:CompanyID", review.registration_number)
    if review.email:  # BT-506
        _el(_el(company, "cac:Contact"), "cbc:ElectronicMail", review.email)


def _place(project: etree._Element, spec: TenderSpec, country: str) -> None:
    """BT-727 / BT-5141 (and at the buyer's address BT-5131, BT-5121, BT-5071) in a ProcurementProject."""
    place = spec.notice_terms.performance_place
    address = _el(_el(project, "cac:RealizedLocation"), "cac:Address")
    if place == PerformancePlace.BUYER:
        details = spec.buyer_details
        if details.town:  # BT-5131
            _el(address, "cbc:CityName", details.town)
            if details.post_code:  # BT-5121, which the SDK forbids without a town
                _el(address, "cbc:PostalZone", details.post_code)
        if details.nuts_code:  # BT-5071
            _el(address, "cbc:CountrySubentityCode", details.nuts_code, listName="nuts")
    else:
        _el(address, "cbc:Region", _checked("other-place-service", str(place)))
    # "Anywhere" and "anywhere in the EEA" name no country (the SDK forbids BT-5141 with them)
    if place in (PerformancePlace.BUYER, PerformancePlace.COUNTRY):
        _el(_el(address, "cac:Country"), "cbc:IdentificationCode", country, listName="country")


def lot_id(number: int) -> str:
    return f"LOT-{number:04d}"


def _lot(root: etree._Element, spec: TenderSpec, lot: LotSpec, country: str, language: str) -> None:
    element = _el(root, "cac:ProcurementProjectLot")
    _el(element, "cbc:ID", lot_id(lot.number), schemeName="Lot")
    answered = spec.notice_terms

    terms = _el(element, "cac:TenderingTerms")
    _terms_before_award(terms, spec, answered)
    method = lot.award_method
    awarding = _el(_el(terms, "cac:AwardingTerms"), "cac:AwardingCriterion")
    for row in award_criteria(method, spec.language):
        sub = _el(awarding, "cac:SubordinateAwardingCriterion")
        parameter = _el(
            _el(_el(_el(sub, "ext:UBLExtensions"), "ext:UBLExtension"), "ext:ExtensionContent"),
            "efext:EformsExtension",
        )
        parameter = _el(parameter, "efac:AwardCriterionParameter")
        _el(
            parameter,
            "efbc:ParameterCode",
            _checked("number-weight", row["BT-5421"]),
            listName="number-weight",
        )
        _el(parameter, "efbc:ParameterNumeric", row["BT-541"])
        _el(
            sub,
            "cbc:AwardingCriterionTypeCode",
            _checked("award-criterion-type", row["BT-539"]),
            listName="award-criterion-type",
        )
        _text(sub, "cbc:Name", row["BT-734"], language)
        _text(sub, "cbc:Description", row["BT-540"], language)
    if answered.submission_url:  # BT-18
        _el(
            _el(terms, "cac:TenderRecipientParty"),
            "cbc:EndpointID",
            _web_address("BT-18", answered.submission_url),
        )
    # BT-98: the SDK asks for it in an open procedure only (it forbids it in a restricted or negotiated
    # one, whose invitation to tender states it); left out there.
    if answered.offer_validity_days is not None and spec.procedure == "open":
        _el(
            _el(terms, "cac:TenderValidityPeriod"),
            "cbc:DurationMeasure",
            _duration("BT-98", answered.offer_validity_days),
            unitCode="DAY",
        )
    review = spec.buyer_details.review_body
    if review.given:  # OPT-301-Lot-ReviewOrg and BT-99: the review body and its deadlines
        appeal = _el(terms, "cac:AppealTerms")
        if review.deadlines:
            _text(_el(appeal, "cac:PresentationPeriod"), "cbc:Description", review.deadlines, language)
        _organisation_ref(appeal, "cac:AppealReceiverParty", REVIEW_ORG)
    _el(_el(terms, "cac:Language"), "cbc:ID", language)
    if answered.e_ordering is not None or answered.e_payment is not None:
        post_award = _el(terms, "cac:PostAwardProcess")
        if answered.e_ordering is not None:  # BT-92
            _el(post_award, "cbc:ElectronicOrderUsageIndicator", _indicator(answered.e_ordering))
        if answered.e_payment is not None:  # BT-93
            _el(post_award, "cbc:ElectronicPaymentUsageIndicator", _indicator(answered.e_payment))

    process = _el(element, "cac:TenderingProcess")
    if answered.electronic_submission is not None:  # BT-17
        _el(
            process,
            "cbc:SubmissionMethodCode",
            _checked("esubmission", answered.electronic_submission),
            listName="esubmission",
        )
    if answered.gpa is not None:  # BT-115
        _el(process, "cbc:GovernmentAgreementConstraintIndicator", _indicator(answered.gpa))
    if spec.offers_deadline is not None:
        end_date, end_time = _deadline(spec.offers_deadline)
        period = _el(process, "cac:TenderSubmissionDeadlinePeriod")
        _el(period, "cbc:EndDate", end_date)
        _el(period, "cbc:EndTime", end_time)
    _nonelectronic(process, answered, language)
    # BT-767 and BT-766: a cfit tender compares sealed offers once; no electronic auction, no
    # dynamic purchasing system.
    _el(_el(process, "cac:AuctionTerms"), "cbc:AuctionConstraintIndicator", "false")
    framework = answered.framework_agreement
    if (
        framework not in (None, FrameworkAgreement.NONE)
        and answered.framework_duration_justification
        and (answered.contract_months or 0) > FRAMEWORK_MONTHS
    ):  # BT-109, which the SDK forbids for a framework agreement of four years or less
        _text(
            _el(process, "cac:FrameworkAgreement"),
            "cbc:Justification",
            answered.framework_duration_justification,
            language,
        )
    if framework is not None:  # BT-765
        _el(
            _el(process, "cac:ContractingSystem"),
            "cbc:ContractingSystemTypeCode",
            _checked("framework-agreement", framework),
            listName="framework-agreement",
        )
    system = _el(process, "cac:ContractingSystem")
    _el(system, "cbc:ContractingSystemTypeCode", "none", listName="dps-usage")

    project = _el(element, "cac:ProcurementProject")
    _el(project, "cbc:ID", str(lot.number), schemeName="InternalID")
    _text(project, "cbc:Name", lot.title, language)
    _text(project, "cbc:Description", _lot_description(lot, spec.language), language)
    kind = "services" if lot.product_group.kind.value in SERVICE_GROUP_KINDS else "supplies"
    _el(project, "cbc:ProcurementTypeCode", kind, listName="contract-nature")
    strategic = strategic_codes(lot)
    for field, list_name in (
        ("BT-774", "environmental-impact"),
        ("BT-775", "social-objective"),
        ("BT-06", "strategic-procurement"),
        ("BT-805", "gpp-criteria"),
    ):
        for code in strategic[field]:
            extra = _el(project, "cac:ProcurementAdditionalType")
            _el(extra, "cbc:ProcurementTypeCode", _checked(list_name, code), listName=list_name)
            if field == "BT-06" and code != "none":  # BT-777: how the lot pursues the aim
                _text(extra, "cbc:ProcurementType", strategic_description(lot, code, spec.language), language)
    if lot.estimated_value > 0:
        _el(
            _el(project, "cac:RequestedTenderTotal"),
            "cbc:EstimatedOverallContractAmount",
            _amount(lot.estimated_value),
            currencyID="EUR",
        )
    _el(
        _el(project, "cac:MainCommodityClassification"), "cbc:ItemClassificationCode", lot.cpv, listName="cpv"
    )
    if answered.performance_place is not None:  # BT-727 / BT-5141
        _place(project, spec, country)
    if answered.contract_months is not None:  # BT-36
        _el(
            _el(project, "cac:PlannedPeriod"),
            "cbc:DurationMeasure",
            _duration("BT-36", answered.contract_months),
            unitCode="MONTH",
        )


def _terms_before_award(terms: etree._Element, spec: TenderSpec, answered: NoticeTerms) -> None:
    """A lot's TenderingTerms before its award criteria, in the schema's order: BT-60, the procurement
    documents (BT-14, OPT-140, BT-15), BT-71, BT-821, then BT-736, BT-743 and BT-764."""
    if answered.eu_funded is not None:  # BT-60
        funds = "eu-funds" if answered.eu_funded else "no-eu-funds"
        _el(terms, "cbc:FundingProgramCode", _checked("eu-funded", funds), listName="eu-funded")
    if answered.documents_url:  # BT-15, in documents anyone may read (BT-14), named by the tender's reference
        documents = _el(terms, "cac:CallForTendersDocumentReference")
        _el(documents, "cbc:ID", spec.reference.strip() or "DOCUMENTS")
        _el(documents, "cbc:DocumentType", _checked("document-distribution", "non-restricted-document"))
        _el(
            _el(_el(documents, "cac:Attachment"), "cac:ExternalReference"),
            "cbc:URI",
            _web_address("BT-15", answered.documents_url),
        )
    if answered.reserved_participation is not None:  # BT-71
        _requirement(terms, "reserved-procurement", answered.reserved_participation)
    _requirement(terms, "selection-criteria-source", CRITERIA_SOURCE)  # BT-821: see CRITERIA_SOURCE
    if answered.reserved_execution is not None:  # BT-736
        _execution(terms, "reserved-execution", "yes" if answered.reserved_execution else "no")
    if answered.e_invoicing is not None:  # BT-743
        _execution(terms, "einvoicing", answered.e_invoicing)
    if answered.e_catalogue is not None:  # BT-764
        _execution(terms, "ecatalog-submission", answered.e_catalogue)


def _requirement(terms: etree._Element, list_name: str, code: str) -> None:
    """A TendererQualificationRequest of its own holding one code (BT-71, BT-821)."""
    requirement = _el(_el(terms, "cac:TendererQualificationRequest"), "cac:SpecificTendererRequirement")
    _el(requirement, "cbc:TendererRequirementTypeCode", _checked(list_name, code), listName=list_name)


def _execution(terms: etree._Element, list_name: str, code: str) -> None:
    """A ContractExecutionRequirement holding one code (BT-736, BT-743, BT-764)."""
    _el(
        _el(terms, "cac:ContractExecutionRequirement"),
        "cbc:ExecutionRequirementCode",
        _checked(list_name, code),
        listName=list_name,
    )


def _nonelectronic(process: etree._Element, answered: NoticeTerms, language: str) -> None:
    """BT-19 (the ground, only where electronic submission is not allowed: the SDK forbids it otherwise)
    and BT-745 (how else offers are submitted; forbidden where electronic submission is required)."""
    choice = answered.electronic_submission
    ground = answered.nonelectronic_justification if choice == ElectronicMeans.NOT_ALLOWED else None
    description = (
        answered.nonelectronic_description
        if choice in (ElectronicMeans.ALLOWED, ElectronicMeans.NOT_ALLOWED)
        else ""
    )
    if ground is None and not description:
        return
    justification = _el(process, "cac:ProcessJustification")
    if ground is not None:
        _el(
            justification,
            "cbc:ProcessReasonCode",
            _checked("no-esubmission-justification", ground),
            listName="no-esubmission-justification",
        )
    if description:
        _text(justification, "cbc:Description", description, language)


def strategic_description(lot: LotSpec, code: str, language: str) -> str:
    """BT-777: the criteria that pursue an environmental (env-imp) or social (soc-obj) aim, by title."""
    social = code == "soc-obj"
    titles = [
        c.criterion.title.get(language) or c.criterion.title["en"]
        for c in lot.criteria
        if (c.criterion.impact_category == ImpactCategory.DUE_DILIGENCE) == social
        and (social or c.criterion.impact_category in GREEN_CODES)
    ]
    with translation.override(language):
        return str(
            _("Criteria of the Circular and Fair ICT framework: %(titles)s.") % {"titles": "; ".join(titles)}
        )


def _lot_description(lot: LotSpec, language: str) -> str:
    with translation.override(language):
        return str(
            _("%(title)s: %(quantity)s unit(s); %(n)s criteria of the Circular and Fair ICT framework.")
            % {"title": lot.title, "quantity": lot.quantity, "n": len(lot.criteria)}
        )
