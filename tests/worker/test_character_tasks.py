"""The characters' tasks: reports, real CPU work, staged failures, time scale."""

import asyncio
import json
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from app.components.worker.tasks import carl, charlie, grimey, homer, lenny, rod_sim
from app.components.worker.tasks.pace import SimulatedFailureError, TaskContext
from app.services.tasks.catalog import TaskArgumentsError, TaskSpec

type Task = Callable[..., Awaitable[dict[str, Any]]]

MODULES = (homer, lenny, carl, charlie, grimey, rod_sim)
ALL_TASKS: dict[str, Task] = {
    task.__name__: task for module in MODULES for task in module.TASKS
}
# Each simulation task, with the activities its character can be asked to do.
SIM_TASKS: dict[str, tuple[Task, tuple[str, ...]]] = {
    "homer_sim_task": (homer.homer_sim_task, homer.ACTIVITIES),
    "lenny_sim_task": (lenny.lenny_sim_task, lenny.ACTIVITIES),
    "carl_sim_task": (carl.carl_sim_task, carl.ACTIVITIES),
    "charlie_sim_task": (charlie.charlie_sim_task, charlie.ACTIVITIES),
    "grimey_sim_task": (grimey.grimey_sim_task, grimey.ACTIVITIES),
    "inanimate_rod_sim_task": (rod_sim.inanimate_rod_sim_task, rod_sim.ACTIVITIES),
}


def make_ctx(time_scale: float = 0.0) -> TaskContext:
    return {"time_scale": time_scale, "job_id": "test", "job_try": 1}


async def run_until_success(task: Task, **options: Any) -> dict[str, Any]:
    """Run `task` as arq would retry it, past its staged failures."""
    for _ in range(50):
        try:
            return await task(make_ctx(), **options)
        except SimulatedFailureError:
            continue
    raise AssertionError("the task failed 50 times in a row")


def test_task_tuples_list_each_queue_s_tasks() -> None:
    expected = {
        homer: {
            "eat_donut_task",
            "nap_at_console_task",
            "attempt_safety_check_task",
            "clock_in_task",
            "go_to_moes_task",
            "rush_out_task",
            "homer_sim_task",
        },
        lenny: {
            "run_diagnostics_task",
            "file_report_task",
            "check_cooling_tower_task",
            "morning_inspection_task",
            "open_plant_task",
            "night_maintenance_task",
            "lenny_sim_task",
        },
        carl: {
            "handle_inspector_task",
            "file_afternoon_reports_task",
            "shift_handoff_task",
            "make_announcement_task",
            "morning_briefing_task",
            "carl_sim_task",
        },
        charlie: {
            "monitor_gauges_task",
            "restock_break_room_task",
            "log_shift_notes_task",
            "check_emergency_exits_task",
            "charlie_sim_task",
        },
        grimey: {"grimey_sim_task"},
        rod_sim: {"inanimate_rod_sim_task"},
    }
    for module, names in expected.items():
        assert len(module.TASKS) == len(names)
        assert {task.__name__ for task in module.TASKS} == names


@pytest.mark.parametrize("name", ALL_TASKS)
async def test_task_returns_a_plain_json_report_named_after_itself(name: str) -> None:
    random.seed(1)
    result = await run_until_success(ALL_TASKS[name])
    assert result["task"] == name
    assert result["message"]
    assert result["character"]
    assert json.loads(json.dumps(result)) == result
    assert json.dumps(result, ensure_ascii=False).isascii()


async def test_all_tasks_skip_waiting_at_time_scale_zero() -> None:
    started = time.perf_counter()
    for task in ALL_TASKS.values():
        await run_until_success(task)
    assert time.perf_counter() - started < 5


async def test_waiting_follows_the_time_scale() -> None:
    """go_to_moes waits 5-10 simulated seconds: at least 50 ms at scale 0.01."""
    started = time.perf_counter()
    await homer.go_to_moes_task(make_ctx(time_scale=0.01))
    assert time.perf_counter() - started >= 0.045


async def test_eat_donut_really_computes_fibonacci() -> None:
    random.seed(2)
    result = await homer.eat_donut_task(make_ctx())
    sequence = [0, 1]
    while len(sequence) <= result["fibonacci_n"]:
        sequence.append(sequence[-1] + sequence[-2])
    number = sequence[result["fibonacci_n"]]
    assert 800 <= result["fibonacci_n"] <= 1200
    assert result["fibonacci_digits"] == len(str(number))
    assert result["fibonacci_last_digits"] == number % 1_000_000


async def test_safety_check_really_multiplies_the_matrices() -> None:
    random.seed(3)
    result = await homer.attempt_safety_check_task(make_ctx())
    size = result["matrix_size"]
    left, right = homer.safety_matrices(result["matrix_seed"], size)
    # trace(AB) and sum(AB) without forming the product.
    trace = sum(left[i][j] * right[j][i] for i in range(size) for j in range(size))
    total = sum(sum(col) * sum(right[j]) for j, col in enumerate(zip(*left)))
    assert 30 <= size <= 60
    assert result["product_trace"] == trace
    assert result["product_checksum"] == total


async def test_clock_in_really_sorts_the_cards() -> None:
    random.seed(4)
    result = await homer.clock_in_task(make_ctx())
    cards = homer.time_cards(result["cards_seed"], homer.TIME_CARDS)
    assert result["cards_sorted"] == 5000
    assert result["earliest_card"] == min(cards)
    assert result["latest_card"] == max(cards)


async def test_safety_check_math_leaves_the_event_loop_free(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The CPU work runs in a thread; slowed down, the loop still ticks meanwhile."""
    real_product = homer.safety_product

    def slow_product(seed: int, size: int) -> list[list[int]]:
        time.sleep(0.1)
        return real_product(seed, size)

    monkeypatch.setattr(homer, "safety_product", slow_product)
    check = asyncio.create_task(homer.attempt_safety_check_task(make_ctx()))
    ticks = 0
    while not check.done():
        await asyncio.sleep(0.005)
        ticks += 1
    await check
    assert ticks >= 5


async def test_homer_sim_fails_about_a_quarter_of_the_time() -> None:
    random.seed(5)
    failures = 0
    for _ in range(400):
        try:
            await homer.homer_sim_task(make_ctx())
        except SimulatedFailureError:
            failures += 1
    assert 0.18 <= failures / 400 <= 0.32


async def test_grimey_never_fails() -> None:
    random.seed(6)
    for _ in range(200):
        await grimey.grimey_sim_task(make_ctx())


@pytest.mark.parametrize("name", SIM_TASKS)
async def test_sim_task_accepts_each_of_its_20_activities(name: str) -> None:
    task, activities = SIM_TASKS[name]
    assert len(set(activities)) == 20
    for activity in activities:
        result = await run_until_success(task, activity=activity)
        assert result["activity"] == activity


@pytest.mark.parametrize("name", SIM_TASKS)
def test_an_unknown_activity_is_refused_before_the_job_is_queued(name: str) -> None:
    task, _ = SIM_TASKS[name]
    spec = TaskSpec(name, "any", task)
    with pytest.raises(TaskArgumentsError, match="activity"):
        spec.validate_options({"activity": "Winning employee of the month"})


def test_user_visible_text_is_plain_ascii() -> None:
    """The dashboard's font renders nothing beyond plain Latin characters."""
    for module in MODULES:
        for task in module.TASKS:
            assert (task.__doc__ or "").isascii()
        for activity in module.ACTIVITIES:
            assert activity.isascii() and activity.isprintable()
