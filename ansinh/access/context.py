"""Who is acting, through which request or job. Audit rows read it; nothing else should."""

import contextvars
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ActorContext:
    user_id: int | None = None
    username: str = ""
    source: str = "system"  # web, api, cli, import, task, system
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    ip: str | None = None
    import_batch_id: int | None = None


_current: contextvars.ContextVar[ActorContext] = contextvars.ContextVar(
    "ansinh_actor", default=ActorContext()  # noqa: B039 (a frozen dataclass: immutable)
)


def current() -> ActorContext:
    return _current.get()


@contextmanager
def acting(**values):
    """Run a block as a given actor: `with acting(user_id=u.pk, username=u.username, source='cli')`."""
    base = _current.get()
    merged = {**base.__dict__, **values}
    if "request_id" not in values:
        merged["request_id"] = uuid.uuid4().hex
    token = _current.set(ActorContext(**merged))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def acting_as(user, source: str, **extra):
    return acting(
        user_id=getattr(user, "pk", None), username=getattr(user, "username", ""),
        source=source, **extra,
    )
