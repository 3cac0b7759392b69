"""User management, for administrators only."""

from collections.abc import Generator
from contextlib import contextmanager

from fastapi import Response

from app.components.backend.api.deps import AdminUser, ResourcesDep, SessionDep
from app.components.backend.api.params import PageLimit, PageOffset, UserId
from app.components.backend.api.route_table import RouteTable
from app.components.backend.errors import ApiError
from app.models.user import User, UserPage, UserPublic, UserUpdate
from app.services.auth import users
from app.services.auth.accounts import (
    Accounts,
    AccountsUnavailableError,
    SelfLockoutError,
    UserNotFoundError,
)

routes = RouteTable("/users", tags=["auth"])


@routes.get("", response_model=UserPage)
async def list_users(
    admin: AdminUser,
    session: SessionDep,
    offset: PageOffset = 0,
    limit: PageLimit = 25,
):
    """List accounts, oldest first."""
    items = await users.list_users(session, offset=offset, limit=limit)
    return UserPage(
        items=[UserPublic.model_validate(user) for user in items],
        total=await users.count_users(session),
        offset=offset,
        limit=limit,
    )


@routes.get("/{user_id}", response_model=UserPublic)
async def get_user(user_id: UserId, admin: AdminUser, session: SessionDep):
    """One account."""
    user = await users.get_user(session, user_id)
    if user is None:
        raise ApiError(404, str(UserNotFoundError(user_id)))
    return user


@routes.patch("/{user_id}", response_model=UserPublic)
async def update_user(
    user_id: UserId, changes: UserUpdate, admin: AdminUser, resources: ResourcesDep
) -> User:
    """Change an account's email, name, password, activity or admin flag."""
    with _refusals():
        return await _accounts(resources).update(admin, user_id, changes)


@routes.post("/{user_id}/activate", response_model=UserPublic)
async def activate_user(user_id: UserId, admin: AdminUser, resources: ResourcesDep):
    """Allow an account to log in again."""
    with _refusals():
        return await _accounts(resources).activate(admin, user_id)


@routes.post("/{user_id}/deactivate", response_model=UserPublic)
async def deactivate_user(user_id: UserId, admin: AdminUser, resources: ResourcesDep):
    """Stop an account from logging in; its tokens stop working at once."""
    with _refusals():
        return await _accounts(resources).deactivate(admin, user_id)


@routes.delete("/{user_id}", status_code=204)
async def delete_user(user_id: UserId, admin: AdminUser, resources: ResourcesDep):
    """Remove an account."""
    with _refusals():
        await _accounts(resources).delete(admin, user_id)
    return Response(status_code=204)


def _accounts(resources: ResourcesDep) -> Accounts:
    return Accounts(resources.database, resources.principals)


@contextmanager
def _refusals() -> Generator[None]:
    """The service's refusals as API errors."""
    try:
        yield
    except UserNotFoundError as error:
        raise ApiError(404, str(error)) from None
    except SelfLockoutError as error:
        raise ApiError(409, str(error), code="self_lockout") from None
    except AccountsUnavailableError as error:
        raise ApiError(503, str(error)) from None
    except users.EmailTakenError:
        raise ApiError(409, "Email already registered", code="email_taken") from None
