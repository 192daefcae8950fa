"""newsbot: a self-hosted Telegram news assistant."""

__version__ = "0.1.0"
