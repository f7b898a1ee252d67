"""The Stripe push under attack: one invoice stuck behind Stripe 500s, a finalized Stripe invoice
that no longer matches the frozen one, and three-decimal amounts Stripe would refuse. Driven
through the real `stripe` SDK against the stateful fake server."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import stripe
from dagster import materialize
from fake_stripe import API_KEY, FakeStripeServer, running_fake_stripe
from orchestration_fixtures import LINE_SEQUENCE, build_fixture_warehouse

from orchestration.assets.billing import invoice_exports, period_close, stripe_invoices
from orchestration.billing.freeze import freeze_final_invoices
from orchestration.billing.invoices import Invoice, InvoiceLine, load_frozen_invoices
from orchestration.billing.ledger import PushLedger
from orchestration.billing.stripe_amounts import PushRefused, stripe_amounts
from orchestration.billing.stripe_client import StripePusher, StripePushResult, make_client
from orchestration.checks import frozen_invoices_balanced
from orchestration.resources import ExportsResource, StripeResource, WarehouseResource

OCT = (date(2026, 10, 1), date(2026, 11, 1))


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripeServer]:
    with running_fake_stripe() as server:
        yield server


def make_invoice(
    invoice_id: str,
    currency: str,
    minor_units: int,
    total: str,
    lines: list[tuple[str, str, str]],
    customer: str | None = None,
) -> Invoice:
    """A frozen invoice by hand: lines are (invoice_line_id, line_type, amount)."""
    account = f"acct_{invoice_id}"
    return Invoice(
        invoice_id=invoice_id,
        account_id=account,
        currency=currency,
        period_start=OCT[0],
        period_end=OCT[1],
        status="final",
        subtotal=Decimal(total),
        total=Decimal(total),
        line_count=len(lines),
        frozen_at=datetime(2026, 11, 5),
        minor_units=minor_units,
        stripe_customer_id=customer or f"cus_{invoice_id}",
        lines=tuple(
            InvoiceLine(
                invoice_line_id=line_id, invoice_id=invoice_id, account_id=account,
                contract_id=f"ctr_{invoice_id}", period_start=OCT[0], period_end=OCT[1],
                line_type=line_type, meter_id=None, price_id=None, dimension_value=None,
                quantity=None, amount=Decimal(amount), currency=currency,
                description=f"{line_type} {line_id}",
            )
            for line_id, line_type, amount in lines
        ),
    )


def push_invoices(
    database: Path, server: FakeStripeServer, invoices: list[Invoice]
) -> StripePushResult:
    """One push run with a ledger in `database` (created on first use)."""
    client = make_client(API_KEY, server.url, max_network_retries=0)
    with duckdb.connect(str(database)) as conn:
        return StripePusher(client, PushLedger(conn, "stripe")).push(invoices)


def push_warehouse(database: Path, server: FakeStripeServer) -> StripePushResult:
    """One push run of the frozen invoices of a warehouse, as the asset does it."""
    client = make_client(API_KEY, server.url, max_network_retries=0)
    with duckdb.connect(str(database)) as conn:
        return StripePusher(client, PushLedger(conn, "stripe")).push(load_frozen_invoices(conn))


def stripe_totals(server: FakeStripeServer) -> dict[str, int]:
    """Meterline invoice id -> total of its Stripe invoice (exactly one each, asserted)."""
    counts = Counter(i["metadata"]["meterline_invoice_id"] for i in server.state.invoices.values())
    assert all(n == 1 for n in counts.values()), counts
    return {
        i["metadata"]["meterline_invoice_id"]: server.state.render_invoice(i)["total"]
        for i in server.state.invoices.values()
    }


def finalized_in_ledger(database: Path) -> set[str]:
    with duckdb.connect(str(database)) as conn:
        return {
            row[0] for row in conn.execute(
                "select invoice_id from billing.push_ledger where step = 'finalize'"
            ).fetchall()
        }


def posts(server: FakeStripeServer) -> list[tuple[str, str, str | None]]:
    return [request for request in server.state.requests if request[0] == "POST"]


# -- 7. one stuck invoice does not block the others -------------------------------------------

# Fourteen invoices inv_01 .. inv_14, each a usage line of k.25 USD and a fixed 100.00 USD.
FOURTEEN = [
    make_invoice(
        f"inv_{k:02d}", "USD", 2, f"{100 + k}.25",
        [(f"l_{k:02d}_use", "usage", f"{k}.25"), (f"l_{k:02d}_fix", "fixed", "100.00")],
    )
    for k in range(1, 15)
]
STUCK = "inv_03"
# k.25 + 100.00 = (100 + k).25 USD = 10025 + 100 k cents, by hand for every k but the stuck 3:
EXPECTED_OTHERS = {
    "inv_01": 10125,  # 1.25 + 100.00 = 101.25
    "inv_02": 10225,  # 2.25 + 100.00 = 102.25
    "inv_04": 10425,  # 4.25 + 100.00 = 104.25
    "inv_05": 10525,  # 5.25 + 100.00 = 105.25
    "inv_06": 10625,  # 6.25 + 100.00 = 106.25
    "inv_07": 10725,  # 7.25 + 100.00 = 107.25
    "inv_08": 10825,  # 8.25 + 100.00 = 108.25
    "inv_09": 10925,  # 9.25 + 100.00 = 109.25
    "inv_10": 11025,  # 10.25 + 100.00 = 110.25
    "inv_11": 11125,  # 11.25 + 100.00 = 111.25
    "inv_12": 11225,  # 12.25 + 100.00 = 112.25
    "inv_13": 11325,  # 13.25 + 100.00 = 113.25
    "inv_14": 11425,  # 14.25 + 100.00 = 114.25
}


def test_one_invoice_stuck_behind_500s_does_not_block_the_other_13(
    tmp_path: Path, fake_stripe: FakeStripeServer
) -> None:
    database = tmp_path / "ledger.duckdb"
    fake_stripe.stick_invoice(STUCK)  # Stripe answers 500 to every request for it, forever

    first = push_invoices(database, fake_stripe, FOURTEEN)

    # The 13 others went out (the two before the stuck one and the eleven after it) ...
    assert first.invoices_finalized == sorted(EXPECTED_OTHERS)
    assert stripe_totals(fake_stripe) == EXPECTED_OTHERS
    assert {i["status"] for i in fake_stripe.state.invoices.values()} == {"open"}
    assert finalized_in_ledger(database) == set(EXPECTED_OTHERS)
    # ... and the stuck one is reported by name with its reason, not recorded as pushed.
    assert list(first.failures) == [STUCK]
    assert first.failures[STUCK].startswith("stripe_unavailable: APIError (HTTP 500)")

    # Same day: Stripe replays the 500 it saved against the idempotency key, even once the
    # fault is gone. Only the stuck invoice is tried again; nothing else is sent.
    fake_stripe.unstick_invoice(STUCK)
    sent_before = len(posts(fake_stripe))
    second = push_invoices(database, fake_stripe, FOURTEEN)
    assert list(second.failures) == [STUCK] and second.invoices_finalized == []
    assert second.invoices_already_pushed == 13
    assert [key for _, _, key in posts(fake_stripe)[sent_before:]] == [
        f"meterline-invoice-{STUCK}"
    ]

    # Next run, after Stripe pruned the key: the stuck invoice goes out, once.
    fake_stripe.state.idempotency.clear()
    third = push_invoices(database, fake_stripe, FOURTEEN)
    assert third.invoices_finalized == [STUCK] and third.failures == {}
    # 3.25 + 100.00 = 103.25 USD = 10325 cents
    assert stripe_totals(fake_stripe) == {**EXPECTED_OTHERS, STUCK: 10325}
    assert finalized_in_ledger(database) == {invoice.invoice_id for invoice in FOURTEEN}


# -- the Dagster asset fails the run loudly, after pushing and recording the others -----------


def add_kwd_invoice(database: Path) -> None:
    """A final KWD invoice of a Stripe customer whose usage line is 1.235 KWD."""
    with duckdb.connect(str(database)) as conn:
        conn.execute("insert into marts.dim_currencies values ('KWD', 3)")
        conn.execute(
            "insert into marts.dim_accounts values ('acct_k', 'Account K', 'Asia/Kuwait', "
            "'cus_k')"
        )
        # 1.235 + 2.000 = 3.235 KWD
        conn.execute(
            "insert into marts.fct_invoices values ('inv_k_oct', 'acct_k', 'KWD', ?, ?, 'final',"
            " 3.235, 3.235, 2)",
            list(OCT),
        )
        for line_id, line_type, amount in (("l_k1", "usage", "1.235"), ("l_k2", "fixed", "2")):
            conn.execute(
                "insert into marts.fct_invoice_lines values (?, 'inv_k_oct', 'acct_k', "
                "'ctr_acct_k', ?, ?, ?, null, null, null, null, ?, 'KWD', ?, ?)",
                [line_id, *OCT, line_type, Decimal(amount), line_type, LINE_SEQUENCE[line_type]],
            )


@pytest.mark.parametrize(
    ("attack", "failed_invoice", "reason", "pushed"),
    [
        ("stuck", "inv_a_oct", "stripe_unavailable", {"inv_b_oct"}),
        ("kwd_1.235", "inv_k_oct", "stripe_three_decimal_rule", {"inv_a_oct", "inv_b_oct"}),
    ],
)
def test_stripe_asset_pushes_the_others_then_fails_naming_the_invoice(
    tmp_path: Path, attack: str, failed_invoice: str, reason: str, pushed: set[str]
) -> None:
    database = build_fixture_warehouse(tmp_path / "warehouse.duckdb")
    if attack == "kwd_1.235":
        add_kwd_invoice(database)
    with running_fake_stripe() as server:
        if attack == "stuck":
            server.stick_invoice("inv_a_oct")  # pushed first: acct_a sorts before acct_b
        result = materialize(
            [period_close, invoice_exports, stripe_invoices, frozen_invoices_balanced],
            resources={
                "warehouse": WarehouseResource(database_path=str(database)),
                "exports": ExportsResource(directory=str(tmp_path / "exports")),
                "stripe": StripeResource(
                    api_key=API_KEY, api_base=server.url, max_network_retries=0
                ),
            },
            raise_on_error=False,
        )
        totals = stripe_totals(server)

    assert not result.success
    (failure,) = result.get_step_failure_events()
    assert failure.step_key == "billing__stripe_invoices"
    description = failure.step_failure_data.user_failure_data.description
    assert f"{failed_invoice}: {reason}: " in description
    assert f"1 invoices not pushed to Stripe ({len(pushed)} others pushed in this run)" in (
        description
    )
    # The others went out whole and are recorded (inv_c_oct has no Stripe customer), and
    # nothing at all exists at Stripe for the failed one:
    expected = {
        "inv_a_oct": 15772,  # 12345 + 735 + 10000 - 2308 - 5000 cents
        "inv_b_oct": 5500,  # 4500 + 1000 JPY
    }
    assert totals == {invoice_id: expected[invoice_id] for invoice_id in pushed}
    assert finalized_in_ledger(database) == pushed


# -- 8. a finalized Stripe invoice that no longer matches the frozen one ----------------------


@pytest.fixture
def pushed_warehouse(tmp_path: Path, fake_stripe: FakeStripeServer) -> Path:
    """The fixture warehouse, frozen and pushed once (inv_a_oct 15772 cents, inv_b_oct 5500)."""
    database = build_fixture_warehouse(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(database)) as conn:
        freeze_final_invoices(conn)
    first = push_warehouse(database, fake_stripe)
    assert first.invoices_finalized == ["inv_a_oct", "inv_b_oct"] and first.failures == {}
    return database


@pytest.mark.parametrize(
    ("restored_rows", "reason", "details"),
    [
        (
            # Another run froze l_a2 at 7.36 instead of 7.35: subtotal 230.81, total
            # 123.45 + 7.36 + 100.00 - 23.08 - 50.00 = 157.73 (Stripe holds 157.72).
            [
                (
                    "update billing.final_invoice_lines set amount = 7.36"
                    " where invoice_line_id = 'l_a2'"
                ),
                (
                    "update billing.final_invoices set subtotal = 230.81, total = 157.73"
                    " where invoice_id = 'inv_a_oct'"
                ),
            ],
            "line_amount_mismatch",
            [
                "line l_a2: Stripe item",
                " 735, warehouse 736 minor units",
                "total_mismatch: Stripe total 15772, warehouse 15773 minor units",
            ],
        ),
        (
            # Another run froze inv_a_oct without its credit line l_a5 (-50.00): total
            # 123.45 + 7.35 + 100.00 - 23.08 = 207.72, 4 lines (Stripe holds 157.72, 5 items).
            [
                "delete from billing.final_invoice_lines where invoice_line_id = 'l_a5'",
                (
                    "update billing.final_invoices set total = 207.72, line_count = 4"
                    " where invoice_id = 'inv_a_oct'"
                ),
            ],
            "line_not_in_warehouse",
            ["names line l_a5", "total_mismatch: Stripe total 15772, warehouse 20772 minor units"],
        ),
    ],
)
def test_lost_ledger_and_restored_frozen_rows_stop_with_a_named_mismatch(
    pushed_warehouse: Path,
    fake_stripe: FakeStripeServer,
    restored_rows: list[str],
    reason: str,
    details: list[str],
) -> None:
    with duckdb.connect(str(pushed_warehouse)) as conn:
        conn.execute("delete from billing.push_ledger")  # the ledger is lost (test only)
        for statement in restored_rows:  # frozen tables restored from another run (test only)
            conn.execute(statement)
    objects = (len(fake_stripe.state.invoices), len(fake_stripe.state.invoice_items))
    sent_before = len(posts(fake_stripe))

    result = push_warehouse(pushed_warehouse, fake_stripe)

    assert list(result.failures) == ["inv_a_oct"]
    failure = result.failures["inv_a_oct"]
    assert failure.startswith(f"{reason}: Stripe invoice ")
    assert "is open and differs from frozen invoice inv_a_oct" in failure
    for detail in details:
        assert detail in failure
    assert "inv_a_oct" not in finalized_in_ledger(pushed_warehouse)
    # The invoice that still matches is recorded again; nothing was created or changed.
    assert result.invoices_finalized == ["inv_b_oct"]
    assert finalized_in_ledger(pushed_warehouse) == {"inv_b_oct"}
    assert (len(fake_stripe.state.invoices), len(fake_stripe.state.invoice_items)) == objects
    assert len(posts(fake_stripe)) == sent_before


def test_draft_item_found_by_metadata_with_another_amount_is_not_finalized(
    tmp_path: Path, fake_stripe: FakeStripeServer
) -> None:
    """A crash left a draft with one item; the frozen line now says otherwise (restored)."""
    database = tmp_path / "ledger.duckdb"
    # 10.00 + 5.00 = 15.00 USD
    pushed = make_invoice("inv_d", "USD", 2, "15.00",
                          [("l_d1", "usage", "10.00"), ("l_d2", "fixed", "5.00")])
    fake_stripe.inject_failure(after_items=1)  # l_d1 is created, l_d2 answers 500
    assert list(push_invoices(database, fake_stripe, [pushed]).failures) == ["inv_d"]
    with duckdb.connect(str(database)) as conn:
        conn.execute("delete from billing.push_ledger")
    # 10.01 + 5.00 = 15.01 USD
    restored = make_invoice("inv_d", "USD", 2, "15.01",
                            [("l_d1", "usage", "10.01"), ("l_d2", "fixed", "5.00")])

    result = push_invoices(database, fake_stripe, [restored])

    assert result.failures["inv_d"].startswith("line_amount_mismatch: Stripe item ")
    assert "is 1000, line l_d1 of inv_d 1001 minor units" in result.failures["inv_d"]
    assert [i["status"] for i in fake_stripe.state.invoices.values()] == ["draft"]
    assert len(fake_stripe.state.invoice_items) == 1  # l_d2 was not added to a wrong draft


# -- 10. three-decimal currencies: refused before any request ---------------------------------

# 1.235 + 2.000 = 3.235 KWD: 1235 and 3235 fils, neither ends in 0.
KWD_REFUSED = make_invoice("inv_kwd_bad", "KWD", 3, "3.235",
                           [("l_kb1", "usage", "1.235"), ("l_kb2", "fixed", "2.000")])
# 1.230 + 2.000 = 3.230 KWD: 1230 + 2000 = 3230 fils, every amount ends in 0.
KWD_ACCEPTED = make_invoice("inv_kwd_ok", "KWD", 3, "3.230",
                            [("l_ko1", "usage", "1.230"), ("l_ko2", "fixed", "2.000")])
# 12.34 USD = 1234 cents (the three-decimal rule is not applied to two-decimal currencies).
USD_INVOICE = make_invoice("inv_usd", "USD", 2, "12.34", [("l_u1", "usage", "12.34")])


def test_the_fake_refuses_a_kwd_amount_not_ending_in_0(fake_stripe: FakeStripeServer) -> None:
    """Stripe's rule, as the fake enforces it: what the push must never send."""
    client = make_client(API_KEY, fake_stripe.url, max_network_retries=0)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.invoice_items.create(
            params={"customer": "cus_k", "amount": 1235, "currency": "kwd"}
        )
    client.v1.invoice_items.create(params={"customer": "cus_k", "amount": 1230, "currency": "kwd"})


