"""Notifications: the outbox, reminders, the dispatcher and its channels (email, SMS, in-app)."""
