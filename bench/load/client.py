"""A small asyncio HTTP client for the load workloads (httpx, pinned in requirements.txt).

Each virtual user has its own connection and its own cookies. Both servers run production's cookie
settings (Secure cookies, behind a TLS-ending proxy), so every request says it came through such a
proxy (X-Forwarded-Proto: https, and an Origin for forms), and cookies are kept here by hand: a
cookie jar would not send Secure cookies over plain HTTP.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie

import httpx

from bench.load.stats import Sample

logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request

CSRF_INPUT = re.compile(
    r'<input[^>]*name="csrfmiddlewaretoken"[^>]*value="([^"]+)"|<input[^>]*value="([^"]+)"[^>]*name="csrfmiddlewaretoken"'
)


def csrf_token(html: str) -> str | None:
    """The CSRF token of the first form on a page."""
    found = CSRF_INPUT.search(html)
    if found is None:
        return None
    return found.group(1) or found.group(2)


class User:
    """One browser: its own connection pool and cookies."""

    def __init__(self, base_url: str, *, timeout: float = 60.0):
        self.base_url = base_url.rstrip("/")
        self.origin = "https://" + self.base_url.split("://", 1)[1]
        self.cookies: dict[str, str] = {}
        self.client = httpx.AsyncClient(
            base_url=self.base_url, timeout=timeout, follow_redirects=False, limits=httpx.Limits(max_connections=1)
        )

    async def close(self) -> None:
        await self.client.aclose()

    def _headers(self, *, form: bool) -> dict[str, str]:
        headers = {"X-Forwarded-Proto": "https", "User-Agent": "bench-load"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form:
            headers["Origin"] = self.origin
        return headers

    def _keep_cookies(self, response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            parsed = SimpleCookie()
            parsed.load(header)
            for name, morsel in parsed.items():
                if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        self.client.cookies.clear()

    async def get(self, path: str) -> httpx.Response:
        response = await self.client.get(path, headers=self._headers(form=False))
        self._keep_cookies(response)
        return response

    async def post(self, path: str, data: dict[str, str]) -> httpx.Response:
        response = await self.client.post(path, data=data, headers=self._headers(form=True))
        self._keep_cookies(response)
        return response

    async def submit_form(self, path: str, data: dict[str, str] | None = None) -> tuple[httpx.Response, float]:
        """GET the form, take its CSRF token, POST it: the POST's response and how long the POST took."""
        page = await self.get(path)
        token = csrf_token(page.text) if page.status_code == 200 else None
        if token is None:
            return page, 0.0
        started = time.perf_counter()
        response = await self.post(path, {"csrfmiddlewaretoken": token, **(data or {})})
        return response, time.perf_counter() - started

    async def sign_in(self, email: str, password: str) -> bool:
        response, _ = await self.submit_form("/account/sign-in/", {"email": email, "password": password})
        return response.status_code == 302


async def timed(call: Callable[[], Awaitable[httpx.Response]], expect: Callable[[httpx.Response], bool]) -> Sample:
    started = time.perf_counter()
    try:
        response = await call()
    except httpx.HTTPError:
        return Sample(time.perf_counter() - started, False, 0)
    return Sample(time.perf_counter() - started, expect(response), response.status_code)


async def closed_loop(
    users: list[User], seconds: float, step: Callable[[User], Awaitable[list[Sample]]]
) -> tuple[list[Sample], float]:
    """Every user repeats `step` until `seconds` have passed (each waits for its answer before the
    next request, as people do). The samples, and the time taken until the last answer."""
    samples: list[Sample] = []
    started = time.perf_counter()
    until = started + seconds

    async def run(user: User) -> None:
        while time.perf_counter() < until:
            samples.extend(await step(user))

    await asyncio.gather(*(run(user) for user in users))
    return samples, time.perf_counter() - started
