"""Talking to the leading scheduler through Redis: its heartbeat, and commands.

The webserver and the CLI never touch APScheduler's job store. They read the
leader's heartbeat, and send pause, resume and trigger commands on a Redis
stream; the leader answers each on a reply list that the sender waits on.
"""

import json
import uuid
from typing import Any

from redis.asyncio import Redis

from app.core.redis import reply

COMMANDS = "sector7g:scheduler:commands"
LEADER = "sector7g:scheduler:leader"
COMMANDS_KEPT = 1_000
REPLY_TTL_S = 60
ACTIONS = ("pause", "resume", "trigger")


def reply_key(command_id: str) -> str:
    return f"sector7g:scheduler:reply:{command_id}"


def standby_key(instance: str) -> str:
    return f"sector7g:scheduler:standby:{instance}"


class SchedulerUnavailableError(Exception):
    """No scheduler leads, or the leader did not answer in time."""


class SchedulerCommandError(Exception):
    """The leader refused the command; `code` says why (e.g. not_found)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


class SchedulerControl:
    def __init__(self, redis: Redis, *, answer_timeout_s: int = 4) -> None:
        self.redis = redis
        self.answer_timeout_s = answer_timeout_s

    async def leader(self) -> dict[str, Any] | None:
        """The leader's last heartbeat, or None when no scheduler leads."""
        raw = await self.redis.get(LEADER)
        return json.loads(raw) if raw else None

    async def send(self, action: str, job_id: str, *, by: str) -> dict[str, Any]:
        """Send a command and wait for the leader's answer."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if await self.leader() is None:
            raise SchedulerUnavailableError("no scheduler is running")
        command_id = uuid.uuid4().hex
        command = {"id": command_id, "action": action, "job_id": job_id, "by": by}
        await self.redis.xadd(
            COMMANDS, {"data": json.dumps(command)}, maxlen=COMMANDS_KEPT
        )
        answer = await reply(
            self.redis.blpop([reply_key(command_id)], timeout=self.answer_timeout_s)
        )
        if answer is None:
            raise SchedulerUnavailableError("the scheduler did not answer in time")
        outcome = json.loads(answer[1])
        if not outcome["ok"]:
            raise SchedulerCommandError(outcome["error"], code=outcome["code"])
        return outcome


async def newest_command_id(redis: Redis) -> str:
    """Where a new leader starts reading commands: after the newest one sent.

    The leader then reads on from the last id it saw. XREAD's "$" would skip
    a command sent between two reads, or before the first one: the sender,
    seeing the leader's heartbeat, may send at once."""
    newest = await reply(redis.xrevrange(COMMANDS, count=1))
    return newest[0][0] if newest else "0-0"


async def answer(redis: Redis, command_id: str, outcome: dict[str, Any]) -> None:
    """The leader's side: post the outcome where the sender waits for it."""
    async with redis.pipeline(transaction=True) as pipeline:
        pipeline.rpush(reply_key(command_id), json.dumps(outcome, default=str))
        pipeline.expire(reply_key(command_id), REPLY_TTL_S)
        await pipeline.execute()
