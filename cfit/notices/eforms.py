"""Reading an eForms notice (UBL XML, any subtype, SDK 1.x) into a ``NoticeRecord``.

Each field is read at the place the eForms SDK's ``fields.json`` gives for its business term (the
XPath is in the comment beside it; ``tests/test_notices.py`` checks them against the SDK when
``../shared`` is there). A notice is read whether or not it validates against the newest SDK: real
notices published under SDK 1.3 or by national portals do not, and a market reader has to read them.

Untrusted input: no DTD, no entity, no network, no huge text nodes; a notice with a DOCTYPE is
refused (billion laughs and external entities are declared there). Plain Python on lxml, no Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from cfit.notices.codes import country_alpha_2, cpv_code, is_ict, language_alpha_2
from cfit.notices.record import AwardCriterion, Buyer, Lot, NoticeRecord, Strategic, english

UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
NS = {
    "cac": UBL + "CommonAggregateComponents-2",
    "cbc": UBL + "CommonBasicComponents-2",
    "ext": UBL + "CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
}
#: The root elements of eForms notices, each in its own document namespace.
ROOTS = {
    "ContractNotice": UBL + "ContractNotice-2",
    "ContractAwardNotice": UBL + "ContractAwardNotice-2",
    "PriorInformationNotice": UBL + "PriorInformationNotice-2",
    "BusinessRegistrationInformationNotice": "http://data.europa.eu/p27/eforms-business-registration-information-notice/1",
}
EXTENSION = "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension"
#: The lists of ``cac:ProcurementAdditionalType/cbc:ProcurementTypeCode/@listName`` per business term.
STRATEGIC_LISTS = {
    "strategic-procurement": "bt06",  # BT-06
    "gpp-criteria": "bt805",  # BT-805
    "environmental-impact": "bt774",  # BT-774
    "social-objective": "bt775",  # BT-775
    "innovative-acquisition": "bt776",  # BT-776
}
#: BT-5421 weight types whose BT-541 number is a weight (the others are points or an order).
WEIGHT_TYPES = ("per-exa", "per-ran", "dec-exa", "dec-ran", "poi-exa", "poi-ran", "ord-imp")
MAX_NOTICE_BYTES = 20 * 1024 * 1024  #: the largest real notices are under 2 MB


class NoticeRefused(ValueError):
    """This notice cannot be read; the reason names what is wrong, as a ``MESSAGES`` code with its
    parameters (``str()`` is the English)."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = tuple((k, str(v)) for k, v in params.items())
        super().__init__(english(code, self.params))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )


