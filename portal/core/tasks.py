"""Background tasks of the core app. Tasks take ids and call a function that does the work."""

from django_tasks import task

from . import emails


@task()
def deliver_email(email_id: int) -> str:
    return emails.deliver(email_id)
