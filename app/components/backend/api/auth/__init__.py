"""`/api/v1/auth`: accounts and tokens (account.py) and user management (users.py)."""

from fastapi import APIRouter

from app.components.backend.api.auth import account, users

router = APIRouter(prefix="/auth", tags=["auth"])
router.include_router(account.router)
router.include_router(users.router)