def test_a_1_235_kwd_line_is_refused_before_any_request(
    tmp_path: Path, fake_stripe: FakeStripeServer
) -> None:
    result = push_invoices(tmp_path / "ledger.duckdb", fake_stripe, [KWD_REFUSED])

    assert fake_stripe.state.requests == []  # not even a look-up
    assert result.requests == 0 and result.invoices_finalized == []
    failure = result.failures["inv_kwd_bad"]
    assert failure.startswith(
        "stripe_three_decimal_rule: line l_kb1 amount 1.235 KWD is 1235 minor units; "
        "Stripe takes KWD amounts only as multiples of 10"
    )
    assert "total 3.235 KWD is 3235 minor units" in failure
    assert finalized_in_ledger(tmp_path / "ledger.duckdb") == set()


def test_refused_kwd_invoice_does_not_stop_the_others(
    tmp_path: Path, fake_stripe: FakeStripeServer
) -> None:
    result = push_invoices(
        tmp_path / "ledger.duckdb", fake_stripe, [KWD_REFUSED, KWD_ACCEPTED, USD_INVOICE]
    )

    assert list(result.failures) == ["inv_kwd_bad"]
    assert result.invoices_finalized == ["inv_kwd_ok", "inv_usd"]
    assert stripe_totals(fake_stripe) == {"inv_kwd_ok": 3230, "inv_usd": 1234}  # see above
    sent_for_refused = [
        item for item in fake_stripe.state.invoice_items.values()
        if item["metadata"]["meterline_invoice_id"] == "inv_kwd_bad"
    ]
    assert sent_for_refused == []


