"""The price simulation as a Dagster job (`meterline_simulate`): the run config names the
candidate, as `make simulate NAME=<name>` does. The work is orchestration/simulate.py (plain
Python); this module only wraps it. The warehouse is the `warehouse` resource's file.
"""

from pathlib import Path

from dagster import Config, Failure, OpExecutionContext, in_process_executor, job, op

from orchestration.resources import WarehouseResource
from orchestration.simulate import SimulationError, run_simulation

SIMULATION_JOB_NAME = "meterline_simulate"


class SimulationConfig(Config):
    """name: the candidate folder simulations/<name>/ and schema simulation_<name>; as_of: the
    as_of of the production build (empty: as dbt's default)."""

    name: str
    as_of: str = ""


@op(description="Rate all history under the candidate seeds into simulation_<name>.")
def simulate_prices(context: OpExecutionContext, config: SimulationConfig,
                    warehouse: WarehouseResource) -> None:
    try:
        result = run_simulation(config.name, Path(warehouse.database_path),
                                as_of=config.as_of or None)
    except SimulationError as error:
        raise Failure(description=str(error)) from error
    context.log.info("\n".join(result.summary))


@job(name=SIMULATION_JOB_NAME, executor_def=in_process_executor,
     description="Price simulation: the candidate in simulations/<name>/ (run config `name`) "
                 "rated over all history into simulation_<name>; production left as it is.")
def simulation_job() -> None:
    simulate_prices()
