"""Computes vectors.yaml for the JWT schemes of c_auth's vendor.yaml, outside payspec: Python's
`cryptography` package signs, and the JSON is written by hand in the order RFC 7515 leaves free
(header: alg, typ, then the recipe's fields by name; claims by name). EdDSA and RS256 are
deterministic, so the runtime must produce these exact bytes; ES256 is randomised, so its
vector is one token the sandbox must accept (and the runtime's own is verified, not compared).

    python3 corpus/vendors/c_auth/make_vectors.py > corpus/vendors/c_auth/vectors.yaml
"""

import base64
import hashlib
import json
import pathlib

import yaml
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

HERE = pathlib.Path(__file__).parent
DEMO = {k: v.get("demo") for k, v in yaml.safe_load((HERE / "vendor.yaml").read_text())["credentials"].items()}
KEY_NAME = "organizations/9c1e/apiKeys/4f2a"
NOW = 1764000000
NONCE = "5f0c1d2e3b4a69788796a5b4c3d2e1f0"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def compact(members) -> str:
    return json.dumps(dict(members), separators=(",", ":"), ensure_ascii=False)


def sign(algorithm: str, message: bytes) -> bytes:
    if algorithm == "EdDSA":
        seed = base64.b64decode(DEMO["ed_key"])
        return ed25519.Ed25519PrivateKey.from_private_bytes(seed).sign(message)
    if algorithm == "RS256":
        key = serialization.load_pem_private_key(DEMO["rsa_key"].encode(), None)
        return key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    key = serialization.load_pem_private_key(DEMO["ec_key"].encode(), None)
    r, s = decode_dss_signature(key.sign(message, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def token(algorithm: str, extra_header: dict, claims: dict) -> str:
    header = [("alg", algorithm), ("typ", "JWT")] + sorted(extra_header.items())
    signing_input = b64url(compact(header).encode()) + "." + b64url(compact(sorted(claims.items())).encode())
    return "Bearer " + signing_input + "." + b64url(sign(algorithm, signing_input.encode()))


def vector(name, scheme, method, path, body, algorithm, extra_header, claims, headers=None):
    return {
        "name": name,
        "scheme": scheme,
        "credentials": {"key_name": KEY_NAME},
        "method": method,
        "path": path,
        "body": body,
        "unix_seconds": NOW,
        "nonce": NONCE,
        "randomized": algorithm == "ES256",
        "headers": dict(headers or {}, Authorization=token(algorithm, extra_header, claims)),
    }


BODY = '{"asset":"BTC","amount":"0.015"}'
VECTORS = [
    vector("ES256 over a transfer", "jwt_es256", "POST", "/jwt/es256", BODY, "ES256",
           {"kid": KEY_NAME, "nonce": NONCE},
           {"sub": KEY_NAME, "iss": "cdp", "nbf": NOW, "exp": NOW + 120, "uri": "POST /jwt/es256"}),
    vector("EdDSA on a GET", "jwt_eddsa", "GET", "/jwt/eddsa", "", "EdDSA",
           {"kid": KEY_NAME},
           {"sub": KEY_NAME, "nbf": NOW, "exp": NOW + 120, "uri": "GET /jwt/eddsa"}),
    vector("RS256 binds the body's hash", "jwt_rs256", "POST", "/jwt/rs256", BODY, "RS256", {},
           {"uri": "/jwt/rs256", "nonce": NONCE, "iat": NOW, "exp": NOW + 30, "sub": KEY_NAME,
            "bodyHash": hashlib.sha256(BODY.encode()).hexdigest()},
           {"X-API-Key": KEY_NAME}),
]

print(__doc__.strip().replace("\n", "\n# ").join(["# ", "\n"]), end="")
print("# The keys are the `demo` values of vendor.yaml (credentials a vector omits are the demo ones).")
print(yaml.safe_dump({"signatures": VECTORS}, sort_keys=False, width=1000), end="")