def test_stripe_amounts_names_each_refusal() -> None:
    # KWD configured with 2 decimals: 1.23 KWD would go out as 123, i.e. 0.123 KWD at Stripe.
    kwd_two = make_invoice("inv_k2", "KWD", 2, "1.23", [("l1", "usage", "1.23")])
    with pytest.raises(PushRefused, match=r"^stripe_minor_units: KWD has 3 decimals"):
        stripe_amounts(kwd_two)
    # Half a cent is never rounded: 0.005 USD is not a whole number of cents.
    half_cent = make_invoice("inv_h", "USD", 2, "0.005", [("l1", "usage", "0.005")])
    with pytest.raises(PushRefused, match=r"^amount_not_in_minor_units: line l1 amount 0.005"):
        stripe_amounts(half_cent)
    # Lines 1.00 + 2.00 = 3.00 USD against a stated total of 3.01: 300 != 301 cents.
    unbalanced = make_invoice("inv_u", "USD", 2, "3.01",
                              [("l1", "usage", "1.00"), ("l2", "fixed", "2.00")])
    with pytest.raises(PushRefused, match=r"^lines_do_not_add_up: lines add up to 300 .* 301"):
        stripe_amounts(unbalanced)
    # A negative three-decimal amount ending in 0 is fine: 5.000 - 1.250 = 3.750 KWD.
    credit = make_invoice("inv_c", "KWD", 3, "3.750",
                          [("l1", "usage", "5.000"), ("l2", "credit", "-1.250")])
    assert stripe_amounts(credit).lines == {"l1": 5000, "l2": -1250}
    assert stripe_amounts(credit).total == 3750


