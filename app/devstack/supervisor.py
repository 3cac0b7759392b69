"""A small process supervisor for `sector-7g up`, on asyncio.

Programs start in the order given, each once the one before is ready (a
readiness probe, not a sleep). Their output is read line by line and written
with the program's name in front. A program that exits without being asked is
started again after a pause that doubles with each quick crash (1 s up to
30 s). Stopping goes in reverse order, stage by stage (the programs of a stage
together), within one time budget; what outlives it is killed.

Why not a library: honcho and the like run a Procfile but neither wait for
readiness nor restart; supervisord and circus are daemons with a
configuration language of their own. What `up` needs fits in this module.
"""

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

BACKOFF_FIRST_S = 1.0
BACKOFF_MAX_S = 30.0
# A run this long resets the backoff: the program was not crash-looping.
STABLE_AFTER_S = 60.0
READY_POLL_S = 0.1
# Of the stop budget, kept back for each stage that stops after the current.
STOP_RESERVE_S = 1.0
LINE_LIMIT = 1024 * 1024


class StartError(Exception):
    """A program exited, or did not become ready, while starting."""


@dataclass
class Program:
    name: str
    argv: list[str]
    env: Mapping[str, str] | None = None
    user: str | None = None
    # Called with the process id; true once the program serves. Runs in a
    # thread, so it may block briefly (a socket connect, an HTTP GET).
    ready: Callable[[int], bool] | None = None
    ready_timeout_s: float = 60.0
    stop_signal: signal.Signals = signal.SIGTERM
    # Programs of one stage stop together; stages stop last-started first.
    stage: int = 0


@dataclass
class Running:
    program: Program
    process: asyncio.subprocess.Process
    started_at: float = field(default_factory=time.monotonic)
    restarts: int = 0


class Supervisor:
    def __init__(self, write: Callable[[str], None], *, colour: bool = False) -> None:
        self.write = write
        self.colour = colour
        self.running: dict[str, Running] = {}
        self.stopping = False
        self._tasks: set[asyncio.Task] = set()
        self._width = 12

    def pid(self, name: str) -> int | None:
        running = self.running.get(name)
        if running is None or running.process.returncode is not None:
            return None
        return running.process.pid

    def say(self, name: str, line: str) -> None:
        label = f"{name:<{self._width}}"
        if self.colour:
            label = f"\x1b[{_colour_of(name)}m{label}\x1b[0m"
        self.write(f"{label} | {line}")

    async def run_once(self, program: Program) -> int:
        """Run a program to its end (a migration, say); its exit status."""
        self._width = max(self._width, len(program.name))
        process = await self._spawn(program)
        await self._pump(program.name, process)
        return await process.wait()

    async def start(self, program: Program) -> None:
        """Start a program and wait until it is ready; then keep it running."""
        self._width = max(self._width, len(program.name))
        process = await self._spawn(program)
        running = Running(program, process)
        self.running[program.name] = running
        self._spawn_task(self._pump(program.name, process))
        await self._until_ready(running)
        self._spawn_task(self._keep_running(running))

    async def stop_all(self, budget_s: float = 15.0) -> None:
        """Stop every program, last stage first, within `budget_s` in all."""
        self.stopping = True
        deadline = time.monotonic() + budget_s
        stages = sorted({r.program.stage for r in self.running.values()}, reverse=True)
        for index, stage in enumerate(stages):
            members = [r for r in self.running.values() if r.program.stage == stage]
            # Keep a little of the budget for each stage still to stop.
            later = len(stages) - index - 1
            timeout_s = deadline - time.monotonic() - STOP_RESERVE_S * later
            await asyncio.gather(*(self._stop(r, timeout_s) for r in members))
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _stop(self, running: Running, timeout_s: float) -> None:
        process = running.process
        if process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(running.program.stop_signal)
        try:
            await asyncio.wait_for(process.wait(), max(0.1, timeout_s))
        except TimeoutError:
            self.say(running.program.name, "did not stop in time; killing it")
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()

    async def _spawn(self, program: Program) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            *program.argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=dict(program.env) if program.env is not None else None,
            user=program.user,
            # Our terminal's Ctrl-C reaches us only; we stop children in order.
            start_new_session=True,
            limit=LINE_LIMIT,
        )

    async def _pump(self, name: str, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        while line := await process.stdout.readline():
            self.say(name, line.decode(errors="replace").rstrip())

    async def _until_ready(self, running: Running) -> None:
        program, process = running.program, running.process
        if program.ready is None:
            return
        deadline = time.monotonic() + program.ready_timeout_s
        while not await asyncio.to_thread(program.ready, process.pid):
            if process.returncode is not None:
                raise StartError(
                    f"{program.name} exited with status {process.returncode} "
                    "while starting"
                )
            if time.monotonic() > deadline:
                raise StartError(
                    f"{program.name} not ready after {program.ready_timeout_s:g} s"
                )
            await asyncio.sleep(READY_POLL_S)

    async def _keep_running(self, running: Running) -> None:
        backoff = BACKOFF_FIRST_S
        name = running.program.name
        while True:
            status = await running.process.wait()
            if self.stopping:
                return
            ran_s = time.monotonic() - running.started_at
            backoff = BACKOFF_FIRST_S if ran_s > STABLE_AFTER_S else backoff
            self.say(name, f"exited with status {status}; restarting in {backoff:g} s")
            await asyncio.sleep(backoff)
            if self.stopping:
                return
            backoff = min(backoff * 2, BACKOFF_MAX_S)
            try:
                running.process = await self._spawn(running.program)
            except OSError as error:
                self.say(name, f"could not restart: {error}")
                continue
            running.started_at = time.monotonic()
            running.restarts += 1
            self._spawn_task(self._pump(name, running.process))

    def _spawn_task(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _colour_of(name: str) -> int:
    """A stable ANSI foreground colour per program name."""
    return 31 + sum(name.encode()) % 6


def colour_wanted() -> bool:
    return os.isatty(1) and "NO_COLOR" not in os.environ
