import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from hamlets.exchange import import_path
from hamlets.models import Commune, District, Member, Profile, Role
from hamlets.permissions import role_label

# One account per role. The password is for a local demonstration only.
DEMO_ACCOUNTS = [
    ("quantri", Role.ADMIN, None, None),
    ("tinh_xem", Role.PROVINCIAL_VIEWER, None, None),
    ("tinh_duyet", Role.PROVINCIAL_APPROVER, None, None),
    ("huyen_quynhluu", Role.DISTRICT_STAFF, "QL", None),
    ("huyen_hoangmai", Role.DISTRICT_STAFF, "HM", None),
    ("xa_quynhthanh", Role.DISTRICT_STAFF, None, "QTH"),
    # Since the 2025 merger Quỳnh Thanh is part of the new commune of Quỳnh Văn.
    ("xa_quynhvan", Role.DISTRICT_STAFF, None, "QL2025-QVA"),
]


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu mẫu Quỳnh Lưu 2016 và các lần sắp xếp đến nay (nếu cơ sở dữ liệu còn trống), "
        "và tạo tài khoản mẫu cho từng vai trò."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only-2016", action="store_true", help="chỉ nạp dữ liệu năm 2016, không sắp xếp đơn vị về sau"
        )

    def handle(self, *args, only_2016=False, **options):
        if not Member.objects.exists():
            fixture = Path(settings.BASE_DIR) / "fixtures" / "demo"
            self.stdout.write(f"Nạp dữ liệu mẫu từ {fixture} …")
            result = import_path(fixture)
            if result.errors:
                raise CommandError("\n".join(str(e) for e in result.errors[:20]))
            self.stdout.write(f"Đã nạp {result.total_created} bản ghi.")
            if not only_2016:
                from coverage_site.lib.dates import today
                from hamlets.demo_history import continue_to_today

                self.stdout.write(
                    "Sắp xếp thôn, xóm 2019–2020, sáp nhập xã 1/7/2025, chia tách 2026 và hoạt động đến nay …"
                )
                events = continue_to_today(today())
                self.stdout.write(f"Đã áp dụng {len(events)} lần sắp xếp đơn vị.")
        password = os.environ.get("DEMO_PASSWORD", "chibo-demo-2016")
        User = get_user_model()
        self.stdout.write("Tài khoản mẫu (tên đăng nhập / mật khẩu / vai trò):")
        with transaction.atomic():
            for username, role, district, commune in DEMO_ACCOUNTS:
                user, _created = User.objects.get_or_create(username=username)
                user.set_password(password)
                user.is_staff = user.is_superuser = role == Role.ADMIN
                # Reminders (send_reminders) go to this address; example.org receives nothing.
                user.email = f"{username}@example.org"
                user.save()
                Profile.objects.update_or_create(
                    user=user,
                    defaults={
                        "role": role,
                        "district": District.objects.filter(code=district).first() if district else None,
                        "commune": Commune.objects.filter(code=commune).first() if commune else None,
                    },
                )
                scope = district or commune or "toàn tỉnh"
                with translation.override("vi"):
                    label = role_label(user)
                self.stdout.write(f"  {username:16} {password}  {label} ({scope})")
