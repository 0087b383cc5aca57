"""A local OpenID Connect provider for tests: discovery document and JWKS over http on loopback, and ID
tokens signed with its RSA key (PyJWT). It stands in for Google, GitHub Actions or a company IdP, so the
tests verify real signatures fetched the way Postern fetches them in production, without a network."""
from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalIdP:
    """`issuer` is http://127.0.0.1:{port}{path}; `url` the same without the scheme (IAM's provider URL)."""

    def __init__(self, path: str = "", port: int | None = None):
        self.port = port or free_port()
        self.issuer = f"http://127.0.0.1:{self.port}{path}"
        self.url = self.issuer.removeprefix("http://")
        self.path = path
        self.jwks_fetches = 0
        self.keys: list[tuple[str, rsa.RSAPrivateKey]] = []
        self.rotate()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "LocalIdP":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def rotate(self) -> str:
        """A new signing key (published alongside the old ones); returns its kid."""
        kid = uuid.uuid4().hex[:12]
        self.keys.append((kid, rsa.generate_private_key(public_exponent=65537, key_size=2048)))
        return kid

    @property
    def kid(self) -> str:
        return self.keys[-1][0]

    def jwks(self) -> dict:
        keys = []
        for kid, key in self.keys:
            jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
            jwk.update({"kid": kid, "use": "sig", "alg": "RS256"})
            keys.append(jwk)
        return {"keys": keys}

    def token(self, *, sub: str = "user-1", aud="client-1", lifetime: int = 600, key=None, kid: str | None = None,
              algorithm: str = "RS256", issuer: str | None = None, **claims) -> str:
        now = int(time.time())
        payload = {"iss": issuer or self.issuer, "sub": sub, "aud": aud, "iat": now, "exp": now + lifetime, **claims}
        payload = {k: v for k, v in payload.items() if v is not None}
        signing_key = key if key is not None else self.keys[-1][1]
        return jwt.encode(payload, signing_key, algorithm=algorithm, headers={"kid": kid or self.kid})

    def _handler(self):
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                if self.path == f"{idp.path}/.well-known/openid-configuration":
                    body = {"issuer": idp.issuer, "jwks_uri": f"{idp.issuer}/jwks",
                            "id_token_signing_alg_values_supported": ["RS256"]}
                elif self.path == f"{idp.path}/jwks":
                    idp.jwks_fetches += 1
                    body = idp.jwks()
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler
