"""The workspace's worker job (registered in WorkspaceConfig.ready())."""

from datetime import datetime

from agentmatch.workspace.actions import send_due_contact_reminder


def contact_reminder_job(now: datetime) -> bool:
    return send_due_contact_reminder(now=now)
