"""arq's own per-job log lines, replaced by the worker's.

arq logs every job twice at INFO ("-> task()" and "<- task result", drawn
with arrows), without the queue and with the result's repr. The worker logs
one structured line per outcome instead, with the job id, queue, task and
status bound; so those two lines are dropped. arq's other lines (start-up,
failures with their tracebacks, shutdown) stay.
"""

import logging

# The start and finish templates of arq's per-job lines carry these arrows.
_PER_JOB_MARKS = ("\u2192", "\u2190")


class DropArqJobLines(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        template = record.msg
        return not (
            isinstance(template, str) and any(m in template for m in _PER_JOB_MARKS)
        )


def drop_arq_job_lines() -> None:
    logger = logging.getLogger("arq.worker")
    if not any(isinstance(f, DropArqJobLines) for f in logger.filters):
        logger.addFilter(DropArqJobLines())
