from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from adoption.models import Organisation
from adoption.services import api_client_create


class Command(BaseCommand):
    help = "Register an API client for one local authority and print its token (shown once only)."

    def add_arguments(self, parser):
        parser.add_argument("la", help="The LA's ONS code (e.g. E08000026) or DfE LA code (e.g. 331).")
        parser.add_argument("--name", required=True, help="What the client is, e.g. 'Coventry Mosaic'.")
        parser.add_argument("--days", type=int, default=90, help="Days until the token expires (default 90).")

    def handle(self, *args, la, name, days, **options):
        organisation = (
            Organisation.objects.filter(kind=Organisation.Kind.LA, is_active=True).filter(ons_code=la).first()
            or Organisation.objects.filter(kind=Organisation.Kind.LA, is_active=True, la_code=la).first()
        )
        if organisation is None:
            raise CommandError(f"No active local authority has the code {la!r}.")
        try:
            client, token = api_client_create(actor=None, organisation=organisation, name=name, days=days)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"API client '{client.name}' for {organisation.name}, expires {client.expires_at:%d %B %Y}.")
        self.stdout.write("Token (store it now: it is not kept and cannot be shown again):")
        self.stdout.write(token)
