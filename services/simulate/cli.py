"""The simulator's command line: a contact centre's year through the real stack (see __init__.py).

python -m services.simulate --preset centre-2024 --model-only          # the model alone, seconds
python -m services.simulate --preset centre-2024 --stack --also centre-2023   # both years, own stack
python -m services.simulate --days 2 --scale 0.2 --stack                # a quick smoke run
python -m services.simulate --target http://127.0.0.1:8080 --tokens sim-tokens.json
python -m services.simulate tokens --out sim-tokens.json   # seats and back-fill tokens (DATABASE_URL)
"""

import argparse
import asyncio
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from services.simulate import compare, figures, launch, model, output, provision, texts
from services.simulate.contacts import Contact
from services.simulate.driver import Credentials, Driver, Tally, floor_rate
from services.simulate.http_client import Client
from services.simulate.presets import PRESETS, Preset


@dataclass(frozen=True)
class Options:
    preset: Preset
    also: tuple[Preset, ...]
    seed: int
    scale: float
    days: float | None
    zone: ZoneInfo
    concurrency: int
    seats: int
    json_out: Path | None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m services.simulate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("command", nargs="?", choices=["run", "tokens"], default="run")
    p.add_argument("--preset", choices=sorted(PRESETS), default="centre-2024")
    also = "replay this preset first (e.g. last year, for the report's change column)"
    p.add_argument("--also", action="append", choices=sorted(PRESETS), default=[], help=also)
    p.add_argument("--seed", type=int, default=1, help="same seed, same contacts")
    p.add_argument("--scale", type=float, default=1.0, help="volumes times this (a quick run)")
    p.add_argument("--days", type=float, help="only the year's first N days")
    p.add_argument("--timezone", default=os.environ.get("CENTRE_TIMEZONE", "Asia/Dubai"),
                   help="the centre's clock (the stack's CENTRE_TIMEZONE)")  # fmt: skip
    where = p.add_mutually_exclusive_group()
    where.add_argument("--model-only", action="store_true", help="run the model, not the stack")
    where.add_argument(
        "--stack", action="store_true", help="start the whole stack (python -m services.stack)"
    )
    where.add_argument("--target", help="the gateway's URL of a running stack (with --tokens)")
    p.add_argument("--tokens", type=Path, help="JSON of back-fill tokens (`tokens` makes it)")
    p.add_argument("--out", type=Path, default=Path("sim-tokens.json"), help="where `tokens` writes")
    p.add_argument("--run-dir", type=Path, default=Path(".run/simulate"), help="--stack's run folder")
    p.add_argument("--seats", type=int, default=4, help="agents in the stack that carry the model's work")
    p.add_argument("--concurrency", type=int, default=48, help="contacts in flight at once")
    p.add_argument("--json", dest="json_out", type=Path, help="write the figures and timings as JSON")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    console = Console()
    tag = f"{args.preset}-s{args.seed}"
    if args.command == "tokens":
        env = dict(os.environ)
        provision.save(provision.provision(env, args.seats, tag), args.out)
        console.print(f"tokens written to {args.out}")
        return 0
    scale = (lambda p: p.scaled(args.scale)) if args.scale != 1 else (lambda p: p)
    options = Options(
        scale(PRESETS[args.preset]), tuple(scale(PRESETS[a]) for a in args.also), args.seed, args.scale,
        args.days, ZoneInfo(args.timezone), args.concurrency, args.seats, args.json_out,
    )  # fmt: skip
    if args.model_only:
        return _model_only(options, console)
    if args.stack:
        if "DATABASE_URL" not in os.environ:
            launch.clear(args.run_dir.resolve())
        with launch.running(args.run_dir.resolve(), args.timezone) as stack:
            console.print(f"stack up at {stack.url} (log {stack.log})")
            credentials = provision.provision(stack.env, args.seats, tag)
            return run(options, stack.url, credentials, console)
    if not args.target or not args.tokens:
        console.print("give --stack, --model-only, or --target URL with --tokens FILE")
        return 2
    return run(options, args.target, provision.load(args.tokens), console)


def _model_only(options: Options, console: Console) -> int:
    year, took = _simulate(options.preset, options, console)
    found = figures.figures(year.contacts, 0, year.period.seconds(year.period.end))
    output.published_table(
        console, options.preset, compare.against_published(options.preset.published, found)
    )
    output.model_summary(console, found, took)
    return 0


def _simulate(preset: Preset, options: Options, console: Console) -> tuple[model.Year, float]:
    started = time.perf_counter()
    year = model.simulate(preset, options.zone, texts.load(), options.seed, options.days)
    took = time.perf_counter() - started
    console.print(f"{preset.name}: the model made {len(year.contacts):,} contacts in {took:.1f} s")
    return year, took


