"""Usage statements: one HTML page and one PDF per invoice of marts.fct_invoices (every status,
so a customer sees an open period as it stands), written after the period close so that a
frozen invoice is shown as frozen. The statement logic is plain Python (orchestration/statements)."""


from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset
from dagster_dbt import get_asset_key_for_model

from orchestration.assets.billing import OWNERS, PERIOD_CLOSE_KEY
from orchestration.assets.dbt import meterline_dbt
from orchestration.policies import TRANSIENT_RETRY
from orchestration.resources import StatementsResource, WarehouseResource
from orchestration.statements.data import load_statements
from orchestration.statements.writer import write_statements

USAGE_STATEMENTS_KEY = AssetKey(["billing", "usage_statements"])
# Every mart a statement reads (models/_exposures.yml, usage_statements).
STATEMENT_MARTS = (
    "fct_invoices", "fct_invoice_lines", "fct_rated_usage_tiers", "fct_usage_daily",
    "fct_credit_ledger", "fct_commitment_ledger", "dim_accounts", "dim_currencies", "dim_meters",
)


@asset(
    key=USAGE_STATEMENTS_KEY,
    deps=[PERIOD_CLOSE_KEY,
          *(get_asset_key_for_model([meterline_dbt], model) for model in STATEMENT_MARTS)],
    group_name="billing",
    owners=OWNERS,
    kinds={"html", "pdf"},
    retry_policy=TRANSIENT_RETRY,
    description=(
        "One usage statement per invoice (account, currency, period): an HTML page with inline "
        "charts of the daily usage, the invoice lines with their tiers, credits and commitment "
        "balances, and its PDF; rewritten only when its figures change."
    ),
)
def usage_statements(
    context: AssetExecutionContext, warehouse: WarehouseResource, statements: StatementsResource
) -> MaterializeResult:
    # Read everything, then let go of the warehouse before any file is written or printed.
    with warehouse.connect() as conn:
        loaded = load_statements(conn)
    result = write_statements(loaded, statements.path, statements.mode, pdf=statements.pdf)
    for name in result.temp_files_removed:
        context.log.warning(f"removed {name}, left by an interrupted write")
    if result.pdf_skipped:
        context.log.warning(f"no PDF printed: {result.pdf_skipped}")
    context.log.info(
        f"{len(loaded)} statements: {len(result.html_written)} HTML and "
        f"{len(result.pdf_written)} PDF files written, {result.html_unchanged} unchanged"
    )
    return MaterializeResult(metadata={
        "statements_dir": MetadataValue.path(str(statements.path.resolve())),
        "statements": len(loaded),
        "html_written": len(result.html_written),
        "html_unchanged": result.html_unchanged,
        "pdf_written": len(result.pdf_written),
        "pdf_skipped": result.pdf_skipped or "",
    })
