"""The development OpenID provider (tools/dev-idp, npm `oidc-provider`) run for tests on loopback.

`IdentityProvider` starts the real provider with a signing key the test knows, so a test can
also forge tokens as a man in the middle would. `TokenTamperer` sits between the portal and the
provider's token endpoint and rewrites the ID token of each answer with a function the test sets.
"""

import base64
import json
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

REPO = Path(__file__).resolve().parents[3]
SERVER = REPO / "tools" / "dev-idp" / "server.mjs"
CLIENT_ID = "qmportal-test"
CLIENT_SECRET = "test-client-secret-0123456789"
KEY_ID = "test-key"


def new_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_jwk(key: rsa.RSAPrivateKey, kid: str = KEY_ID) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(key))
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


@dataclass
class IdentityProvider:
    """A running dev IdP; `accounts` as in tools/dev-idp/server.mjs."""

    issuer: str
    key: rsa.RSAPrivateKey
    process: subprocess.Popen[str]

    @classmethod
    def start(
        cls, workdir: Path, redirect_uris: list[str], accounts: list[dict[str, Any]]
    ) -> "IdentityProvider":
        key = new_private_key()
        (workdir / "jwks.json").write_text(json.dumps({"keys": [private_jwk(key)]}))
        (workdir / "accounts.json").write_text(json.dumps(accounts))
        command = ["node", str(SERVER), "--port", "0", "--client-id", CLIENT_ID,
                   "--client-secret", CLIENT_SECRET, "--accounts", str(workdir / "accounts.json"),
                   "--jwks", str(workdir / "jwks.json")]  # fmt: skip
        for uri in redirect_uris:
            command += ["--redirect-uri", uri]
        process = subprocess.Popen(  # noqa: S603 (fixed command, test-only)
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=REPO
        )
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("The development identity provider did not start.")
        return cls(json.loads(line)["issuer"], key, process)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def settings(self, token_endpoint: str | None = None) -> dict[str, Any]:
        """Django settings that point the portal at this provider."""
        return {
            "SSO_ISSUER": self.issuer,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/auth",
            "OIDC_OP_TOKEN_ENDPOINT": token_endpoint or f"{self.issuer}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.issuer}/me",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/jwks",
        }

    def sign(self, claims: dict[str, Any], key: rsa.RSAPrivateKey | None = None,
             kid: str = KEY_ID, algorithm: str = "RS256") -> str:  # fmt: skip
        return jwt.encode(claims, key or self.key, algorithm=algorithm, headers={"kid": kid})

    def authorize(self, authorization_url: str, username: str, password: str) -> str:
        """Play the browser at the provider: open the authorization URL, sign in, and return
        the URL the provider sends the browser back to (the portal's callback)."""
        browser = requests.Session()
        response = browser.get(authorization_url, allow_redirects=False, timeout=10)
        interaction = response.headers["location"]
        form_url = f"{self.issuer}{interaction}" if interaction.startswith("/") else interaction
        browser.get(form_url, timeout=10)
        response = browser.post(form_url, data={"username": username, "password": password},
                                allow_redirects=False, timeout=10)  # fmt: skip
        if response.status_code != 303:
            raise AssertionError(f"The provider refused the sign-in ({response.status_code}).")
        response = browser.get(response.headers["location"], allow_redirects=False, timeout=10)
        return str(response.headers["location"])


def unverified_claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def unsigned(claims: dict[str, Any]) -> str:
    """A token with `alg: none` and no signature."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT', 'kid': KEY_ID})}.{part(claims)}."


@dataclass
class TokenTamperer:
    """A loopback HTTP server in front of the provider's token endpoint.

    Each answer's ID token goes through `rewrite` (identity by default); `seen` keeps the
    original ID tokens, so a test can replay one.
    """

    target: str
    rewrite: Callable[[str], str] = lambda token: token
    seen: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        tamperer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                answer = requests.post(tamperer.target, data=parse_qs(body.decode()), timeout=10)
                payload = answer.json()
                if "id_token" in payload:
                    tamperer.seen.append(payload["id_token"])
                    payload["id_token"] = tamperer.rewrite(payload["id_token"])
                data = json.dumps(payload).encode()
                self.send_response(answer.status_code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/token"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def callback_path(url: str) -> str:
    """The path and query of the portal callback URL the provider redirected to."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"
