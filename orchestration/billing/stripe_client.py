"""Exactly-once push of frozen final invoices to Stripe.

For one Meterline invoice the steps are: create a draft Stripe invoice (`exclude` pending items, so
nothing else of the customer's is swept in), create one invoice item per line attached to it with
`invoice=`, check the Stripe total against the warehouse total, then finalize it.

Exactly-once rests on three layers:
1. the push ledger (`billing.push_ledger`, target `stripe`): a step recorded there is never
   repeated;
2. a look-up by metadata before each create (`meterline_invoice_id` on the invoice,
   `meterline_invoice_line_id` on each item), for a crash between a request and its ledger row;
3. an idempotency key per request derived from the Meterline id and the step, so a retried request
   within Stripe's key window returns the first response instead of acting twice.

Failures are per invoice. Before the first request for an invoice, its amounts are checked against
Stripe's rules (`stripe_amounts`); an invoice Stripe would refuse is not sent at all. An invoice
that fails (refused, a Stripe error that outlasts the SDK's retries, a mismatch with what Stripe
holds) is reported in `StripePushResult.failures` with a named reason and the push goes on with
the next one; it is retried on the next run, from where the ledger and the look-up leave it.
Before an invoice is recorded as pushed, Stripe's figures (every item and the total) are compared
with the frozen invoice, whether the Stripe invoice is still a draft or already finalized.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import stripe

from orchestration.billing.invoices import Invoice, InvoiceLine
from orchestration.billing.ledger import PushLedger
from orchestration.billing.stripe_amounts import PushError, StripeAmounts, stripe_amounts

TARGET = "stripe"
STEP_INVOICE = "invoice"
STEP_ITEM = "invoice_item"
STEP_FINALIZE = "finalize"
DEFAULT_API_BASE = "https://api.stripe.com"

# Errors that retrying the same request will not fix (reason `stripe_refused`); any other Stripe
# error (5xx, network, rate limit) is `stripe_unavailable`. Either way only that invoice fails.
PERMANENT_ERRORS: tuple[type[Exception], ...] = (
    stripe.InvalidRequestError,
    stripe.AuthenticationError,
    stripe.PermissionError,
    stripe.IdempotencyError,
)


class PushConsistencyError(PushError):
    """Stripe holds something the warehouse does not agree with; a person has to look."""


def make_client(
    api_key: str, api_base: str | None = None, max_network_retries: int = 2
) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base or DEFAULT_API_BASE},
        max_network_retries=max_network_retries,
    )


def idempotency_key(meterline_id: str, step: str) -> str:
    return f"meterline-{step}-{meterline_id}"


@dataclass
class StripePushResult:
    invoices_finalized: list[str] = field(default_factory=list)
    invoices_already_pushed: int = 0
    invoices_without_customer: int = 0
    items_created: int = 0
    requests: int = 0
    # Meterline invoice id -> "<reason>: <detail>" for every invoice not pushed in this run.
    failures: dict[str, str] = field(default_factory=dict)


def _metadata(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("metadata") or {}


class StripePusher:
    def __init__(
        self,
        client: stripe.StripeClient,
        ledger: PushLedger,
        log: Callable[[str], None] = lambda _message: None,
        collect_automatically: bool = True,
    ) -> None:
        if ledger.target != TARGET:
            raise ValueError(f"ledger target must be {TARGET!r}")
        self._client = client
        self._ledger = ledger
        self._log = log
        # auto_advance on finalize: let Stripe collect payment once the invoice is final.
        self._collect_automatically = collect_automatically
        self.result = StripePushResult()

    def push(self, invoices: list[Invoice]) -> StripePushResult:
        for invoice in invoices:
            if not invoice.stripe_customer_id:
                self.result.invoices_without_customer += 1
                continue
            if self._ledger.has(invoice.invoice_id, STEP_FINALIZE):
                self.result.invoices_already_pushed += 1
                continue
            try:
                self.push_invoice(invoice)
            except PushError as error:
                self._fail(invoice, error.reason, error.detail)
            except stripe.StripeError as error:
                reason = (
                    "stripe_refused" if isinstance(error, PERMANENT_ERRORS)
                    else "stripe_unavailable"
                )
                self._fail(invoice, reason, _describe(error))
        return self.result

    def _fail(self, invoice: Invoice, reason: str, detail: str) -> None:
        self._log(f"invoice {invoice.invoice_id} not pushed: {reason}: {detail}")
        self.result.failures[invoice.invoice_id] = f"{reason}: {detail}"

    # -- one invoice ------------------------------------------------------------------------

    def push_invoice(self, invoice: Invoice) -> None:
        amounts = stripe_amounts(invoice)  # before any request: PushRefused sends nothing
        stripe_invoice = self._ensure_invoice(invoice)
        stripe_invoice_id = stripe_invoice["id"]
        if stripe_invoice.get("status") == "draft":
            self._complete_draft(invoice, amounts, stripe_invoice_id)
            self._check_total(invoice, amounts, stripe_invoice_id)
            self._finalize(invoice, stripe_invoice_id)
        else:
            # Finalized at Stripe but not recorded here (a crash after finalize, a lost ledger).
            self._verify_finalized(invoice, amounts, stripe_invoice)
        self._ledger.record(invoice.invoice_id, STEP_FINALIZE, stripe_invoice_id)
        self.result.invoices_finalized.append(invoice.invoice_id)

    def _complete_draft(
        self, invoice: Invoice, amounts: StripeAmounts, stripe_invoice_id: str
    ) -> None:
        """Create the items the draft lacks; an item found by metadata must have the line's
        amount."""
        missing = [
            line
            for line in invoice.lines
            if not self._ledger.has(invoice.invoice_id, STEP_ITEM, line.invoice_line_id)
        ]
        if not missing:
            return
        existing = self._existing_items(invoice, stripe_invoice_id)
        for line in missing:
            expected = amounts.lines[line.invoice_line_id]
            item = existing.get(line.invoice_line_id)
            if item is None:
                item_id = self._create_item(invoice, line, stripe_invoice_id, expected)
            elif item.get("amount") != expected:
                raise PushConsistencyError(
                    "line_amount_mismatch",
                    f"Stripe item {item['id']} of draft {stripe_invoice_id} is "
                    f"{item.get('amount')}, line {line.invoice_line_id} of "
                    f"{invoice.invoice_id} {expected} minor units; not finalized",
                )
            else:
                item_id = item["id"]
            self._ledger.record(invoice.invoice_id, STEP_ITEM, item_id, line.invoice_line_id)

    def _verify_finalized(
        self, invoice: Invoice, amounts: StripeAmounts, stripe_invoice: dict[str, Any]
    ) -> None:
        """A Stripe invoice that is no longer a draft cannot be changed: it must hold exactly
        the frozen invoice (every line's amount and the total), else the invoice stops with a
        named mismatch and is not recorded as pushed."""
        stripe_invoice_id = stripe_invoice["id"]
        existing = self._existing_items(invoice, stripe_invoice_id)
        mismatches: list[tuple[str, str]] = []
        for line in invoice.lines:
            expected = amounts.lines[line.invoice_line_id]
            item = existing.get(line.invoice_line_id)
            if item is None:
                mismatches.append((
                    "line_missing_at_stripe",
                    f"line {line.invoice_line_id} ({expected} minor units) has no Stripe item",
                ))
            elif item.get("amount") != expected:
                mismatches.append((
                    "line_amount_mismatch",
                    (
                        f"line {line.invoice_line_id}: Stripe item {item['id']} "
                        f"{item.get('amount')}, warehouse {expected} minor units"
                    ),
                ))
        frozen_lines = {line.invoice_line_id for line in invoice.lines}
        for line_id, item in sorted(existing.items()):
            if line_id not in frozen_lines:
                mismatches.append((
                    "line_not_in_warehouse",
                    (
                        f"Stripe item {item['id']} names line {line_id}, which the frozen invoice "
                        "does not have"
                    ),
                ))
        if stripe_invoice.get("total") != amounts.total:
            mismatches.append((
                "total_mismatch",
                (
                    f"Stripe total {stripe_invoice.get('total')}, warehouse {amounts.total} "
                    "minor units"
                ),
            ))
        if mismatches:
            (reason, first), others = mismatches[0], mismatches[1:]
            raise PushConsistencyError(
                reason,
                f"Stripe invoice {stripe_invoice_id} is {stripe_invoice.get('status')} and "
                f"differs from frozen invoice {invoice.invoice_id}: {first}"
                + "".join(f"; {r}: {d}" for r, d in others),
            )
        for line in invoice.lines:
            item_id = existing[line.invoice_line_id]["id"]
            self._ledger.record(invoice.invoice_id, STEP_ITEM, item_id, line.invoice_line_id)

    def _ensure_invoice(self, invoice: Invoice) -> dict[str, Any]:
        known_id = self._ledger.get(invoice.invoice_id, STEP_INVOICE)
        if known_id is not None:
            found: dict[str, Any] | None = self._retrieve_invoice(known_id)
        else:
            found = self._find_invoice(invoice)
        if found is None:
            found = self._call(
                self._client.v1.invoices.create,
                {
                    "customer": invoice.stripe_customer_id,
                    "currency": invoice.currency.lower(),
                    # Never let Stripe finalize a half-built draft on its own.
                    "auto_advance": False,
                    "pending_invoice_items_behavior": "exclude",
                    "description": (
                        f"Usage {invoice.period_start.isoformat()} to "
                        f"{invoice.period_end.isoformat()} (exclusive)"
                    ),
                    "metadata": {
                        "meterline_invoice_id": invoice.invoice_id,
                        "meterline_account_id": invoice.account_id,
                        "meterline_period_start": invoice.period_start.isoformat(),
                    },
                },
                idempotency_key(invoice.invoice_id, STEP_INVOICE),
            )
        if found.get("currency") != invoice.currency.lower():
            raise PushConsistencyError(
                "currency_mismatch",
                f"Stripe invoice {found['id']} is in {found.get('currency')}, "
                f"Meterline invoice {invoice.invoice_id} in {invoice.currency}"
            )
        self._ledger.record(invoice.invoice_id, STEP_INVOICE, found["id"])
        return found

    def _find_invoice(self, invoice: Invoice) -> dict[str, Any] | None:
        listing = self._client.v1.invoices.list(
            params={"customer": invoice.stripe_customer_id, "limit": 100}
        )
        self.result.requests += 1
        matches = [
            obj.to_dict()
            for obj in listing.auto_paging_iter()
            if _metadata(obj.to_dict()).get("meterline_invoice_id") == invoice.invoice_id
        ]
        if len(matches) > 1:
            ids = ", ".join(sorted(match["id"] for match in matches))
            raise PushConsistencyError(
                "duplicate_stripe_invoices", f"several Stripe invoices for {invoice.invoice_id}: {ids}"
            )
        return matches[0] if matches else None

    def _existing_items(
        self, invoice: Invoice, stripe_invoice_id: str
    ) -> dict[str, dict[str, Any]]:
        """The Stripe invoice's items that name a Meterline line, by that line's id."""
        listing = self._client.v1.invoice_items.list(
            params={
                "customer": invoice.stripe_customer_id,
                "invoice": stripe_invoice_id,
                "limit": 100,
            }
        )
        self.result.requests += 1
        existing: dict[str, dict[str, Any]] = {}
        for obj in listing.auto_paging_iter():
            item = obj.to_dict()
            line_id = _metadata(item).get("meterline_invoice_line_id")
            if line_id is None:
                continue
            if line_id in existing:
                raise PushConsistencyError(
                    "duplicate_stripe_items",
                    f"several Stripe invoice items for line {line_id}: "
                    f"{existing[line_id]['id']}, {item['id']}",
                )
            existing[line_id] = item
        return existing

    def _create_item(
        self, invoice: Invoice, line: InvoiceLine, stripe_invoice_id: str, amount: int
    ) -> str:
        description = line.description or " ".join(
            part for part in (line.line_type, line.meter_id, line.dimension_value) if part
        )
        item = self._call(
            self._client.v1.invoice_items.create,
            {
                "customer": invoice.stripe_customer_id,
                "invoice": stripe_invoice_id,
                "amount": amount,
                "currency": invoice.currency.lower(),
                "description": description,
                "metadata": {
                    "meterline_invoice_id": invoice.invoice_id,
                    "meterline_invoice_line_id": line.invoice_line_id,
                    "meterline_line_type": line.line_type,
                },
            },
            idempotency_key(line.invoice_line_id, STEP_ITEM),
        )
        self.result.items_created += 1
        return str(item["id"])

    def _retrieve_invoice(self, stripe_invoice_id: str) -> dict[str, Any]:
        self.result.requests += 1
        return self._client.v1.invoices.retrieve(stripe_invoice_id).to_dict()

    def _check_total(
        self, invoice: Invoice, amounts: StripeAmounts, stripe_invoice_id: str
    ) -> None:
        current = self._retrieve_invoice(stripe_invoice_id)
        expected = amounts.total
        if current.get("total") != expected:
            raise PushConsistencyError(
                "total_mismatch",
                f"Stripe invoice {stripe_invoice_id} totals {current.get('total')}, "
                f"Meterline invoice {invoice.invoice_id} {expected} minor units; not finalized"
            )

    def _finalize(self, invoice: Invoice, stripe_invoice_id: str) -> None:
        self._call(
            lambda params, options: self._client.v1.invoices.finalize_invoice(
                stripe_invoice_id, params=params, options=options
            ),
            {"auto_advance": self._collect_automatically},
            idempotency_key(invoice.invoice_id, STEP_FINALIZE),
        )

    def _call(
        self, method: Callable[..., Any], params: dict[str, Any], key: str
    ) -> dict[str, Any]:
        response = method(params=params, options={"idempotency_key": key})
        self.result.requests += 1
        return response.to_dict()


def _describe(error: stripe.StripeError) -> str:
    """A Stripe error for the failure report: its kind, HTTP status and message."""
    status = f" (HTTP {error.http_status})" if error.http_status else ""
    message = error.user_message or str(error) or "no message"
    return f"{type(error).__name__}{status}: {message}"