def run(options: Options, url: str, credentials: Credentials, console: Console) -> int:
    results: dict[str, Any] = {}
    ok = True
    played: list[model.Year] = []
    for preset in (*options.also, options.preset):
        year, _ = _simulate(preset, options, console)
        # Earlier replays' contacts still count where their events fall in this period.
        earlier = [
            c
            for before in played
            for c in figures.shifted(
                before.contacts, (before.period.start - year.period.start).total_seconds()
            )
        ]
        result = asyncio.run(_replay(preset, year, earlier, url, credentials, options, console))
        played.append(year)
        results[preset.name] = result
        ok = ok and not result["differences"]
    if options.days is None:
        report = _get(url, credentials, "/v1/metrics/report", {"year": str(options.preset.year)})
        output.report_table(console, report)
        results["report"] = report
    if options.json_out:
        options.json_out.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return 0 if ok else 1


async def _replay(
    preset: Preset,
    year: model.Year,
    earlier: list[Contact],
    url: str,
    credentials: Credentials,
    options: Options,
    console: Console,
) -> dict[str, Any]:
    tag = f"{preset.name}-s{options.seed}"
    async with Client(url, options.concurrency) as client:
        floor = await floor_rate(client, options.concurrency)
        driver = Driver(client, credentials, year.period, tag, options.concurrency)
        columns = (TextColumn(preset.name), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TextColumn("{task.fields[rate]} contacts/s"))  # fmt: skip
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("replay", total=len(year.contacts), rate="-")
            started = time.perf_counter()

            def advance(n: int) -> None:
                elapsed = time.perf_counter() - started
                done = progress.tasks[0].completed + n
                progress.update(task, advance=n, rate=f"{done / elapsed:.0f}" if elapsed else "-")

            tally = await driver.run(year.contacts, advance)
            took = time.perf_counter() - started
    requests = sum(tally.requests.values())
    console.print(
        f"{preset.name}: {len(year.contacts):,} contacts in {took:.1f} s = {len(year.contacts) / took:.1f} "
        f"contacts/s; {requests:,} requests = {requests / took:.0f}/s against a floor of {floor:.0f}/s "
        f"(GET /healthz, same concurrency, just before): {requests / took / floor:.2f} of it"
    )
    if tally.mismatches:
        console.print(f"{len(tally.mismatches)} contacts the stack treated otherwise: {tally.mismatches[:3]}")
    await_caught_up(url, console)
    period = {"from": year.period.start.isoformat(), "to": year.period.end.isoformat()}
    stack_figures = _get(url, credentials, "/v1/metrics/kpis", period)
    own = figures.figures([*earlier, *year.contacts], 0, year.period.seconds(year.period.end))
    rows = compare.against_published(preset.published, stack_figures)
    output.published_table(console, preset, rows)
    diffs = compare.differences(stack_figures, own)
    output.differences(console, diffs)
    return {
        "contacts": len(year.contacts),
        "seconds": took,
        "contacts_per_s": len(year.contacts) / took,
        "requests": dict(tally.requests),
        "requests_per_s": requests / took,
        "floor_healthz_per_s": floor,
        "mismatches": len(tally.mismatches),
        "model": own,
        "stack": stack_figures,
        "published": [output.row_dict(r) for r in rows],
        "differences": diffs,
        "tally": _tally_dict(tally),
    }


def _tally_dict(tally: Tally) -> dict[str, Any]:
    return {
        "outcomes": dict(tally.outcomes),
        "empty_claims": tally.empty_claims,
        "requests": dict(tally.requests),
        "mean_latency_ms": {
            k: 1000 * tally.waited_s[k] / n for k, n in tally.requests.items() if tally.waited_s[k]
        },
    }


def _get(url: str, credentials: Credentials, path: str, params: dict[str, str]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {credentials.supervisor}", "Accept": "application/json"}
    response = httpx.get(f"{url}{path}", params=params, headers=headers, timeout=120)
    response.raise_for_status()
    found: dict[str, Any] = response.json()
    return found


def await_caught_up(url: str, console: Console, timeout_s: float = 600) -> None:
    """Until the metrics service has counted every event (its follower's lag, from /readyz)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        ready = httpx.get(f"{url}/readyz", timeout=10).json()
        follower = ready.get("metrics_follower") or {}
        if follower.get("events_behind") == 0:
            return
        time.sleep(0.5)
    console.print("the metrics service is still behind; figures may be short")
