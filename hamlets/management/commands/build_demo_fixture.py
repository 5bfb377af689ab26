from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from hamlets.demo import demo_tables
from hamlets.exchange.files import write_folder


class Command(BaseCommand):
    help = "Regenerate the demo data set (Quỳnh Lưu 2016) in fixtures/demo/ from hamlets/demo.py."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "fixtures" / "demo"))

    def handle(self, *args, output, **options):
        tables = demo_tables()
        write_folder(output, tables)
        for name, (_header, rows) in tables.items():
            self.stdout.write(f"{name}: {len(rows)}")
