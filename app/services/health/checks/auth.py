"""Authentication: accounts, token settings, and whether the key is strong."""

from sqlalchemy import func, select
from sqlmodel import col

from app.core.config import Settings
from app.core.db import Database
from app.models.user import User
from app.services.health.tree import Component, Status


async def check_auth(database: Database, settings: Settings) -> Component:
    query = select(
        func.count().label("users"),
        func.count().filter(col(User.is_active)).label("active"),
        func.count().filter(col(User.is_admin)).label("admins"),
    ).select_from(User)
    async with database.autocommit_engine.connect() as connection:
        counts = (await connection.execute(query)).mappings().one()
    strong = settings.secret_key_is_strong
    if not strong:
        status = Status.WARNING if settings.is_prod else Status.INFO
        message = "the development secret key is in use"
    elif counts["admins"] == 0:
        status, message = Status.INFO, "no administrator yet"
    else:
        status, message = Status.HEALTHY, f"{counts['users']} accounts"
    return Component(
        status=status,
        message=message,
        metadata={
            "users": counts["users"],
            "active_users": counts["active"],
            "admins": counts["admins"],
            "algorithm": settings.JWT_ALGORITHM,
            "token_lifetime_minutes": settings.ACCESS_TOKEN_EXPIRE_MINUTES,
            "secret_key_strong": strong,
            "registration_open": settings.registration_open,
        },
    )
