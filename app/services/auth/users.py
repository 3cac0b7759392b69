"""User accounts: create, find, authenticate, change, remove.

The API and the CLI both come through here, so both hash, normalise and
enforce uniqueness the same way.
"""

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.db import Database
from app.core.security import hash_password_async, verify_password_async
from app.models.user import EMAIL_MAX_LENGTH, User, UserCreate, UserUpdate


class EmailTakenError(Exception):
    """Another account already uses this email (compared case-insensitively)."""


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def find_active_user(database: Database, user_id: int) -> User | None:
    """The active user with this id: one autocommit query, for every request
    that carries a token."""
    query = select(User).where(col(User.id) == user_id, col(User.is_active))
    async with database.autocommit_engine.connect() as connection:
        row = (await connection.execute(query)).first()
    # A table model's constructor does not validate: the row is trusted.
    return User(**row._mapping) if row else None


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    email = email.strip().lower()
    if "\x00" in email or len(email) > EMAIL_MAX_LENGTH:
        return None  # no account has it (and PostgreSQL's text cannot hold NUL)
    query = select(User).where(func.lower(User.email) == email)
    return (await session.exec(query)).first()


async def create_user(
    session: AsyncSession, data: UserCreate, *, is_admin: bool = False
) -> User:
    user = User(
        email=data.email,
        full_name=data.full_name,
        hashed_password=await hash_password_async(data.password),
        is_admin=is_admin,
    )
    session.add(user)
    await _commit_unique_email(session)
    await session.refresh(user)
    return user


async def authenticate(session: AsyncSession, email: str, password: str) -> User | None:
    """The user with this email and password, active or not, or None."""
    user = await get_user_by_email(session, email)
    hashed = user.hashed_password if user is not None else None
    if not await verify_password_async(password, hashed):
        return None
    return user


async def list_users(
    session: AsyncSession, *, offset: int = 0, limit: int | None = None
) -> list[User]:
    """Accounts, oldest first."""
    query = select(User).order_by(col(User.id)).offset(offset).limit(limit)
    return list((await session.exec(query)).all())


async def count_users(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(User))).one()


async def update_user(session: AsyncSession, user: User, changes: UserUpdate) -> User:
    values = changes.model_dump(exclude_unset=True)
    if (password := values.pop("password", None)) is not None:
        user.hashed_password = await hash_password_async(password)
    for field, value in values.items():
        if value is not None:
            setattr(user, field, value)
    session.add(user)
    await _commit_unique_email(session)
    await session.refresh(user)
    return user


async def delete_user(session: AsyncSession, user: User) -> None:
    await session.delete(user)
    await session.commit()


async def _commit_unique_email(session: AsyncSession) -> None:
    try:
        await session.commit()
    except IntegrityError as error:
        await session.rollback()
        if "uq_user_email_lower" in str(error.orig):
            raise EmailTakenError from None
        raise
