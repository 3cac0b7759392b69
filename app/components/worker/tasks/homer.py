"""Homer's queue: donuts, naps, near misses and the dash for the door."""

import random
import time
from typing import Any, Literal, get_args

from app.components.worker.tasks.pace import (
    SimulatedFailureError,
    TaskContext,
    crunch,
    pause,
    report,
)

CHARACTER = "Homer"

# Homer's day goes wrong a lot: a quarter of his simulated activities fail.
SIM_FAILURE_RATE = 0.25
# ...and his safety checks pass less than a third of the time.
SAFETY_PASS_RATE = 0.3
# How many punch cards the clock-in sorts before Homer finds his own.
TIME_CARDS = 5000

DONUTS = (
    "pink frosted with sprinkles",
    "maple bar",
    "jelly filled",
    "chocolate glazed",
    "Boston cream",
    "bear claw",
)
BADGE_SPOTS = (
    "in the fridge",
    "under the couch cushions",
    "in the car ashtray",
    "in an empty donut box",
    "clipped to the dog",
)
Activity = Literal[
    "Staring at the big red button and humming",
    "Stacking donut boxes into a pyramid on the console",
    "Phoning Marge to ask what a rem is",
    "Hiding from Mr. Burns in a supply locker",
    "Using his dosimeter as a coaster",
    "Playing tic-tac-toe on the core temperature chart",
    "Shaking the vending machine for a free soda",
    "Dozing with eyes drawn on his eyelids",
    "Asking Lenny what the blinking light means",
    "Eating a sandwich found behind the monitor",
    "Practising his bowling swing in the corridor",
    "Pressing buttons in alphabetical order",
    "Reading the safety manual upside down",
    "Drooling on the emergency procedures binder",
    "Searching the keyboard for the any key",
    "Chasing a glowing rat out of the break room",
    "Daydreaming about a land made of chocolate",
    "Signing a form he did not read",
    "Covering a warning light with a sticky note",
    "Writing DONUTS at the top of the meeting agenda",
]
ACTIVITIES: tuple[Activity, ...] = get_args(Activity)

type Matrix = list[list[int]]


def fibonacci(n: int) -> int:
    """The n-th Fibonacci number, by plain iteration."""
    previous, current = 0, 1
    for _ in range(n):
        previous, current = current, previous + current
    return previous


def safety_matrices(seed: int, size: int) -> tuple[Matrix, Matrix]:
    """Two `size` x `size` matrices of digits, reproducible from `seed`."""
    rng = random.Random(seed)

    def digits() -> Matrix:
        return [[rng.randrange(10) for _ in range(size)] for _ in range(size)]

    return digits(), digits()


def safety_product(seed: int, size: int) -> Matrix:
    """Multiply the seeded safety matrices the slow, pure-Python way."""
    left, right = safety_matrices(seed, size)
    columns = list(zip(*right))
    return [[sum(a * b for a, b in zip(row, col)) for col in columns] for row in left]


def time_cards(seed: int, count: int) -> list[int]:
    """The punch-card numbers in the rack, reproducible from `seed`."""
    rng = random.Random(seed)
    return [rng.randrange(1_000_000) for _ in range(count)]


def sorted_time_cards(seed: int, count: int) -> list[int]:
    """The rack of punch cards, put in order."""
    return sorted(time_cards(seed, count))


async def eat_donut_task(ctx: TaskContext) -> dict[str, Any]:
    """Homer counts sprinkles (Fibonacci-style), then eats the donut."""
    started = time.perf_counter()
    n = random.randint(800, 1200)
    number = await crunch(fibonacci, n)
    await pause(ctx, 2, 5)
    donut = random.choice(DONUTS)
    return report(
        task="eat_donut_task",
        character=CHARACTER,
        message=f"Mmm... {donut}.",
        started=started,
        donut=donut,
        fibonacci_n=n,
        fibonacci_digits=len(str(number)),
        fibonacci_last_digits=number % 1_000_000,
    )


