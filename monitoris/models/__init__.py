"""All models, importable from one place (and all registered before Alembic compares)."""

from monitoris.models.act import ACT_KINDS, ACT_STATES, Act
from monitoris.models.analysis import AnalysisItem
from monitoris.models.assignment import (
    ASSIGNMENT_ROLES,
    CLOSED_STATES,
    COMMENT_REQUIRED,
    OPEN_STATES,
    STATES,
    TRANSITIONS,
    Assignment,
)
from monitoris.models.document import DOCUMENT_PURPOSES, Document
from monitoris.models.event import GENESIS_HASH, Event
from monitoris.models.extension import EXTENSION_DECISIONS, ExtensionRequest
from monitoris.models.instruction import AWAITING_ANSWER, INSTRUCTION_KINDS, INSTRUCTION_STATES, Instruction
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
from monitoris.models.report import REPORT_STATES, Report
from monitoris.models.security import LoginAttempt, PasswordResetToken, RecoveryCode, SecurityPolicy
from monitoris.models.task import PRIORITIES, RECURRENCES, EvidenceRequirement, Stage, Task
from monitoris.models.token import ApiToken
from monitoris.models.user import GLOBAL_ROLES, LOCALES, ROLES, LoginSession, User, UserRole

__all__ = [
    "ACT_KINDS", "ACT_STATES", "ASSIGNMENT_ROLES", "Act", "AnalysisItem", "ApiToken", "Assignment", "CHANNELS",
    "CLOSED_STATES", "COMMENT_REQUIRED", "Event", "EvidenceRequirement", "GENESIS_HASH", "GLOBAL_ROLES",
    "Holiday", "JobState", "KINDS", "LOCALES", "LoginAttempt", "LoginSession", "Notification", "NotificationPreference",
    "OPEN_STATES",
    "ORGANIZATION_KINDS", "Organization", "PRIORITIES", "PasswordResetToken", "RECURRENCES", "ROLES", "RecoveryCode",
    "STATES", "SecurityPolicy", "Stage",
    "TRANSITIONS", "Task", "User", "UserRole", "Webhook",
]
__all__ += [
    "AWAITING_ANSWER", "DOCUMENT_PURPOSES", "Document", "EXTENSION_DECISIONS", "ExtensionRequest", "INSTRUCTION_KINDS",
    "INSTRUCTION_STATES", "Instruction", "REPORT_STATES", "Report",
]
