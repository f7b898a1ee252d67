"""Dagster assets: the dbt project and the billing (freeze, export, Stripe) assets."""
