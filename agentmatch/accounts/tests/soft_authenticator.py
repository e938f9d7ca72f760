"""A software WebAuthn authenticator, so tests run real registration and login ceremonies.

It does what a phone's platform authenticator does, with an EC P-256 key in memory:
"none" attestation for navigator.credentials.create() and an ECDSA-SHA256 assertion for
navigator.credentials.get(), both returned in the JSON shape passkeys.js posts.
"""

import json
import os
import struct
from base64 import urlsafe_b64encode
from hashlib import sha256
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

FLAG_UP = 0x01
FLAG_UV = 0x04
FLAG_AT = 0x40
AAGUID = bytes.fromhex("00112233445566778899aabbccddeeff")


def b64url(data: bytes) -> str:
    return urlsafe_b64encode(data).rstrip(b"=").decode()


class SoftAuthenticator:
    def __init__(self, *, rp_id: str = "127.0.0.1", origin: str = "http://127.0.0.1:8000"):
        self.rp_id = rp_id
        self.origin = origin
        self.credential_id = os.urandom(32)
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.sign_count = 0
        self.user_handle: bytes | None = None

    def cose_public_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        # COSE_Key: kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y.
        return cbor2.dumps(
            {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def _authenticator_data(self, *, flags: int, attested: bool, rp_id: str | None) -> bytes:
        data = sha256((rp_id or self.rp_id).encode()).digest()
        data += bytes([flags]) + struct.pack(">I", self.sign_count)
        if attested:
            data += AAGUID + struct.pack(">H", len(self.credential_id)) + self.credential_id
            data += self.cose_public_key()
        return data

    def _client_data(self, *, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin or self.origin}
        ).encode()

    def create(
        self,
        options: dict[str, Any],
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        flags: int = FLAG_UP | FLAG_UV | FLAG_AT,
    ) -> dict[str, Any]:
        """navigator.credentials.create(): options as the server sent them (base64url)."""
        user_id = options["user"]["id"]
        self.user_handle = user_id.encode()  # kept base64url, as the browser returns it
        client_data = self._client_data(
            kind="webauthn.create", challenge=options["challenge"], origin=origin
        )
        attestation = cbor2.dumps(
            {
                "fmt": "none",
                "attStmt": {},
                "authData": self._authenticator_data(flags=flags, attested=True, rp_id=rp_id),
            }
        )
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal", "hybrid"],
            },
        }

    def get(
        self,
        options: dict[str, Any],
        *,
        origin: str | None = None,
        sign_count: int | None = None,
        signer: ec.EllipticCurvePrivateKey | None = None,
        flags: int = FLAG_UP | FLAG_UV,
    ) -> dict[str, Any]:
        """navigator.credentials.get(): counts up by one unless told which count to report."""
        self.sign_count = self.sign_count + 1 if sign_count is None else sign_count
        auth_data = self._authenticator_data(flags=flags, attested=False, rp_id=None)
        client_data = self._client_data(
            kind="webauthn.get", challenge=options["challenge"], origin=origin
        )
        signature = (signer or self.private_key).sign(
            auth_data + sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": self.user_handle.decode() if self.user_handle else None,
            },
        }
