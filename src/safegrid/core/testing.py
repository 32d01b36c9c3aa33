"""Test helpers every app may use (core imports no app): the test password, the system actor, users,
and `Leaks`, what an app's world extension returns (see `safegrid.testworld`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from safegrid.core.audit import SystemActor
from safegrid.core.models import RoleAssignment, User

PASSWORD = "test-password-123"
SYSTEM = SystemActor("tests")


def make_user(username: str, *roles: dict, display_name: str = "") -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, display_name=display_name or username
    )
    for role in roles:
        RoleAssignment.objects.create(user=user, **role)
    return user


@dataclass
class Leaks:
    """What an app's `extend_world(world)` adds for town B / enterprise B.

    `markers`: text (names, numbers) that must never appear in a response to a user of town A;
    `area_markers`: text a regulator who sees town B's divisions (not its enterprises) may see;
    `ids`: path-parameter values, by parameter name (`point_id`, `pk`, `job_id`, `uuid`, …), that the
    scope walk fills into every URL and API route besides the ids it finds itself; for a word parameter
    (`<slug:action>`, `<str:tier>`) the words the views accept, so every action is walked.
    """

    markers: list[str] = field(default_factory=list)
    area_markers: list[str] = field(default_factory=list)
    ids: dict[str, list[Any]] = field(default_factory=dict)

    def add_ids(self, name: str, *values: Any) -> None:
        self.ids.setdefault(name, []).extend(values)
