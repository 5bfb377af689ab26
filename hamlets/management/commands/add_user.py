import getpass
import os

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hamlets.models import Commune, District, Profile, Province, Role


class Command(BaseCommand):
    help = (
        "Tạo tài khoản cá nhân với vai trò và phạm vi. Mật khẩu lấy từ biến NEW_USER_PASSWORD hoặc hỏi trên màn hình."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[choice.value for choice in Role])
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--district", help="mã huyện (cán bộ huyện)")
        scope.add_argument("--commune", help="mã xã (tài khoản cấp xã)")
        scope.add_argument("--province", help="mã tỉnh (cán bộ, lãnh đạo một tỉnh; bỏ trống: toàn bộ)")

    def handle(self, *args, username, role, district, commune, province=None, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"username: tài khoản “{username}” đã có.")
        district_obj = commune_obj = province_obj = None
        if role == Role.DISTRICT_STAFF:
            if not (district or commune):
                raise CommandError("--district hoặc --commune: cán bộ huyện cần một phạm vi.")
            if district:
                district_obj = District.objects.filter(code=district).first()
                if district_obj is None:
                    raise CommandError(f"--district: không có huyện “{district}”.")
            else:
                commune_obj = Commune.objects.filter(code=commune).first()
                if commune_obj is None:
                    raise CommandError(f"--commune: không có xã “{commune}”.")
        elif district or commune:
            raise CommandError("--district/--commune: chỉ dùng cho vai trò district_staff.")
        if province:
            if role not in (Role.PROVINCIAL_VIEWER, Role.PROVINCIAL_APPROVER):
                raise CommandError("--province: chỉ dùng cho vai trò provincial_viewer và provincial_approver.")
            province_obj = Province.objects.filter(code=province).first()
            if province_obj is None:
                raise CommandError(f"--province: không có tỉnh “{province}”.")
        password = os.environ.get("NEW_USER_PASSWORD") or getpass.getpass("Mật khẩu: ")
        user = User(username=username)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("Mật khẩu: " + " ".join(exc.messages)) from exc
        with transaction.atomic():
            user.set_password(password)
            user.is_staff = role == Role.ADMIN
            user.is_superuser = role == Role.ADMIN
            user.save()
            Profile.objects.create(
                user=user, role=role, district=district_obj, commune=commune_obj, province=province_obj
            )
        self.stdout.write(self.style.SUCCESS(f"Đã tạo tài khoản {username} ({role})."))