async def nap_at_console_task(ctx: TaskContext) -> dict[str, Any]:
    """Homer naps at the console while the warning lights blink."""
    started = time.perf_counter()
    seconds = await pause(ctx, 3, 8)
    ignored = random.randint(1, 12)
    return report(
        task="nap_at_console_task",
        character=CHARACTER,
        message=f"Slept through {ignored} warning lights.",
        started=started,
        warning_lights_ignored=ignored,
        snore_seconds=round(seconds, 2),
    )


async def attempt_safety_check_task(ctx: TaskContext) -> dict[str, Any]:
    """Homer multiplies the safety matrices and hopes for the best."""
    started = time.perf_counter()
    seed = random.randrange(2**32)
    size = random.randint(30, 60)
    product = await crunch(safety_product, seed, size)
    await pause(ctx, 2, 5)
    passed = random.random() < SAFETY_PASS_RATE
    return report(
        task="attempt_safety_check_task",
        character=CHARACTER,
        message="Safety check passed. Woo-hoo!" if passed else "Safety check... D'oh!",
        started=started,
        passed=passed,
        matrix_seed=seed,
        matrix_size=size,
        product_trace=sum(product[i][i] for i in range(size)),
        product_checksum=sum(map(sum, product)),
    )


async def clock_in_task(ctx: TaskContext) -> dict[str, Any]:
    """Homer sorts the punch cards to find his own, late as usual."""
    started = time.perf_counter()
    seed = random.randrange(2**32)
    cards = await crunch(sorted_time_cards, seed, TIME_CARDS)
    await pause(ctx, 2, 4)
    minutes_late = random.randint(10, 45)
    badge_spot = random.choice(BADGE_SPOTS)
    return report(
        task="clock_in_task",
        character=CHARACTER,
        message=f"Clocked in {minutes_late} minutes late; badge was {badge_spot}.",
        started=started,
        minutes_late=minutes_late,
        badge_found=badge_spot,
        cards_seed=seed,
        cards_sorted=len(cards),
        earliest_card=cards[0],
        latest_card=cards[-1],
    )


async def go_to_moes_task(ctx: TaskContext) -> dict[str, Any]:
    """Homer heads to Moe's Tavern for a few Duffs."""
    started = time.perf_counter()
    await pause(ctx, 5, 10)
    duffs = random.randint(2, 9)
    tab = round(duffs * 2.5 + random.choice((0.0, 1.25, 3.0)), 2)
    return report(
        task="go_to_moes_task",
        character=CHARACTER,
        message=f"Had {duffs} Duffs at Moe's; put ${tab:.2f} on the tab.",
        started=started,
        duff_count=duffs,
        bar_tab=tab,
    )


async def rush_out_task(ctx: TaskContext) -> dict[str, Any]:
    """Homer is out the door the second the whistle blows."""
    started = time.perf_counter()
    seconds = await pause(ctx, 0.1, 0.5)
    return report(
        task="rush_out_task",
        character=CHARACTER,
        message="Out the door before the whistle stopped.",
        started=started,
        exit_seconds=round(seconds, 2),
    )


async def homer_sim_task(
    ctx: TaskContext, *, activity: Activity | None = None
) -> dict[str, Any]:
    """One of Homer's twenty ways to spend a shift (a quarter go wrong)."""
    started = time.perf_counter()
    activity = activity or random.choice(ACTIVITIES)
    seconds = await pause(ctx, 6, 12)
    if random.random() < SIM_FAILURE_RATE:
        raise SimulatedFailureError(f"D'oh! Homer botched it: {activity.lower()}")
    return report(
        task="homer_sim_task",
        character=CHARACTER,
        message=activity,
        started=started,
        activity=activity,
        seconds_wasted=round(seconds, 1),
    )


TASKS = (
    clock_in_task,
    eat_donut_task,
    nap_at_console_task,
    attempt_safety_check_task,
    rush_out_task,
    go_to_moes_task,
    homer_sim_task,
)
