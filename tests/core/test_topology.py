"""The process table: validated, overridable, and the queues match the code."""

import pytest

from app.components.worker.queues import QUEUES, task_catalog
from app.core.topology import TopologyError, load_topology, parse_topology

SPEC_NUMBERS = {  # SPEC section 1: (max_jobs, job_timeout_s, retries allowed)
    "inanimate_rod": (15, 300, True),
    "homer": (3, 600, False),
    "lenny": (15, 120, True),
    "carl": (15, 120, True),
    "charlie": (10, 120, True),
    "grimey": (1, 600, False),
}


def test_the_table_holds_the_specified_numbers() -> None:
    topology = load_topology()
    actual = {
        name: (q.max_jobs, q.job_timeout_s, q.max_tries > 1)
        for name, q in topology.queues.items()
    }
    assert actual == SPEC_NUMBERS
    assert topology.webserver.port == 8000


def test_every_queue_of_the_table_has_a_worker_module_and_no_other() -> None:
    assert list(QUEUES) == list(load_topology().queues)


def test_the_catalog_has_at_least_29_tasks_each_on_one_queue() -> None:
    catalog = task_catalog()
    assert len(catalog.tasks) >= 29
    assert all(len(catalog.queues[q]) >= 1 for q in load_topology().queues)


def test_environment_overrides_tune_a_queue() -> None:
    topology = load_topology(
        {"WORKER_HOMER_MAX_JOBS": "5", "WORKER_LENNY_JOB_TIMEOUT_S": "30"}
    )
    assert topology.queue("homer").max_jobs == 5
    assert topology.queue("lenny").job_timeout_s == 30
    assert topology.queue("carl").max_jobs == 15


def test_a_bad_override_names_the_variable() -> None:
    with pytest.raises(TopologyError, match="^WORKER_HOMER_MAX_JOBS: "):
        load_topology({"WORKER_HOMER_MAX_JOBS": "0"})


TABLE = """
[webserver]
description = "w"
port = 8000
memory_max_mib = 1
cpu_quota_percent = 1
[scheduler]
description = "s"
heartbeat_interval_s = 1
memory_max_mib = 1
cpu_quota_percent = 1
[workers]
poll_delay_s = 0.1
retry_backoff_s = 1
[queues.homer]
description = "h"
max_jobs = 1
job_timeout_s = 1
max_tries = 1
heartbeat_interval_s = 1
shutdown_grace_s = 1
memory_max_mib = 1
cpu_quota_percent = 1
"""


def test_a_valid_table_parses() -> None:
    assert parse_topology(TABLE).queue("homer").max_jobs == 1


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (("max_jobs = 1", "max_jobs = 0"), "topology.toml queues.homer.max_jobs: "),
        (("max_jobs = 1", 'max_jobs = "1"'), "topology.toml queues.homer.max_jobs: "),
        (
            ("max_jobs = 1", "max_jobs = 1\nsurprise = 1"),
            "topology.toml queues.homer: Object contains unknown field `surprise`",
        ),
        (("port = 8000", "port = 70000"), "topology.toml webserver.port: "),
        (("[queues.homer]", "[queues.Homer]"), "topology.toml queues.Homer.name: "),
        (
            ("[workers]\npoll_delay_s = 0.1\nretry_backoff_s = 1\n", ""),
            "topology.toml (top): Object missing required field `workers`",
        ),
    ],
)
def test_an_invalid_table_names_the_field(change: tuple[str, str], named: str) -> None:
    with pytest.raises(TopologyError) as refused:
        parse_topology(TABLE.replace(*change))
    assert named in str(refused.value)


def test_unknown_queue_lists_the_known_ones() -> None:
    with pytest.raises(TopologyError, match="queues: inanimate_rod, homer"):
        load_topology().queue("moe")


def test_service_names_follow_compose_conventions() -> None:
    assert load_topology().queue("inanimate_rod").service_name == "worker-inanimate-rod"
