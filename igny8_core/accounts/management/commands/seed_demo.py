"""Create (or top up) the demo account, user, site and keyword set. Safe to run again."""

from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from igny8_core.accounts.demo_data import DEMO_KEYWORDS
from igny8_core.accounts.models import Account, Site, User
from igny8_core.automation.models import AutomationConfig
from igny8_core.billing.models import CreditTransaction
from igny8_core.billing.services import CreditService
from igny8_core.planner.models import Keywords

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password"
DEMO_CREDITS = Decimal("1000")


class Command(BaseCommand):
    help = "Create the demo account (user 'demo'), a site, 1000 credits and 64 keywords. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEMO_PASSWORD, help="Password for the demo user.")
        parser.add_argument("--quiet", action="store_true", help="Print nothing but errors.")
        parser.add_argument(
            "--top-up",
            action="store_true",
            help=f"Bring the demo account's balance back up to {DEMO_CREDITS} credits (after a few runs spent them).",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        account, _ = Account.objects.get_or_create(name="Demo account")
        user = User.objects.filter(username=DEMO_USERNAME).first()
        if user is None:
            user = User.objects.create_user(
                DEMO_USERNAME, email="demo@example.com", password=options["password"], account=account
            )
        elif user.account_id != account.pk:
            self.stderr.write(f"User '{DEMO_USERNAME}' already exists in another account; left untouched.")
            return
        site, _ = Site.objects.get_or_create(
            account=account,
            domain="demo-lifestyle.example.com",
            defaults={
                "name": "Demo Lifestyle Blog",
                "topic": "coffee, gardening, running and personal finance for busy people",
                "timezone": "UTC",
            },
        )
        # One grant, ever: the idempotency key makes re-seeding a no-op for credits.
        CreditService.add(
            account, DEMO_CREDITS, CreditTransaction.Type.GRANT, "Demo credits", idempotency_key="seed_demo:grant"
        )
        if options["top_up"]:
            missing = DEMO_CREDITS - CreditService.balance(account)
            if missing > 0:
                CreditService.add(account, missing, CreditTransaction.Type.GRANT, "Demo credits top-up")
        # The offline demo provider needs no rate limiting: without the default 3 s / 5 s pauses a
        # demo run takes under a minute instead of ~15. Only on first creation: user changes stay.
        AutomationConfig.objects.get_or_create(
            site=site, defaults={"account": account, "within_stage_delay": 0, "between_stage_delay": 1}
        )
        existing = {k.lower() for k in Keywords.objects.filter(site=site).values_list("keyword", flat=True)}
        new_rows = [
            Keywords(account=account, site=site, keyword=kw, volume=vol, difficulty=diff, intent=intent)
            for kw, vol, diff, intent in DEMO_KEYWORDS
            if kw.lower() not in existing
        ]
        Keywords.objects.bulk_create(new_rows)
        if not options["quiet"]:
            account.refresh_from_db()
            self.stdout.write(self.style.SUCCESS("Demo data ready."))
            self.stdout.write(f"  login:    {DEMO_USERNAME} / {options['password']}")
            self.stdout.write(f"  site:     {site.name} (id {site.pk})")
            self.stdout.write(f"  keywords: {Keywords.objects.filter(site=site).count()} ({len(new_rows)} new)")
            self.stdout.write(f"  credits:  {account.credits_balance}")
