"""Sending Celery tasks from web requests without letting a broker outage reach the person.

Every task a write sends goes through `send_after_commit` (or `send`, when already after the
commit): the task is published only once the transaction has committed, with two quick retries;
if the broker still cannot be reached, the failure is logged and swallowed. The data is saved
either way, and each kind of task has a periodic recovery that finds the work left undone (the
analysis and music recovery tasks, the hourly alert evaluation) and sends it again.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)

# Publishing a task must not hang the page when Redis is down: two quick tries, then give up and
# leave the work to the recovery task.
RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.2}


def broker_errors() -> tuple[type[BaseException], ...]:
    """What publishing raises when the broker is down or unreachable."""
    from kombu.exceptions import OperationalError as KombuOperationalError

    errors: list[type[BaseException]] = [KombuOperationalError, ConnectionError, OSError]
    try:
        from redis.exceptions import RedisError

        errors.append(RedisError)
    except ImportError:  # pragma: no cover - redis is in requirements
        pass
    return tuple(errors)


def send(task, *args, **kwargs) -> bool:
    """Publish `task` now; False (logged) when the broker cannot be reached."""
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=True, retry_policy=RETRY_POLICY)
    except broker_errors() as error:
        logger.warning("Could not send %s%s to the broker (%s); recovery will send it again",
                       task.name, args or kwargs or "", error)
        return False
    return True


def send_after_commit(task, *args, **kwargs) -> None:
    """Publish `task` once the current transaction commits (at once outside one); never raises
    for a broker outage."""
    transaction.on_commit(partial(send, task, *args, **kwargs))
