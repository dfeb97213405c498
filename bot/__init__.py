"""The Telegram bot: settings, rendering, handlers, application, entry points."""
