"""Exactly-once push to Stripe, driven through the real `stripe` SDK against a fake server."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from fake_stripe import API_KEY, FakeStripeServer, running_fake_stripe
from orchestration_fixtures import (
    EXPECTED_STRIPE_ITEMS,
    EXPECTED_STRIPE_TOTALS,
    build_fixture_warehouse,
)

from orchestration.billing.freeze import freeze_final_invoices
from orchestration.billing.invoices import load_frozen_invoices, to_minor_units
from orchestration.billing.ledger import PushLedger
from orchestration.billing.stripe_client import StripePusher, StripePushResult, make_client


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripeServer]:
    with running_fake_stripe() as server:
        yield server


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = build_fixture_warehouse(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(path)) as conn:
        freeze_final_invoices(conn)
    return path


def push(warehouse: Path, server: FakeStripeServer) -> StripePushResult:
    """One push run, as the asset does it: fresh connection, ledger loaded from the warehouse."""
    client = make_client(API_KEY, server.url, max_network_retries=0)
    with duckdb.connect(str(warehouse)) as conn:
        pusher = StripePusher(client, PushLedger(conn, "stripe"))
        return pusher.push(load_frozen_invoices(conn))


def items_by_line(server: FakeStripeServer) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for item in server.state.invoice_items.values():
        found.setdefault(item["metadata"]["meterline_invoice_line_id"], []).append(item)
    return found


def items_of(server: FakeStripeServer, meterline_invoice_id: str) -> list[dict]:
    return [
        item for item in server.state.invoice_items.values()
        if item["metadata"].get("meterline_invoice_id") == meterline_invoice_id
    ]


def stripe_invoices(server: FakeStripeServer) -> dict[str, dict]:
    """Meterline invoice id -> the fake server's rendered Stripe invoice (one each, asserted)."""
    counts = Counter(i["metadata"]["meterline_invoice_id"] for i in server.state.invoices.values())
    assert all(n == 1 for n in counts.values()), counts
    return {
        i["metadata"]["meterline_invoice_id"]: server.state.render_invoice(i)
        for i in server.state.invoices.values()
    }


def assert_pushed_exactly_once(server: FakeStripeServer) -> None:
    items = items_by_line(server)
    assert {line: len(found) for line, found in items.items()} == {
        line: 1 for line in EXPECTED_STRIPE_ITEMS
    }
    assert {line: found[0]["amount"] for line, found in items.items()} == EXPECTED_STRIPE_ITEMS
    invoices = stripe_invoices(server)
    assert {k: v["total"] for k, v in invoices.items()} == EXPECTED_STRIPE_TOTALS
    assert {k: v["status"] for k, v in invoices.items()} == {
        "inv_a_oct": "open", "inv_b_oct": "open"
    }


def ledger_rows(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse)) as conn:
        return conn.execute(
            "select target, invoice_id, invoice_line_id, external_id, step from billing.push_ledger"
            " order by all"
        ).fetchall()


def test_minor_units_are_exact_integers() -> None:
    from decimal import Decimal

    assert to_minor_units(Decimal("123.4500"), 2) == 12345
    assert to_minor_units(Decimal("-23.08"), 2) == -2308
    assert to_minor_units(Decimal("5500.0000"), 0) == 5500
    assert to_minor_units(Decimal("1.234"), 3) == 1234  # KWD
    with pytest.raises(ValueError):
        to_minor_units(Decimal("0.005"), 2)  # half a cent is never rounded silently


def test_push_creates_one_item_per_line_in_minor_units(
    warehouse: Path, fake_stripe: FakeStripeServer
) -> None:
    result = push(warehouse, fake_stripe)

    assert sorted(result.invoices_finalized) == ["inv_a_oct", "inv_b_oct"]
    assert result.invoices_without_customer == 1  # inv_c_oct: acct_c has no Stripe customer
    assert_pushed_exactly_once(fake_stripe)
    invoices = stripe_invoices(fake_stripe)
    assert invoices["inv_a_oct"]["customer"] == "cus_a"
    assert invoices["inv_a_oct"]["currency"] == "usd"
    assert invoices["inv_b_oct"]["currency"] == "jpy"
    for item in fake_stripe.state.invoice_items.values():
        meterline_invoice = item["metadata"]["meterline_invoice_id"]
        assert item["invoice"] == invoices[meterline_invoice]["id"]
    # Every POST carried an idempotency key derived from the Meterline id and the step.
    posts = [(path, key) for method, path, key in fake_stripe.state.requests if method == "POST"]
    assert posts and all(key and key.startswith("meterline-") for _, key in posts)
    assert len({key for _, key in posts}) == len(posts)
    # Ledger: per pushed invoice one invoice row, one finalize row, one row per line (7 lines).
    steps = Counter(row[4] for row in ledger_rows(warehouse))
    assert steps == {"invoice": 2, "finalize": 2, "invoice_item": 7}


