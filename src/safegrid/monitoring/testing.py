"""The monitoring app's part of the test world (see safegrid.testworld), one function per area."""

from __future__ import annotations

from typing import TYPE_CHECKING

from safegrid.core.testing import Leaks

from .testing_points import add_points

if TYPE_CHECKING:
    from safegrid.testworld import World


def extend_world(world: World) -> Leaks:
    leaks = Leaks()
    add_points(world, leaks)
    return leaks
