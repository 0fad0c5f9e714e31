"""Schemathesis hooks for `scripts/schemathesis.sh`: sign each request as the vendor's docs say.

Written apart from payspec's runtime on purpose: the sandbox recomputes every signature, so a
request signed here and accepted there shows that the sandbox checks what the docs describe, not
what payspec's own signer happens to send.

The vendor is chosen by PAYSPEC_ST_VENDOR; its demo credentials are the sandbox's
(`demo-<vendor>-<credential>`). Signing happens in a requests auth object, because only there
are the exact body bytes known (after Schemathesis has serialised the case).
"""

import hashlib
import hmac
import json
import os
import time

import schemathesis

VENDOR = os.environ.get("PAYSPEC_ST_VENDOR", "")


def demo(credential):
    return f"demo-{VENDOR}-{credential}"


def hex_hmac(key, message):
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def body_bytes(request):
    body = request.body or b""
    return body.encode() if isinstance(body, str) else body


def replace_body(request, body):
    request.body = body
    request.headers["Content-Length"] = str(len(body))


class XpaysSignature:
    """x-api-key, x-timestamp (Unix milliseconds), x-signature = hex HMAC-SHA256(secret,
    timestamp + body)."""

    def __call__(self, request):
        stamp = str(int(time.time() * 1000))
        request.headers["x-api-key"] = demo("api_key")
        request.headers["x-timestamp"] = stamp
        message = stamp.encode() + body_bytes(request)
        request.headers["x-signature"] = hex_hmac(demo("secret"), message)
        return request


class OnekeySignature:
    """login and pass inside the JSON body, Payload-Signature = hex HMAC-SHA256(secret, body);
    the bank-codes endpoints take the read-only key as a bearer token instead."""

    def __call__(self, request):
        if "/authorized-banks" in request.url:
            request.headers["Authorization"] = "Bearer " + demo("read_only_key")
            return request
        try:
            body = json.loads(body_bytes(request) or b"null")
        except ValueError:
            body = None
        if isinstance(body, dict):
            body["login"] = demo("login")
            body["pass"] = demo("pass")
            replace_body(request, json.dumps(body).encode())
        request.headers["Payload-Signature"] = hex_hmac(demo("secret"), body_bytes(request))
        return request


SIGNERS = {"xpays": XpaysSignature, "onekey": OnekeySignature}


@schemathesis.hook
def before_call(context, case, kwargs):
    signer = SIGNERS.get(VENDOR)
    if signer is not None:
        kwargs["auth"] = signer()
