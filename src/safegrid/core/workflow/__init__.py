"""The status-workflow kit: declare a workflow once, move objects with `transition()`.

    from safegrid.core.workflow import NEW, Step, Workflow, create, has_role, transition

See docs/architecture.md, "Status workflows: how a new app declares one".
"""

from .declaration import (
    Hook,
    Permission,
    Step,
    TransitionEvent,
    TransitionNotAllowed,
    Workflow,
    anyone,
    by_scope,
    has_role,
    nobody,
)
from .log import TransitionLog
from .service import create, transition
from .table import NEW, TransitionTable

__all__ = [
    "NEW",
    "Hook",
    "Permission",
    "Step",
    "TransitionEvent",
    "TransitionLog",
    "TransitionNotAllowed",
    "TransitionTable",
    "Workflow",
    "anyone",
    "by_scope",
    "create",
    "has_role",
    "nobody",
    "transition",
]
