"""Where a webhook may be sent: https to a public address; http only to this machine's
loopback, and that only with WEBHOOKS_ALLOW_LOOPBACK (development and tests).

Checked when a subscription is saved (the console says what is wrong) and again at each
delivery on the addresses the name resolves to then, and the connection goes to the
address that was checked (transport.py), so a name that later resolves to a private
address (DNS rebinding) reaches nothing inside.
"""

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


class AddressRefused(Exception):
    """A URL or an address a webhook may not go to; the message says why, in words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _is_loopback_host(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> SplitResult:
    """The URL split, or AddressRefused naming the problem (no network access)."""
    if len(url) > 500:
        raise AddressRefused(_("The URL is longer than 500 characters."))
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise AddressRefused(_("This is not a valid URL.")) from None
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise AddressRefused(_("Enter a full URL starting with https://."))
    if parts.username or parts.password:
        raise AddressRefused(_("The URL must not contain a user name or password."))
    if port == 0:
        raise AddressRefused(_("This is not a valid URL."))
    loopback = _is_loopback_host(host)
    if loopback and not settings.WEBHOOKS_ALLOW_LOOPBACK:
        raise AddressRefused(_("Webhooks cannot be sent to this machine (localhost)."))
    if parts.scheme == "http" and not loopback:
        raise AddressRefused(_("The URL must start with https://."))
    if parts.fragment:
        raise AddressRefused(_("The URL must not contain a fragment (#...)."))
    return parts


def check_address(address: str) -> None:
    """AddressRefused unless webhooks may connect to this IP address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.is_loopback and settings.WEBHOOKS_ALLOW_LOOPBACK:
        return
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if not ip.is_global or ip.is_multicast:
        raise AddressRefused(
            _(
                "The address %(address)s is private, local or reserved: "
                "webhooks go only to public addresses."
            )
            % {"address": address}
        )


def resolve(host: str, port: int) -> str:
    """The first address of `host` that webhooks may reach; AddressRefused if the name does
    not resolve or any of its addresses is refused (a name that mixes public and private
    addresses is refused whole)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise AddressRefused(
            _("The host name %(host)s does not resolve.") % {"host": host}
        ) from None
    addresses = [str(info[4][0]) for info in infos]
    for address in addresses:
        check_address(address)
    return addresses[0]
