"""`ansinh worker`: the django-tasks-db worker (`db_worker`), processing every queue unless
told otherwise. Run as many as needed, on as many machines; they claim tasks with row locks."""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "Chạy tiến trình xử lý tác vụ nền / run a background task worker (db_worker)"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*")