def test_second_push_creates_nothing(warehouse: Path, fake_stripe: FakeStripeServer) -> None:
    push(warehouse, fake_stripe)
    objects = (len(fake_stripe.state.invoices), len(fake_stripe.state.invoice_items))
    ledger = ledger_rows(warehouse)
    posts_before = sum(1 for r in fake_stripe.state.requests if r[0] == "POST")

    result = push(warehouse, fake_stripe)

    assert result.invoices_already_pushed == 2
    assert result.items_created == 0 and result.invoices_finalized == []
    assert (len(fake_stripe.state.invoices), len(fake_stripe.state.invoice_items)) == objects
    assert sum(1 for r in fake_stripe.state.requests if r[0] == "POST") == posts_before
    assert ledger_rows(warehouse) == ledger
    assert_pushed_exactly_once(fake_stripe)


@pytest.mark.parametrize("mode", ["error_500", "drop_after_commit"])
def test_failure_after_half_the_items_then_rerun(
    warehouse: Path, fake_stripe: FakeStripeServer, mode: str
) -> None:
    # inv_a_oct (5 lines) is pushed first; the 4th item creation fails. The failure stays with
    # inv_a_oct: inv_b_oct is pushed in the same run.
    fake_stripe.inject_failure(after_items=3, mode=mode)
    first = push(warehouse, fake_stripe)
    assert list(first.failures) == ["inv_a_oct"]
    assert first.failures["inv_a_oct"].startswith("stripe_unavailable: ")
    assert first.invoices_finalized == ["inv_b_oct"]
    created = len(items_of(fake_stripe, "inv_a_oct"))
    assert created == (3 if mode == "error_500" else 4)
    assert stripe_invoices(fake_stripe)["inv_a_oct"]["status"] == "draft"  # never half-finalized

    # The retry comes after the idempotency keys expired: only the ledger and the metadata
    # look-up can prevent duplicates.
    fake_stripe.state.idempotency.clear()
    result = push(warehouse, fake_stripe)

    assert result.invoices_finalized == ["inv_a_oct"] and result.failures == {}
    assert result.invoices_already_pushed == 1
    assert_pushed_exactly_once(fake_stripe)
    with duckdb.connect(str(warehouse)) as conn:
        warehouse_totals = dict(
            conn.execute("select invoice_id, total from billing.final_invoices").fetchall()
        )
    for invoice_id, stripe_invoice in stripe_invoices(fake_stripe).items():
        assert stripe_invoice["total"] == to_minor_units(warehouse_totals[invoice_id], {
            "inv_a_oct": 2, "inv_b_oct": 0}[invoice_id])


def test_lost_ledger_and_expired_keys_still_push_nothing_twice(
    warehouse: Path, fake_stripe: FakeStripeServer
) -> None:
    """A replay days later with no ledger rows: the metadata look-up finds every object."""
    push(warehouse, fake_stripe)
    objects = (len(fake_stripe.state.invoices), len(fake_stripe.state.invoice_items))
    fake_stripe.state.idempotency.clear()
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("delete from billing.push_ledger")  # simulated loss, test only

    result = push(warehouse, fake_stripe)

    assert (len(fake_stripe.state.invoices), len(fake_stripe.state.invoice_items)) == objects
    assert result.items_created == 0
    assert_pushed_exactly_once(fake_stripe)
    assert Counter(row[4] for row in ledger_rows(warehouse)) == {
        "invoice": 2, "finalize": 2, "invoice_item": 7
    }


def test_stripe_total_mismatch_is_not_finalized(
    warehouse: Path, fake_stripe: FakeStripeServer
) -> None:
    """Someone added an item to the draft by hand: the push refuses to finalize it."""
    client = make_client(API_KEY, fake_stripe.url, max_network_retries=0)
    fake_stripe.inject_failure(after_items=0, mode="error_500")
    first = push(warehouse, fake_stripe)
    assert list(first.failures) == ["inv_a_oct"] and first.invoices_finalized == ["inv_b_oct"]
    draft = stripe_invoices(fake_stripe)["inv_a_oct"]
    client.v1.invoice_items.create(
        params={"customer": "cus_a", "invoice": draft["id"], "amount": 1, "currency": "usd"}
    )

    result = push(warehouse, fake_stripe)

    assert list(result.failures) == ["inv_a_oct"]
    # 12345 + 735 + 10000 - 2308 - 5000 = 15772 pushed, plus the 1 added by hand = 15773
    assert result.failures["inv_a_oct"].startswith("total_mismatch: ")
    assert "totals 15773" in result.failures["inv_a_oct"]
    assert result.invoices_finalized == [] and result.invoices_already_pushed == 1
    assert stripe_invoices(fake_stripe)["inv_a_oct"]["status"] == "draft"
