"""All models, importable from one place (and all registered before Alembic compares)."""

from monitoris.models.act import ACT_KINDS, ACT_STATES, Act
from monitoris.models.assignment import (
    ASSIGNMENT_ROLES,
    CLOSED_STATES,
    COMMENT_REQUIRED,
    OPEN_STATES,
    STATES,
    TRANSITIONS,
    Assignment,
)
from monitoris.models.event import GENESIS_HASH, Event
from monitoris.models.notification import (
    CHANNELS,
    KINDS,
    Holiday,
    JobState,
    Notification,
    NotificationPreference,
    Webhook,
)
from monitoris.models.organization import ORGANIZATION_KINDS, Organization
from monitoris.models.task import PRIORITIES, RECURRENCES, EvidenceRequirement, Stage, Task
from monitoris.models.token import ApiToken
from monitoris.models.user import GLOBAL_ROLES, LOCALES, ROLES, LoginSession, User, UserRole

__all__ = [
    "ACT_KINDS", "ACT_STATES", "ASSIGNMENT_ROLES", "Act", "ApiToken", "Assignment", "CHANNELS",
    "CLOSED_STATES", "COMMENT_REQUIRED", "Event", "EvidenceRequirement", "GENESIS_HASH", "GLOBAL_ROLES",
    "Holiday", "JobState", "KINDS", "LOCALES", "LoginSession", "Notification", "NotificationPreference", "OPEN_STATES",
    "ORGANIZATION_KINDS", "Organization", "PRIORITIES", "RECURRENCES", "ROLES", "STATES", "Stage",
    "TRANSITIONS", "Task", "User", "UserRole", "Webhook",
]
