"""``cfit offers evaluate --tender ID FILE...``: check and score offer files against a saved tender.

Evaluating stores nothing: it is the batch form of the comparison page, for integrators and for
large catalogues. ``cfit offers import`` stores one offer, all or nothing, as the import page does,
and like it only while the tender is published and before its deadline for offers.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cfit.accounts.scoping import system_scope
from cfit.offers import actions
from cfit.offers.evaluate import evaluate, to_json
from cfit.offers.reader import read_offer
from cfit.tabular import read_source
from cfit.tenders.actions import tender_spec
from cfit.tenders.models import Tender
from cfit.uploads import ImportRefused


class Command(BaseCommand):
    help = "Evaluate offer files against a saved tender (evaluate), or store one offer (import)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("evaluate", help="check and score offer files; stores nothing")
        run.add_argument("--tender", required=True, type=int, help="the saved tender's id")
        run.add_argument(
            "files", nargs="+", type=Path, help="filled templates (.xlsx) or their .csv/.json forms"
        )
        run.add_argument("--format", choices=["text", "json"], default="text")
        run.add_argument(
            "--lines", action="store_true", help="with --format json: every line's requirement results"
        )
        run.add_argument("-o", "--output", type=Path, help="write to this file instead of standard output")
        store = sub.add_parser(
            "import", help="store one offer for a published tender, before its deadline (all or nothing)"
        )
        store.add_argument("--tender", required=True, type=int)
        store.add_argument("--supplier", required=True)
        store.add_argument("--replace", action="store_true", help="replace this supplier's earlier offer")
        store.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        with system_scope():
            tender = Tender.objects.filter(pk=options["tender"]).first()
            if tender is None:
                raise CommandError(f"no tender with id {options['tender']}")
            if options["action"] == "import":
                self._import(tender, options)
            else:
                self._evaluate(tender, options)

    def _read(self, path: Path) -> bytes:
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            # The same size limit as an upload, checked before the file is read.
            return read_source(path, path.name)
        except ImportRefused as error:
            raise CommandError(str(error)) from error

    def _import(self, tender: Tender, options: dict[str, Any]) -> None:
        path = options["file"]
        try:
            receipt = actions.import_offer(
                tender, self._read(path), path.name, supplier=options["supplier"], replace=options["replace"]
            )
        except (ImportRefused, actions.OfferError) as error:
            raise CommandError(str(error)) from error
        # The receipt, not the content: the offer stays sealed until the deadline.
        assert tender.offers_deadline is not None  # import_offer refuses a tender without one
        self.stderr.write(
            f"Received the offer of {receipt.supplier} at {receipt.received_at.isoformat()}; "
            f"SHA-256 {receipt.sha256}. It stays sealed until {tender.offers_deadline.isoformat()}."
        )

    def _evaluate(self, tender: Tender, options: dict[str, Any]) -> None:
        spec = tender_spec(tender)
        offers = []
        for path in options["files"]:
            try:
                offer = read_offer(self._read(path), path.name, spec)
            except ImportRefused as error:
                raise CommandError(str(error)) from error
            offer.supplier = offer.supplier or path.stem
            offers.append(offer)
        results = evaluate(spec, offers)
        if options["format"] == "json":
            text = json.dumps(
                to_json(spec, results, evaluated_on=timezone.localdate(), with_lines=options["lines"]),
                ensure_ascii=False,
                indent=2,
            )
        else:
            text = "\n".join(self._text(result) for result in results)
        if options["output"]:
            options["output"].write_text(text + "\n", encoding="utf-8")
        else:
            self.stdout.write(text)

    def _text(self, result: Any) -> str:
        counts = result.checked.counts()
        rows = [
            f"Lot {result.lot.number}: {len(result.lines)} line(s); {counts['pass']} pass "
            f"({counts['by_label']} by label), {counts['fail']} fail, {counts['not_answered']} not answered",
            f"{'rank':>4}  {'supplier':<30} {'life-cycle cost':>16} {'price':>7} {'quality':>8} {'total':>7}",
        ]
        for offer in sorted(result.offers, key=lambda r: (r.rank == 0, r.rank)):
            total = "-" if math.isnan(offer.total) else f"{offer.total:7.2f}"
            rank = str(offer.rank) if offer.eligible else "excl"
            rows.append(
                f"{rank:>4}  {offer.offer[:30]:<30} {offer.life_cycle_cost:16.2f} {offer.price_points:7.2f} "
                f"{offer.quality_points:8.2f} {total:>7}"
            )
        return "\n".join(rows)