# -- ISK and UGX: zero-decimal in ISO 4217, two-decimal (ending in 00) at Stripe ---------------


def test_isk_goes_out_in_hundredths() -> None:
    # 1,500 ISK + 250 ISK = 1,750 ISK; Stripe takes ISK as two-decimal: 150000 + 25000 = 175000
    isk = make_invoice("inv_isk", "ISK", 0, "1750", [("l_i1", "usage", "1500"),
                                                     ("l_i2", "fixed", "250")])
    amounts = stripe_amounts(isk)
    assert amounts.lines == {"l_i1": 150000, "l_i2": 25000}
    assert amounts.total == 175000


def test_ugx_with_a_fraction_is_refused() -> None:
    # seeded with 2 decimals: 10.50 UGX is 1050 hundredths, not a whole shilling
    ugx = make_invoice("inv_ugx", "UGX", 2, "10.50", [("l_u1", "usage", "10.50")])
    with pytest.raises(PushRefused, match=r"^stripe_whole_units_rule: line l_u1 amount 10.50 UGX"):
        stripe_amounts(ugx)
    # 12.00 UGX with 2 decimals is 1200 hundredths: accepted as is
    whole = make_invoice("inv_ugx2", "UGX", 2, "12.00", [("l_u2", "usage", "12.00")])
    assert stripe_amounts(whole).total == 1200
