"""`safegrid demo_logins`: print the demo usernames, their roles and the shared password."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from safegrid.core.choices import Role
from safegrid.core.models import User
from safegrid.demo import builders


class Command(BaseCommand):
    help = "列出演示账号、角色和密码 / List the demo logins, their roles and the password."

    def handle(self, *args: Any, **options: Any) -> None:
        existing = set(
            User.objects.filter(username__in=builders.demo_usernames()).values_list("username", flat=True)
        )
        self.stdout.write("演示账号 / Demo logins")
        self.stdout.write(f"密码（全部账号）/ password (all accounts): {settings.SAFEGRID_DEMO_PASSWORD}")
        if not existing:
            self.stdout.write(
                "尚未生成演示数据，请先运行 safegrid demo / no demo data yet: run `safegrid demo` first"
            )
        self.stdout.write("")
        width = max(len(login.username) for login in builders.iter_logins())
        for login in builders.iter_logins():
            marker = "" if login.username in existing else "  （未创建 / missing）"
            role = Role(login.role)
            self.stdout.write(
                f"  {login.username:<{width}}  {role.label}（{role.value}）  {login.description} / "
                f"{login.description_en}{marker}"
            )