def parse_eforms(data: bytes) -> NoticeRecord:
    """The record of one eForms notice; ``NoticeRefused`` with the reason when it is none."""
    if len(data) > MAX_NOTICE_BYTES:
        raise NoticeRefused("notice_too_large", size=MAX_NOTICE_BYTES // 1_000_000)
    head = data[:4096]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in data:
        raise NoticeRefused("dtd")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise NoticeRefused("not_xml", detail=error.msg, line=error.lineno) from None
    tag = etree.QName(root)
    if tag.localname not in ROOTS or ROOTS[tag.localname] != tag.namespace:
        raise NoticeRefused(
            "not_eforms", root=f"{{{tag.namespace}}}{tag.localname}", expected=", ".join(ROOTS)
        )
    return _record(root)


def _text(node: etree._Element, path: str) -> str:
    found = node.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def _texts(node: etree._Element, path: str) -> list[str]:
    return [(e.text or "").strip() for e in node.findall(path, NS) if (e.text or "").strip()]


def _in_language(node: etree._Element, path: str, language: str) -> str:
    """The text of ``path`` in the notice's language when it is given in several, else the first."""
    found = node.findall(path, NS)
    for element in found:
        if (element.get("languageID") or "").upper() == language.upper():
            return (element.text or "").strip()
    return (found[0].text or "").strip() if found else ""


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _record(root: etree._Element) -> NoticeRecord:
    extension = root.find(EXTENSION, NS)
    language_code = _text(root, "cbc:NoticeLanguageCode")  # BT-702(a)
    notice_id = _text(root, "cbc:ID[@schemeName='notice-id']") or _text(root, "cbc:ID")  # BT-701
    if not notice_id:
        raise NoticeRefused("no_notice_id")
    published = ""
    subtype = ""
    changes = ""
    if extension is not None:
        published = _text(extension, "efac:Publication/efbc:PublicationDate")  # OPP-012
        subtype = _text(extension, "efac:NoticeSubType/cbc:SubTypeCode")  # OPP-070
        changes = _changed_notice(_text(extension, "efac:Changes/efbc:ChangedNoticeIdentifier"))  # BT-758
    published = (published or _text(root, "cbc:IssueDate"))[:10]  # BT-05(a)
    procedure = root.find("cac:ProcurementProject", NS)
    title = _in_language(procedure, "cbc:Name", language_code) if procedure is not None else ""  # BT-21
    texts = [title]
    cpv: list[str] = []
    if procedure is not None:
        texts += _texts(procedure, "cbc:Description")  # BT-24
        cpv += _cpv(procedure)  # BT-262, BT-263 of the procedure
    lots: list[Lot] = []
    criteria: list[AwardCriterion] = []
    strategic: dict[str, list[str]] = {key: [] for key in STRATEGIC_LISTS.values()}
    for lot_node in root.findall("cac:ProcurementProjectLot", NS):
        lot_id = _text(lot_node, "cbc:ID")  # BT-137
        project = lot_node.find("cac:ProcurementProject", NS)
        lot_cpv: list[str] = []
        value: float | None = None
        currency = ""
        lot_title = ""
        if project is not None:
            lot_title = _in_language(project, "cbc:Name", language_code)  # BT-21-Lot
            texts += [lot_title, *_texts(project, "cbc:Description")]
            lot_cpv = _cpv(project)
            amount = project.find("cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount", NS)  # BT-27
            if amount is not None:
                value = _number((amount.text or "").strip())
                currency = amount.get("currencyID") or ""
            for code in project.findall("cac:ProcurementAdditionalType/cbc:ProcurementTypeCode", NS):
                key = STRATEGIC_LISTS.get(code.get("listName") or "")
                if key and (code.text or "").strip():
                    strategic[key].append((code.text or "").strip())
        cpv += lot_cpv
        lots.append(Lot(lot_id, tuple(dict.fromkeys(lot_cpv)), value, currency, lot_title))
        for criterion in lot_node.findall(
            "cac:TenderingTerms/cac:AwardingTerms/cac:AwardingCriterion/cac:SubordinateAwardingCriterion", NS
        ):
            criteria.append(_criterion(criterion, lot_id, language_code))
            texts += [criteria[-1].name, criteria[-1].description]
    cpv = list(dict.fromkeys(cpv))
    return NoticeRecord(
        id=notice_id,
        source="eforms",
        published=published,
        buyer=_buyer(root, extension),
        title=title,
        language=language_alpha_2(language_code),
        cpv=tuple(cpv),
        ict=any(is_ict(c) for c in cpv),
        lots=tuple(lots),
        strategic=Strategic(**{k: tuple(dict.fromkeys(v)) for k, v in strategic.items()}),
        award_criteria=tuple(criteria),
        version=_text(root, "cbc:VersionID"),  # BT-757
        subtype=subtype,
        ocid=_text(root, "cbc:ContractFolderID"),  # BT-04
        reference=_text(procedure, "cbc:ID") if procedure is not None else "",  # BT-22 internal id
        changes=changes,
        texts=tuple(t for t in texts if t),
    )


#: BT-758 names the changed notice by its identifier and version: "<BT-701>-<BT-757>" ("…-01").
_CHANGED_NOTICE = re.compile(r"(?P<notice>.+)-(?P<version>\d{2})")


def _changed_notice(identifier: str) -> str:
    """The notice id (BT-701) in a change notice's BT-758. A change notice has an id of its own (a new
    UUID), so without this the original and its change would count as two notices."""
    found = _CHANGED_NOTICE.fullmatch(identifier)
    return found["notice"] if found else identifier


def _cpv(project: etree._Element) -> list[str]:
    codes = _texts(project, "cac:MainCommodityClassification/cbc:ItemClassificationCode")  # BT-262
    codes += _texts(project, "cac:AdditionalCommodityClassification/cbc:ItemClassificationCode")  # BT-263
    return [c for c in (cpv_code(code) for code in codes) if c]


def _criterion(node: etree._Element, lot: str, language: str) -> AwardCriterion:
    weight: float | None = None
    weight_type = ""
    for parameter in node.findall(f"{EXTENSION}/efac:AwardCriterionParameter", NS):
        code = parameter.find("efbc:ParameterCode", NS)
        if code is not None and code.get("listName") == "number-weight":  # BT-5421
            weight_type = (code.text or "").strip()
            weight = _number(_text(parameter, "efbc:ParameterNumeric"))  # BT-541
    if weight_type and weight_type not in WEIGHT_TYPES:
        weight = None
    return AwardCriterion(
        type=_text(node, "cbc:AwardingCriterionTypeCode"),  # BT-539
        name=_in_language(node, "cbc:Name", language),  # BT-734
        description=_in_language(node, "cbc:Description", language),  # BT-540
        weight=weight,
        weight_type=weight_type,
        lot=lot,
    )


def _buyer(root: etree._Element, extension: etree._Element | None) -> Buyer:
    """The first buyer (OPT-300-Procedure-Buyer) as the organisation section names it (BT-500, BT-514)."""
    buyer_ids = _texts(root, "cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID")
    organisations: Iterable[etree._Element] = (
        extension.findall("efac:Organizations/efac:Organization/efac:Company", NS)
        if extension is not None
        else []
    )
    for company in organisations:
        if not buyer_ids or _text(company, "cac:PartyIdentification/cbc:ID") in buyer_ids[:1]:
            return Buyer(
                _text(company, "cac:PartyName/cbc:Name"),
                country_alpha_2(_text(company, "cac:PostalAddress/cac:Country/cbc:IdentificationCode")),
            )
    return Buyer("", "")
