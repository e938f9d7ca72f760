"""`agentmatch vapid-keys`: a new VAPID key pair for Web Push, printed as env lines."""

import base64
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management.base import BaseCommand


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def new_vapid_keys() -> tuple[str, str]:
    """(public, private): the public key as browsers take it (applicationServerKey, an
    uncompressed P-256 point), the private key as the raw 32-byte scalar; both base64url."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    private = key.private_numbers().private_value.to_bytes(32, "big")
    return b64url(public), b64url(private)


class Command(BaseCommand):
    help = "Generate a VAPID key pair for Web Push and print it as environment lines."

    def handle(self, *args: Any, **options: Any) -> None:
        public, private = new_vapid_keys()
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}")
        self.stdout.write(f"VAPID_PRIVATE_KEY={private}")
        self.stdout.write("# Keep the private key secret; changing keys ends all subscriptions.")
