"""The `user` table and the shapes users take in the API."""

from datetime import datetime

from pydantic import EmailStr
from sqlalchemy import Column, DateTime, Index, false, func, text, true
from sqlmodel import Field, SQLModel

# Argon2 handles any length; the cap only stops a megabyte "password" from
# costing a hash. 1024 characters leaves every passphrase room.
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 1024
EMAIL_MAX_LENGTH = 320


def _timestamp_column(*, on_update: bool) -> Column:
    return Column(
        DateTime(timezone=True),
        nullable=False,
        server_default=func.now(),
        onupdate=func.now() if on_update else None,
    )


class UserBase(SQLModel):
    email: EmailStr = Field(max_length=EMAIL_MAX_LENGTH)
    full_name: str | None = Field(default=None, max_length=255)


class User(UserBase, table=True):
    __tablename__ = "user"  # type: ignore[assignment]
    # Emails are unique whatever their case; lookups use lower(email) too.
    __table_args__ = (Index("uq_user_email_lower", text("lower(email)"), unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    hashed_password: str
    is_active: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    is_admin: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime | None = Field(
        default=None, sa_column=_timestamp_column(on_update=False)
    )
    updated_at: datetime | None = Field(
        default=None, sa_column=_timestamp_column(on_update=True)
    )


class UserCreate(UserBase):
    password: str = Field(
        min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH
    )


class UserUpdate(SQLModel):
    email: EmailStr | None = Field(default=None, max_length=EMAIL_MAX_LENGTH)
    full_name: str | None = Field(default=None, max_length=255)
    password: str | None = Field(
        default=None, min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH
    )
    is_active: bool | None = None
    is_admin: bool | None = None


class UserPublic(SQLModel):
    """An account as the API shows it. Its email was checked on the way in;
    checking it again on every way out costs each request dearly."""

    email: str = Field(
        max_length=EMAIL_MAX_LENGTH,
        schema_extra={"json_schema_extra": {"format": "email"}},
    )
    full_name: str | None = Field(default=None, max_length=255)
    id: int
    is_active: bool
    is_admin: bool
    created_at: datetime
    updated_at: datetime


class UserPage(SQLModel):
    items: list[UserPublic]
    total: int
    offset: int
    limit: int
