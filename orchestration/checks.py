"""Python asset checks on the frozen billing tables.

`frozen_invoices_balanced` is blocking: a frozen invoice whose lines do not add up to its total
(or that is negative, or duplicated) must never reach a billing target, so it stops the pushes.
`final_invoices_unchanged` warns when the marts now compute another total for an invoice that is
already frozen (late usage must become adjustment lines on the next open invoice instead).
"""


from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue, asset_check

from orchestration.assets.billing import MART_INVOICES_KEY, PERIOD_CLOSE_KEY
from orchestration.billing.tables import FINAL_INVOICE_LINES, FINAL_INVOICES, ensure_billing_tables
from orchestration.resources import WarehouseResource

UNBALANCED_SQL = f"""
with

invoices as (
    select * from {FINAL_INVOICES}
),

lines as (
    select
        invoice_id,
        count(*) as line_count,
        sum(amount) as line_total
    from {FINAL_INVOICE_LINES}
    group by invoice_id
),

duplicated as (
    select invoice_id
    from invoices
    group by invoice_id
    having count(*) > 1
),

problems as (
    select invoices.invoice_id, 'lines do not add up to the total' as problem
    from invoices
    left join lines on invoices.invoice_id = lines.invoice_id
    where coalesce(lines.line_total, 0) <> invoices.total
    union all
    select invoices.invoice_id, 'line_count differs from the frozen lines' as problem
    from invoices
    left join lines on invoices.invoice_id = lines.invoice_id
    where coalesce(lines.line_count, 0) <> invoices.line_count
    union all
    select invoice_id, 'negative total' as problem
    from invoices
    where total < 0
    union all
    select invoice_id, 'frozen twice' as problem
    from duplicated
    union all
    select invoice_id, 'line frozen twice' as problem
    from {FINAL_INVOICE_LINES}
    group by invoice_id, invoice_line_id
    having count(*) > 1
)

select invoice_id, problem from problems order by invoice_id, problem
"""

CHANGED_SQL = f"""
select frozen.invoice_id, frozen.total as frozen_total, mart.total as mart_total
from {FINAL_INVOICES} as frozen
inner join marts.fct_invoices as mart on frozen.invoice_id = mart.invoice_id
where mart.total <> frozen.total
order by frozen.invoice_id
"""


@asset_check(
    asset=PERIOD_CLOSE_KEY,
    blocking=True,
    description="Every frozen invoice is unique, non-negative and equals the sum of its lines.",
)
def frozen_invoices_balanced(warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.connect() as conn:
        ensure_billing_tables(conn)
        problems = conn.execute(UNBALANCED_SQL).fetchall()
    return AssetCheckResult(
        passed=not problems,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "problem_count": len(problems),
            "problems": MetadataValue.json([list(row) for row in problems[:50]]),
        },
    )


@asset_check(
    asset=PERIOD_CLOSE_KEY,
    additional_deps=[MART_INVOICES_KEY],
    blocking=False,
    description="Invoices already frozen still have their frozen total in marts.fct_invoices.",
)
def final_invoices_unchanged(warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.connect() as conn:
        ensure_billing_tables(conn)
        changed = conn.execute(CHANGED_SQL).fetchall()
    return AssetCheckResult(
        passed=not changed,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "changed_count": len(changed),
            "changed": MetadataValue.json([[r[0], str(r[1]), str(r[2])] for r in changed[:50]]),
        },
    )
