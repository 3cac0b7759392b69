"""Redis keys the app owns besides arq's own (`arq:*`), in one place.

All start with `sector7g:` so that an operator can tell them apart, and none
is ever evicted: Redis runs with `noeviction`.
"""

# The live event stream (XADD ... MAXLEN): job and worker events.
EVENTS = "sector7g:events"


def worker_alive(queue: str, worker_id: str) -> str:
    """Expires one heartbeat interval after a worker's last beat."""
    return f"sector7g:worker:{queue}:{worker_id}"


def worker_alive_pattern(queue: str) -> str:
    return f"sector7g:worker:{queue}:*"


def claims(queue: str) -> str:
    """Hash job id -> worker id of the jobs running on a queue."""
    return f"sector7g:claims:{queue}"


def queue_stats(queue: str) -> str:
    """Hash of a queue's outcome counters since the stats were last reset."""
    return f"sector7g:stats:{queue}"


def interruptions(job_id: str) -> str:
    """How often a job's attempt was cut short by its worker dying or stopping."""
    return f"sector7g:interrupted:{job_id}"


def cancel_request(job_id: str) -> str:
    """Set while a running job is being cancelled, so its worker can tell a
    cancellation from a shutdown."""
    return f"sector7g:cancel:{job_id}"


# arq's own keys that we touch: the marker of a running job, which we delete
# when its worker has died so that the job runs again at once.
def arq_in_progress(job_id: str) -> str:
    return f"arq:in-progress:{job_id}"


def arq_job(job_id: str) -> str:
    return f"arq:job:{job_id}"
