"""One callback POST, pinned: the URL is checked (services/shared/egress.py) at the moment of sending and
the connection goes to the address that passed, never to what the name resolves to a moment later.

How the pin works: the request is made to the checked IP (`https://203.0.113.7:443/hook`), with the
`Host` header set to the URL's host and httpcore's `sni_hostname` request extension set to it too, so
TLS sends that name (SNI) and verifies the certificate against it, exactly as for a request to the
name. No resolver runs between the check and the connect, so DNS rebinding has nothing to act on.
Each delivery uses a fresh connection: a pooled connection is keyed by IP and port, and reusing one
verified for another name on the same address would skip this name's certificate check.

Redirects are never followed (a 3xx is a failed attempt: following one would leave the checked
address), the response body is read raw (not decompressed) and at most MAX_RESPONSE_BYTES of it,
proxies from the environment are ignored (they would connect in our place, unpinned), and the
connect/read timeouts apply to every step.
"""

import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from services.shared import egress
from services.shared.egress import EgressPolicy, Resolve

# Only the status matters; the body is read (so a server is not cut off mid-write for no reason) up
# to this much. Larger costs memory per delivery; smaller is fine, nothing uses the body.
MAX_RESPONSE_BYTES = 64 * 1024


@dataclass(frozen=True)
class CallbackSender:
    """Posts callbacks under an egress policy; `resolve` and `ssl_context` are the injectable parts."""

    policy: EgressPolicy
    # Connect, write and each read wait at most this long; reading the body stops after twice it.
    timeout_s: float
    resolve: Resolve = egress.system_resolve
    # The trust store for callback certificates (certifi's, as httpx uses, unless one is given).
    ssl_context: ssl.SSLContext = field(default_factory=lambda: httpx.create_ssl_context(trust_env=False))

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> str | None:
        """None when the callback accepted the body (2xx), else why the attempt failed."""
        try:
            pinned = egress.pin(url, self.policy, self.resolve)
        except egress.Refused as exc:
            return f"refused: {exc}"
        target = pinned.target
        try:
            status = self._send(target.url.copy_with(host=pinned.address), target, body, headers)
        except Exception as exc:
            # Not only httpx.HTTPError: whatever goes wrong is this message's failed attempt (retried,
            # then given up), never an error that stops the round and strands the messages after it.
            return f"{type(exc).__name__}: {exc}"
        if 200 <= status < 300:
            return None
        if 300 <= status < 400:
            return f"HTTP {status}: redirects are not followed"
        return f"HTTP {status}"

    def _send(self, to: httpx.URL, target: egress.Target, body: bytes, headers: Mapping[str, str]) -> int:
        deadline = time.monotonic() + 2 * self.timeout_s
        with httpx.Client(
            verify=self.ssl_context, timeout=self.timeout_s, follow_redirects=False, trust_env=False
        ) as client:
            request = client.build_request(
                "POST",
                to,
                content=body,
                headers={**headers, "Host": target.url.netloc.decode("ascii")},
                extensions={"sni_hostname": target.host},
            )
            response = client.send(request, stream=True)
            try:
                read = 0
                for chunk in response.iter_raw():
                    read += len(chunk)
                    if read >= MAX_RESPONSE_BYTES or time.monotonic() > deadline:
                        break
            finally:
                response.close()
            return response.status_code
