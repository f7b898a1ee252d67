"""Billing assets: period close (freeze) and the pushes to the file export and Stripe.

    marts/fct_invoices, marts/fct_invoice_lines (dbt, gated by their blocking dbt tests)
        -> period_close: billing/period_close (the close, gated by blocking Python checks) and
           the append-only tables it writes, billing/final_invoices, billing/final_invoice_lines
            -> billing/invoice_exports (CSV + JSON per final invoice)
            -> billing/stripe_invoices (invoice items, invoice, finalize); without a Stripe key
               the push is skipped: an observation says so, and no materialization is recorded
"""


from collections.abc import Iterator

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetObservation,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)
from dagster_dbt import get_asset_key_for_model

from orchestration.assets.dbt import meterline_dbt
from orchestration.billing import files
from orchestration.billing.freeze import freeze_final_invoices
from orchestration.billing.invoices import load_frozen_invoices
from orchestration.billing.ledger import PushLedger
from orchestration.billing.stripe_client import TARGET as STRIPE_TARGET
from orchestration.billing.stripe_client import StripePusher
from orchestration.policies import TRANSIENT_RETRY
from orchestration.resources import ExportsResource, StripeResource, WarehouseResource

# The marts the billing steps read, keyed as the dbt assets name them.
MART_INVOICES_KEY = get_asset_key_for_model([meterline_dbt], "fct_invoices")
MART_INVOICE_LINES_KEY = get_asset_key_for_model([meterline_dbt], "fct_invoice_lines")
ACCOUNTS_KEY = get_asset_key_for_model([meterline_dbt], "dim_accounts")
CURRENCIES_KEY = get_asset_key_for_model([meterline_dbt], "dim_currencies")
PERIOD_CLOSE_KEY = AssetKey(["billing", "period_close"])
INVOICE_EXPORTS_KEY = AssetKey(["billing", "invoice_exports"])
STRIPE_INVOICES_KEY = AssetKey(["billing", "stripe_invoices"])
# The freeze tables (dbt source `billing`, read back by the staging models of the next run).
FINAL_INVOICES_KEY = AssetKey(["billing", "final_invoices"])
FINAL_INVOICE_LINES_KEY = AssetKey(["billing", "final_invoice_lines"])

OWNERS = ["team:finance"]
FREEZE_DEPS = [MART_INVOICES_KEY, MART_INVOICE_LINES_KEY]


