"""The tasks django-tasks runs (settings.TASKS): one, which runs a Job
(hamlets/jobs.py). The job row, not the task, is what the user sees, so
moving to another task backend (Django 6's own tasks, a Redis worker)
changes settings only."""

from django_tasks import task


@task()
def run_job(token):
    from .jobs import execute

    execute(token)
