"""`/api/v1/auth`: accounts and tokens (account.py) and user management (users.py)."""