@multi_asset(
    name="period_close",
    specs=[
        AssetSpec(
            PERIOD_CLOSE_KEY,
            deps=FREEZE_DEPS,
            group_name="billing",
            owners=OWNERS,
            kinds={"duckdb"},
            description=(
                "Period close: appends every final invoice not frozen yet (and its lines) to the "
                "append-only tables billing.final_invoices and billing.final_invoice_lines."
            ),
        ),
        AssetSpec(
            FINAL_INVOICES_KEY,
            deps=FREEZE_DEPS,
            group_name="billing",
            owners=OWNERS,
            kinds={"duckdb", "table"},
            description=(
                "Append-only: one row per final invoice as it was when first frozen; written "
                "only by the period close (dbt source billing.final_invoices)."
            ),
        ),
        AssetSpec(
            FINAL_INVOICE_LINES_KEY,
            deps=FREEZE_DEPS,
            group_name="billing",
            owners=OWNERS,
            kinds={"duckdb", "table"},
            description=(
                "Append-only: the lines of every frozen final invoice; written only by the "
                "period close (dbt source billing.final_invoice_lines)."
            ),
        ),
    ],
    retry_policy=TRANSIENT_RETRY,
)
def period_close(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[MaterializeResult]:
    with warehouse.connect() as conn:
        result = freeze_final_invoices(conn)
        [(frozen_total, frozen_lines)] = conn.execute(
            "select (select count(*) from billing.final_invoices),"
            " (select count(*) from billing.final_invoice_lines)"
        ).fetchall()
    context.log.info(
        f"froze {len(result.invoice_ids)} invoices ({result.line_count} lines); "
        f"{frozen_total} frozen in all"
    )
    yield MaterializeResult(
        asset_key=PERIOD_CLOSE_KEY,
        metadata={
            "newly_frozen_invoices": len(result.invoice_ids),
            "newly_frozen_lines": result.line_count,
            "frozen_invoices_total": frozen_total,
            "frozen_at": result.frozen_at.isoformat(),
        },
    )
    yield MaterializeResult(
        asset_key=FINAL_INVOICES_KEY,
        metadata={"dagster/row_count": frozen_total, "rows_appended": len(result.invoice_ids)},
    )
    yield MaterializeResult(
        asset_key=FINAL_INVOICE_LINES_KEY,
        metadata={"dagster/row_count": frozen_lines, "rows_appended": result.line_count},
    )


@asset(
    key=INVOICE_EXPORTS_KEY,
    deps=[PERIOD_CLOSE_KEY, FINAL_INVOICES_KEY, FINAL_INVOICE_LINES_KEY, CURRENCIES_KEY],
    group_name="billing",
    owners=OWNERS,
    kinds={"csv", "json"},
    retry_policy=TRANSIENT_RETRY,
    description=(
        "One CSV and one JSON file per frozen final invoice, written once, atomically, with the "
        "configured file mode (default 0640)."
    ),
)
def invoice_exports(
    context: AssetExecutionContext, warehouse: WarehouseResource, exports: ExportsResource
) -> MaterializeResult:
    with warehouse.connect() as conn:
        invoices = load_frozen_invoices(conn)
        ledger = PushLedger(conn, files.TARGET)
        result = files.export_invoices(invoices, exports.path, ledger, exports.mode)
    for relative in result.restored:
        context.log.warning(f"restored missing export {relative} (already in the ledger)")
    for name in result.temp_files_removed:
        context.log.warning(f"removed {name}, left by an interrupted export")
    context.log.info(f"wrote {len(result.written)} files for {len(invoices)} frozen invoices")
    return MaterializeResult(
        metadata={
            "exports_dir": MetadataValue.path(str(exports.path.resolve())),
            "files_written": len(result.written),
            "files_restored": len(result.restored),
            "file_mode": f"{exports.mode:04o}",
            "file_modes_fixed": len(result.modes_fixed),
            "stale_temp_files_removed": len(result.temp_files_removed),
            "invoices_already_exported": result.skipped_invoices,
            "ledger_rows_added": ledger.appended,
        }
    )


@asset(
    key=STRIPE_INVOICES_KEY,
    deps=[
        PERIOD_CLOSE_KEY, FINAL_INVOICES_KEY, FINAL_INVOICE_LINES_KEY, ACCOUNTS_KEY, CURRENCIES_KEY
    ],
    group_name="billing",
    owners=OWNERS,
    kinds={"stripe"},
    retry_policy=TRANSIENT_RETRY,
    # No Stripe key: nothing is pushed and no materialization is recorded (the asset is skipped).
    output_required=False,
    description=(
        "Pushes each frozen final invoice of an account with a Stripe customer to Stripe exactly "
        "once: invoice items (minor units), the invoice, then finalize. Skipped (not "
        "materialized) while STRIPE_API_KEY is unset."
    ),
)
def stripe_invoices(
    context: AssetExecutionContext, warehouse: WarehouseResource, stripe: StripeResource
) -> Iterator[MaterializeResult | AssetObservation]:
    if not stripe.is_configured:
        reason = f"{stripe.api_key_env} is not set: nothing pushed to Stripe"
        context.log.warning(f"skipped: {reason}")
        yield AssetObservation(asset_key=STRIPE_INVOICES_KEY, metadata={"skipped": reason})
        return
    with warehouse.connect() as conn:
        invoices = load_frozen_invoices(conn)
        ledger = PushLedger(conn, STRIPE_TARGET)
        pusher = StripePusher(
            stripe.client(), ledger, context.log.warning, stripe.collect_automatically
        )
        result = pusher.push(invoices)
    metadata = {
        "invoices_finalized": len(result.invoices_finalized),
        "invoices_already_pushed": result.invoices_already_pushed,
        "invoices_without_customer": result.invoices_without_customer,
        "invoice_items_created": result.items_created,
        "stripe_requests": result.requests,
        "ledger_rows_added": ledger.appended,
    }
    if result.failures:
        # Every other invoice is pushed and in the ledger; these are retried on the next run.
        for invoice_id, reason in result.failures.items():
            context.log.error(f"invoice {invoice_id} not pushed to Stripe: {reason}")
        raise Failure(
            description=(
                f"{len(result.failures)} invoices not pushed to Stripe "
                f"({len(result.invoices_finalized)} others pushed in this run): "
                + "; ".join(f"{i}: {r}" for i, r in sorted(result.failures.items()))
            ),
            metadata={**metadata, "failures": MetadataValue.json(result.failures)},
            allow_retries=False,
        )
    yield MaterializeResult(metadata=metadata)
