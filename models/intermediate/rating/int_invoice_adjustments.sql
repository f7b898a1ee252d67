{#
    Period close: what a fresh computation of a frozen (final, pushed) invoice now gives
    differently, billed as `adjustment` lines on the account's next invoice in the same
    currency that is not final.

    Per original line of a frozen invoice (every line type the registry marks `recomputed`,
    macros/billing/line_types.sql: all but credits and adjustments; keyed by its stable
    invoice_line_id):
        delta = fresh amount - frozen amount - adjustments of that line already frozen
    (on other final invoices), so a later change bills only the new difference. A line new in
    the fresh computation counts fully, a vanished line negatively. Credit lines are never
    adjusted: frozen credits stay, and later invoices draw on what they left.

    Host: the earliest invoice of the account and currency with a later period that is not
    frozen yet: the next open or draft invoice, or one that became final in this run and is
    frozen with its adjustments by the same period close. (Skipping invoices that are final
    by date but not frozen would move the adjustments off every invoice just before it is
    frozen, so they would never be billed.) No host, or a host whose total before credits
    would go below zero with its adjustments, leaves the adjustments pending (host columns
    null, pending_reason set): they are recomputed on every run and land once a host can
    take them.
#}

with

computed_lines as (

    select * from {{ ref('int_invoice_computed_lines') }}

),

frozen_invoices as (

    select * from {{ ref('stg_billing__final_invoices') }}

),

frozen_lines as (

    select * from {{ ref('stg_billing__final_invoice_lines') }}

),

currencies as (

    select * from {{ ref('stg_currencies') }}

),

meters as (

    select * from {{ ref('stg_meters') }}

),

-- fresh lines of frozen periods
fresh_lines as (

    select computed_lines.*
    from computed_lines
    inner join frozen_invoices
        on computed_lines.invoice_id = frozen_invoices.invoice_id
    where computed_lines.line_type in {{ meterline.line_type_list('recomputed') }}

),

frozen_original_lines as (

    select * from frozen_lines
    where line_type in {{ meterline.line_type_list('recomputed') }}

),

frozen_adjustment_lines as (

    select * from frozen_lines
    where line_type = 'adjustment'

),

-- the original line of a frozen adjustment, as the adjustment line recorded it (needed when
-- the line is neither fresh nor frozen any more)
adjusted_originals as (

    select distinct
        frozen_adjustment_lines.adjusted_invoice_line_id as invoice_line_id,
        frozen_adjustment_lines.adjusted_invoice_id as invoice_id,
        frozen_adjustment_lines.account_id,
        frozen_adjustment_lines.usage_account_id,
        frozen_adjustment_lines.contract_id,
        frozen_adjustment_lines.adjusted_period_start as period_start,
        frozen_adjustment_lines.adjusted_period_end as period_end,
        frozen_adjustment_lines.adjusted_line_type as line_type,
        frozen_adjustment_lines.meter_id,
        frozen_adjustment_lines.price_id,
        frozen_adjustment_lines.dimension_value,
        frozen_adjustment_lines.currency
    from frozen_adjustment_lines
    where frozen_adjustment_lines.adjusted_line_type is not null
    union all
    -- adjustment lines frozen before they recorded their original (adjusted_line_type null):
    -- the original is the line of a frozen invoice of the account whose key matches
    select distinct
        frozen_adjustment_lines.adjusted_invoice_line_id as invoice_line_id,
        frozen_invoices.invoice_id,
        frozen_invoices.account_id,
        frozen_invoices.account_id as usage_account_id,
        frozen_adjustment_lines.contract_id,
        frozen_invoices.period_start,
        frozen_invoices.period_end,
        original_types.line_type,
        frozen_adjustment_lines.meter_id,
        frozen_adjustment_lines.price_id,
        frozen_adjustment_lines.dimension_value,
        frozen_invoices.currency
    from frozen_adjustment_lines
    inner join frozen_invoices
        on
            frozen_adjustment_lines.account_id = frozen_invoices.account_id
            and frozen_adjustment_lines.currency = frozen_invoices.currency
    cross join (
        {%- for line_type in meterline.line_type_names('recomputed') %}
            select '{{ line_type }}' as line_type
            {%- if not loop.last %}
                union all
            {%- endif %}
        {%- endfor %}
    ) as original_types
    where
        frozen_adjustment_lines.adjusted_line_type is null
        and {{ meterline.invoice_line_key(
            'frozen_invoices.invoice_id', 'original_types.line_type',
            'frozen_adjustment_lines.contract_id', 'frozen_adjustment_lines.price_id',
            'frozen_adjustment_lines.dimension_value'
        ) }} = frozen_adjustment_lines.adjusted_invoice_line_id

),

original_keys as (

    select
        invoice_line_id,
        invoice_id,
        account_id,
        usage_account_id,
        contract_id,
        period_start,
        period_end,
        line_type,
        meter_id,
        price_id,
        dimension_value,
        currency
    from fresh_lines
    union
    select
        invoice_line_id,
        invoice_id,
        account_id,
        coalesce(usage_account_id, account_id) as usage_account_id,
        contract_id,
        period_start,
        period_end,
        line_type,
        meter_id,
        price_id,
        dimension_value,
        currency
    from frozen_original_lines
    union
    select * from adjusted_originals

),

-- one row per original line (the key fixes every column but meter_id, which is null for
-- non-usage lines and the same everywhere for usage lines, and usage_account_id, which a line
-- frozen before it was recorded lacks)
originals as (

    select
        invoice_line_id,
        max(invoice_id) as invoice_id,
        max(account_id) as account_id,
        max(usage_account_id) as usage_account_id,
        max(contract_id) as contract_id,
        max(period_start) as period_start,
        max(period_end) as period_end,
        max(line_type) as line_type,
        max(meter_id) as meter_id,
        max(price_id) as price_id,
        max(dimension_value) as dimension_value,
        max(currency) as currency
    from original_keys
    group by invoice_line_id

),

already_adjusted as (

    select
        adjusted_invoice_line_id,
        sum(amount) as amount,
        sum(quantity) as quantity
    from frozen_adjustment_lines
    group by adjusted_invoice_line_id

),

deltas as (

    select
        originals.*,
        coalesce(fresh_lines.amount, 0) as fresh_amount,
        coalesce(frozen_original_lines.amount, 0) as frozen_amount,
        coalesce(already_adjusted.amount, 0) as adjusted_amount,
        coalesce(fresh_lines.amount, 0)
        - coalesce(frozen_original_lines.amount, 0)
        - coalesce(already_adjusted.amount, 0) as delta_amount,
        case
            when originals.line_type = 'usage'
                then
                    coalesce(fresh_lines.quantity, 0)
                    - coalesce(frozen_original_lines.quantity, 0)
                    - coalesce(already_adjusted.quantity, 0)
        end as delta_quantity
    from originals
    left join fresh_lines
        on originals.invoice_line_id = fresh_lines.invoice_line_id
    left join frozen_original_lines
        on originals.invoice_line_id = frozen_original_lines.invoice_line_id
    left join already_adjusted
        on originals.invoice_line_id = already_adjusted.adjusted_invoice_line_id

),

changed as (

    select * from deltas
    where delta_amount <> 0

),

-- invoices that can still take lines: computed and not frozen
open_invoices as (

    select
        computed_lines.invoice_id,
        computed_lines.account_id,
        computed_lines.currency,
        computed_lines.period_start,
        computed_lines.period_end,
        sum(computed_lines.amount) as amount_before_credit
    from computed_lines
    left join frozen_invoices
        on computed_lines.invoice_id = frozen_invoices.invoice_id
    where frozen_invoices.invoice_id is null
    group by
        computed_lines.invoice_id,
        computed_lines.account_id,
        computed_lines.currency,
        computed_lines.period_start,
        computed_lines.period_end

),

host_candidates as (

    select
        changed.invoice_line_id as adjusted_invoice_line_id,
        open_invoices.invoice_id,
        open_invoices.period_start,
        open_invoices.period_end,
        open_invoices.amount_before_credit,
        row_number() over (
            partition by changed.invoice_line_id
            order by open_invoices.period_start
        ) as host_rank
    from changed
    inner join open_invoices
        on
            changed.account_id = open_invoices.account_id
            and changed.currency = open_invoices.currency
            and changed.period_start < open_invoices.period_start

),

hosted as (

    select
        changed.*,
        host_candidates.invoice_id as host_invoice_id,
        host_candidates.period_start as host_period_start,
        host_candidates.period_end as host_period_end,
        host_candidates.amount_before_credit
        + sum(changed.delta_amount) over (
            partition by host_candidates.invoice_id
        ) as host_amount_before_credit
    from changed
    left join host_candidates
        on
            changed.invoice_line_id = host_candidates.adjusted_invoice_line_id
            and host_candidates.host_rank = 1

),

placed as (

    select
        *,
        case
            when host_invoice_id is null then 'no_open_invoice'
            when host_amount_before_credit < 0 then 'host_total_negative'
        end as pending_reason
    from hosted

),

described as (

    select
        placed.*,
        concat(
            'Adjustment for ', {{ meterline.period_label('placed.period_start', 'placed.period_end') }},
            case when placed.line_type = 'usage' then ' (late usage): ' else ' (recomputed): ' end,
            case
                when placed.line_type = 'usage'
                    then concat(
                        coalesce(meters.description, placed.meter_id),
                        case
                            when placed.dimension_value is not null
                                then concat(' (', placed.dimension_value, ')')
                            else ''
                        end,
                        case
                            when placed.delta_quantity > 0
                                then concat(' +', {{ meterline.format_number('placed.delta_quantity') }})
                            when placed.delta_quantity < 0
                                then concat(' ', {{ meterline.format_number('placed.delta_quantity') }})
                            else ''
                        end
                    )
                -- the line type's name (line-type registry), with its price when it has one
                else concat(
                    {{ meterline.line_type_case('placed.line_type', 'label') }},
                    case when placed.price_id is not null then concat(' (', placed.price_id, ')') else '' end
                )
            end,
            ' = ',
            {{ meterline.format_money('placed.delta_amount', 'currencies.minor_units') }}
        ) as description
    from placed
    inner join currencies
        on placed.currency = currencies.currency
    left join meters
        on placed.meter_id = meters.meter_id

),

final as (

    select
        -- ids (host invoice columns null while pending)
        case
            when pending_reason is null
                then {{ meterline.surrogate_key([
                    'host_invoice_id', "'adjustment'", 'invoice_line_id'
                ]) }}
        end as invoice_line_id,
        case when pending_reason is null then host_invoice_id end as invoice_id,
        account_id,
        usage_account_id,
        contract_id,

        -- dates (the host invoice's period)
        case when pending_reason is null then host_period_start end as period_start,
        case when pending_reason is null then host_period_end end as period_end,

        -- line
        'adjustment' as line_type,
        cast({{ meterline.line_type_case("'adjustment'", 'sequence') }} as integer) as line_sequence,
        meter_id,
        price_id,
        dimension_value,
        cast(delta_quantity as {{ meterline.quantity_type() }}) as quantity,
        cast(delta_amount as {{ meterline.money_type() }}) as amount,
        currency,
        description,

        -- the adjusted original line and its period
        invoice_line_id as adjusted_invoice_line_id,
        invoice_id as adjusted_invoice_id,
        line_type as adjusted_line_type,
        period_start as adjusted_period_start,
        period_end as adjusted_period_end,

        -- how the delta was computed
        cast(fresh_amount as {{ meterline.money_type() }}) as fresh_amount,
        cast(frozen_amount as {{ meterline.money_type() }}) as frozen_amount,
        cast(adjusted_amount as {{ meterline.money_type() }}) as previously_adjusted_amount,

        -- placement
        pending_reason is not null as is_pending,
        pending_reason,
        host_invoice_id as candidate_invoice_id
    from described

)

select * from final
