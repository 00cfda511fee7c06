"""Field-level permission helpers; objects and lists are checked in the services."""

from __future__ import annotations

import strawberry


def is_staff(info: strawberry.Info) -> bool:
    return info.context.actor.user is not None
