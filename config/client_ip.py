"""The address a request comes from, as sign-in throttling counts it.

gunicorn passes on the address of whoever connected: behind the reverse proxy, the proxy's own.
The proxy appends the address it saw to X-Forwarded-For, so on a request from a proxy gunicorn
trusts (FORWARDED_ALLOW_IPS, as config/gunicorn.conf.py reads it) the header's last entry is
the client. Every entry before it the client may have written itself, so none of them counts.
"""

import ipaddress

from django.conf import settings


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
    if forwarded and is_ip(forwarded) and from_trusted_proxy(remote):
        return forwarded
    return remote if is_ip(remote) else None


def from_trusted_proxy(remote):
    trusted = settings.FORWARDED_ALLOW_IPS
    if "*" in trusted or not is_ip(remote):  # a Unix socket, whose peer gunicorn trusts too
        return True
    address = ipaddress.ip_address(remote)
    return any(address in ipaddress.ip_network(network, strict=False) for network in trusted)


def is_ip(text):
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
