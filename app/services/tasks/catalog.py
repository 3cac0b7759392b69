"""Which tasks exist, on which queue, and what arguments each takes.

Tasks are plain async functions `task(ctx, *, option=default, ...)`; the
options' type hints are the contract the enqueue path validates against.
"""

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, get_type_hints

if TYPE_CHECKING:  # pydantic loads where options are validated: not in workers
    from pydantic import BaseModel, ValidationError

TaskFunction = Callable[..., Awaitable[Any]]


class TaskLookupError(Exception):
    """No such task or queue, or the task runs on another queue."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


class TaskArgumentsError(Exception):
    """The options given do not fit the task; `errors` names each one."""

    def __init__(self, error: "ValidationError") -> None:
        self.errors = [
            {"field": ".".join(map(str, e["loc"])), "message": e["msg"]}
            for e in error.errors()
        ]
        super().__init__(
            "; ".join(f"{e['field']}: {e['message']}" for e in self.errors)
        )


@dataclass(frozen=True)
class TaskSpec:
    name: str
    queue: str
    function: TaskFunction

    @property
    def description(self) -> str:
        return (inspect.getdoc(self.function) or "").split("\n", 1)[0]

    @cached_property
    def options(self) -> "type[BaseModel]":
        """A model of the task's keyword options, extra names forbidden."""
        from pydantic import ConfigDict, create_model

        hints = get_type_hints(self.function)
        fields: dict[str, Any] = {
            name: (hints.get(name, Any), parameter.default)
            for name, parameter in inspect.signature(self.function).parameters.items()
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY
        }
        return create_model(
            f"{self.name}_options",
            __config__=ConfigDict(extra="forbid"),
            **fields,
        )

    def validate_options(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Options coerced to their types and JSON-ready; raises TaskArgumentsError."""
        from pydantic import ValidationError

        try:
            return self.options.model_validate(dict(values)).model_dump(
                mode="json", exclude_unset=True
            )
        except ValidationError as error:
            raise TaskArgumentsError(error) from None


class TaskCatalog:
    def __init__(self, tasks_by_queue: Mapping[str, Sequence[TaskFunction]]) -> None:
        self.queues: dict[str, tuple[TaskSpec, ...]] = {
            queue: tuple(TaskSpec(_name_of(task), queue, task) for task in tasks)
            for queue, tasks in tasks_by_queue.items()
        }
        self.tasks: dict[str, TaskSpec] = {}
        for specs in self.queues.values():
            for spec in specs:
                if spec.name in self.tasks:
                    raise ValueError(f"task {spec.name!r} is on two queues")
                self.tasks[spec.name] = spec

    def resolve(self, task: str, queue: str | None = None) -> TaskSpec:
        """The task, checked against `queue` when one is given."""
        if queue is not None and queue not in self.queues:
            raise TaskLookupError(f"no queue named {queue!r}", code="unknown_queue")
        spec = self.tasks.get(task)
        if spec is None:
            raise TaskLookupError(f"no task named {task!r}", code="unknown_task")
        if queue is not None and spec.queue != queue:
            raise TaskLookupError(
                f"task {task!r} runs on queue {spec.queue!r}, not {queue!r}",
                code="task_not_in_queue",
            )
        return spec


def _name_of(task: TaskFunction) -> str:
    return getattr(task, "__name__")  # a Callable type does not promise __name__
