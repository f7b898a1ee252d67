"""What a frozen invoice becomes at Stripe, checked before the first request for it.

Every line and the total are converted to integer minor units and checked against Stripe's rules
here, so an invoice Stripe would refuse (or could only take with a changed amount) is never
half-pushed: it is refused as a whole, with a named reason, and nothing is sent for it.

Stripe's rule for three-decimal currencies (BHD, JOD, KWD, OMR, TND): amounts are in thousandths,
and the last digit must be 0 ("your integration must round amounts to the nearest ten"). Meterline
does not round at the push: the warehouse total is what the customer owes, and a total such as
1.235 KWD has no amount ending in 0 that equals it. Such an invoice is refused (see DECISIONLOG,
"Three-decimal currencies at Stripe").

Stripe's rule for ISK and UGX: zero-decimal in ISO 4217, but Stripe takes them as two-decimal
amounts whose decimals are 00 (5 ISK is sent as 500). Whole units are scaled by 100; a seed that
gives them 2 decimals is accepted only for whole amounts (DECISIONLOG "ISK and UGX at Stripe").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from orchestration.billing.invoices import Invoice, format_money, to_minor_units

# Stripe's three-decimal currencies; amounts in them must be multiples of 10 minor units.
STRIPE_THREE_DECIMAL_CURRENCIES = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})
THREE_DECIMAL_STEP = 10
# Zero-decimal in ISO 4217 but sent to Stripe with two decimals that must be 00 (5 ISK is 500):
# sending whole units would bill a hundredth of the amount.
STRIPE_TWO_DECIMAL_WHOLE_CURRENCIES = frozenset({"ISK", "UGX"})
WHOLE_UNIT_STEP = 100


class PushError(RuntimeError):
    """One invoice is not pushed; `reason` names why (the first word of the failure report)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class PushRefused(PushError):
    """Stripe would refuse the invoice, or take it only with other amounts: nothing is sent."""


@dataclass(frozen=True)
class StripeAmounts:
    """An invoice's amounts in Stripe's minor units: per invoice line id, and the total."""

    lines: dict[str, int]
    total: int


def stripe_amounts(invoice: Invoice) -> StripeAmounts:
    """The invoice's amounts as Stripe takes them, or PushRefused naming every problem."""
    currency = invoice.currency.upper()
    units = invoice.minor_units
    three_decimal = currency in STRIPE_THREE_DECIMAL_CURRENCIES
    if three_decimal and units != 3:
        raise PushRefused(
            "stripe_minor_units",
            f"{currency} has 3 decimals at Stripe but {units} in the currencies seed; its "
            "amounts would be sent scaled wrongly",
        )
    whole_units = currency in STRIPE_TWO_DECIMAL_WHOLE_CURRENCIES
    if whole_units and units not in (0, 2):
        raise PushRefused(
            "stripe_minor_units",
            f"{currency} has 0 decimals (ISO 4217) but {units} in the currencies seed",
        )
    # Stripe's units for such a currency are hundredths: whole units are scaled up by 100.
    scale = WHOLE_UNIT_STEP if whole_units and units == 0 else 1
    problems: list[tuple[str, str]] = []

    def convert(what: str, amount: Decimal) -> int | None:
        try:
            minor = to_minor_units(amount, units) * scale
        except ValueError:
            problems.append((
                "amount_not_in_minor_units",
                (
                    f"{what} {amount} {currency} is not a whole number of minor units "
                    f"({units} decimals)"
                ),
            ))
            return None
        if whole_units and minor % WHOLE_UNIT_STEP:
            problems.append((
                "stripe_whole_units_rule",
                (
                    f"{what} {format_money(amount, units)} {currency} is {minor} hundredths at "
                    f"Stripe; Stripe takes {currency} only in whole units (multiples of 100)"
                ),
            ))
        if three_decimal and minor % THREE_DECIMAL_STEP:
            problems.append((
                "stripe_three_decimal_rule",
                (
                    f"{what} {format_money(amount, units)} {currency} is {minor} minor units; "
                    f"Stripe takes {currency} amounts only as multiples of {THREE_DECIMAL_STEP}"
                ),
            ))
        return minor

    lines = {
        line.invoice_line_id: convert(f"line {line.invoice_line_id} amount", line.amount)
        for line in invoice.lines
    }
    total = convert("total", invoice.total)
    converted = {line_id: minor for line_id, minor in lines.items() if minor is not None}
    if not problems and total is not None and sum(converted.values()) != total:
        problems.append((
            "lines_do_not_add_up",
            f"lines add up to {sum(converted.values())} minor units, the total is {total}",
        ))
    if problems or total is None:
        (reason, detail), others = problems[0], problems[1:]
        raise PushRefused(reason, detail + "".join(f"; {r}: {d}" for r, d in others))
    return StripeAmounts(lines=converted, total=total)
