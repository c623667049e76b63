"""Disclosing factories (by form or by file), withdrawing a disclosed model, and a participant's
agreement to share its factory figures: one transaction each, naming who acted, with an audit record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cfit.accounts.models import Organisation
from cfit.audit.models import AuditRecord
from cfit.audit.recording import actor, record
from cfit.contracts.rows import Collector, RowsRefused
from cfit.factories.core import factory_key
from cfit.factories.models import DisclosedProduct, Factory, SharingConsent
from cfit.factories.reading import DisclosureRow, read_disclosure


class FactoryError(Exception):
    """Raised if a factory operation is not allowed; the message says why, in the user's language."""


def _check_supplier(supplier: Organisation) -> None:
    if supplier.type != Organisation.Type.SUPPORTER:
        raise FactoryError(_("Factories are disclosed by suppliers."))


def _factory(row: DisclosureRow, problems: Collector) -> Factory | None:
    """The shared factory of a disclosed row: the same Open Supply Hub id, or the same normalised name
    in the same country; created if there is none."""
    key = factory_key(row.factory_name)
    if row.os_id:
        found = Factory.objects.filter(os_id=row.os_id).first()
        if found is not None:
            return found
    found = Factory.objects.filter(name_key=key, country=row.country).first()
    if found is not None:
        if row.os_id and found.os_id and found.os_id != row.os_id:
            problems.add(row.row, "os_id", "factory_has_other_id", factory=str(found), os_id=found.os_id)
            return None
        if row.os_id and not found.os_id:
            found.os_id = row.os_id
            found.save(update_fields=["os_id"])
        return found
    return Factory.objects.create(
        name=row.factory_name, name_key=key, address=row.address, country=row.country, os_id=row.os_id
    )


def _store(
    supplier: Organisation, rows: list[DisclosureRow], source: str, acting_user: Any, filename: str
) -> list[DisclosedProduct]:
    problems = Collector(filename)
    stored = []
    now = timezone.now()
    for row in rows:
        factory = _factory(row, problems)
        if factory is None:
            continue
        product, _created = DisclosedProduct.objects.update_or_create(
            supplier=supplier, factory=factory, kind=row.kind, manufacturer=row.manufacturer, model=row.model,
            defaults={
                "product_group": row.product_group, "workers": row.workers, "source": source,
                "disclosed_by": actor(acting_user), "disclosed_at": now,
            },
        )  # fmt: skip
        stored.append(product)
    problems.raise_if_any()
    return stored


@transaction.atomic
def disclose_factory(supplier: Organisation, row: DisclosureRow, *, acting_user: Any) -> DisclosedProduct:
    """One model made in one factory, entered in the form (the row is the form's, checked there)."""
    _check_supplier(supplier)
    try:
        product = _store(supplier, [row], DisclosedProduct.Source.FORM, acting_user, "form")[0]
    except RowsRefused as error:
        raise FactoryError("; ".join(str(p) for p in error.problems)) from None
    record(
        AuditRecord.Action.FACTORIES_DISCLOSED, product, acting_user=acting_user, organisation=supplier,
        after={"factory": product.factory_id, "kind": product.kind, "model": f"{row.manufacturer} {row.model}"},
    )  # fmt: skip
    return product


@transaction.atomic
def import_disclosure(
    supplier: Organisation, source: bytes | Path, filename: str, *, acting_user: Any, replace: bool = False
) -> tuple[int, int]:
    """A disclosure file, all or nothing (``RowsRefused`` names every problem by row and column).

    Each row adds or updates one disclosed model; with ``replace`` the supplier's models not in the file
    are withdrawn (the file is its whole list). Returns (models stored, models withdrawn)."""
    _check_supplier(supplier)
    rows = read_disclosure(source, filename)
    stored = _store(supplier, rows, DisclosedProduct.Source.UPLOAD, acting_user, filename)
    withdrawn = 0
    if replace:
        withdrawn, _counts = (
            DisclosedProduct.objects.filter(supplier=supplier).exclude(pk__in=[p.pk for p in stored]).delete()
        )
    factories = Factory.objects.filter(products__supplier=supplier).distinct().count()
    record(
        AuditRecord.Action.FACTORIES_DISCLOSED, supplier, acting_user=acting_user, organisation=supplier,
        after={"file": filename, "models": len(stored), "withdrawn": withdrawn, "factories": factories},
    )  # fmt: skip
    return len(stored), withdrawn


@transaction.atomic
def withdraw_product(product: DisclosedProduct, *, acting_user: Any) -> None:
    """The supplier no longer has this model made in this factory."""
    record(
        AuditRecord.Action.FACTORY_DISCLOSURE_WITHDRAWN, product, acting_user=acting_user,
        organisation=product.supplier, before={"factory": product.factory_id, "kind": product.kind},
    )  # fmt: skip
    product.delete()


@transaction.atomic
def set_sharing(organisation: Organisation, *, agreed: bool, acting_user: Any) -> SharingConsent:
    """Record a participant's agreement (or its withdrawal) to share its figures on factories."""
    if not organisation.is_participant:
        raise FactoryError(_("Only participants share figures on the factories they depend on."))
    consent, _created = SharingConsent.objects.get_or_create(organisation=organisation)
    before = consent.agreed
    consent.agreed = agreed
    consent.changed_by = actor(acting_user)
    consent.changed_at = timezone.now()
    consent.save()
    record(
        AuditRecord.Action.FACTORY_SHARING_CHANGED, consent, acting_user=acting_user,
        organisation=organisation, before={"agreed": before}, after={"agreed": agreed},
    )  # fmt: skip
    return consent
