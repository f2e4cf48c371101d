"""Quality scorecards: the API (cards, sample, evaluation) and the /quality page in a real headless
Chromium, where a supervisor evaluates a ticket and the quality KPI moves."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from tests.fixtures.gateway import Gateway, unused_port
from tests.integration.gateway.helpers import assert_problem
from tests.integration.test_kpi_scenarios import ticket
from tests.integration.test_metrics_service import catch_up, make_agent, make_customer

pytestmark = pytest.mark.integration

# The default card's weights 10, 25, 40, 15, 10. By hand: (10*100 + 25*80 + 40*90 + 15*70 + 10*100)
# / 100 = 86.5, so quality 0.865.
SCORES = {"greeting": 100, "understanding": 80, "resolution": 90, "courtesy": 70, "closing": 100}


@pytest.fixture
def gateway(start_gateway: Callable[..., Gateway], metrics_addr: str) -> Gateway:
    return start_gateway(classifier_addr=f"127.0.0.1:{unused_port()}", metrics_addr=metrics_addr)


def _resolved(db: psycopg.Connection, start: datetime, queue: str = "cards") -> int:
    agent = make_agent(db, "Huda")
    found = ticket(db, "phone", make_customer(db), start, [(0, "created"), (0, "routed", None, queue),
        (5, "claimed", agent), (10, "answered", agent), (190, "resolved", agent)])  # fmt: skip
    db.execute(
        """UPDATE tickets SET status = 'resolved', assigned_agent_id = %s, answered_at = %s,
               resolved_at = %s, subject = 'بطاقتي لا تعمل' WHERE id = %s""",
        (agent, start + timedelta(seconds=10), start + timedelta(seconds=190), found),
    )
    return found


def _catch_up(database_url: str) -> None:
    # In a thread of its own: Playwright keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(catch_up, database_url).result()


def _quality_today(gateway: Gateway, token: str) -> float | None:
    with gateway.client(token) as client:
        return client.get("/v1/metrics/kpis", params={"from": datetime.now(UTC).date().isoformat()}).json()[
            "quality"
        ]


def test_scorecards_sample_and_evaluations_api(gateway: Gateway, db) -> None:
    start = datetime.now(UTC) - timedelta(hours=2)
    tickets = [_resolved(db, start + timedelta(minutes=i)) for i in range(4)]
    unanswered = ticket(db, "phone", make_customer(db), start, [(0, "created"), (0, "routed", None, "cards")])
    supervisor = gateway.token("supervisor")
    with gateway.client(supervisor) as client:
        cards = client.get("/v1/quality/scorecards").json()
        first = client.get("/v1/quality/sample", params={"n": 3, "seed": "s1"}).json()
        again = client.get("/v1/quality/sample", params={"n": 3, "seed": "s1"}).json()
        saved = client.post(f"/v1/tickets/{tickets[0]}/evaluations", json={"scores": SCORES, "comment": "ok"})
        after = client.get("/v1/quality/sample", params={"n": 10, "seed": "s1"}).json()
        assert_problem(
            client.post(f"/v1/tickets/{tickets[1]}/evaluations", json={"scores": {"greeting": 1}}), 422
        )
        assert_problem(
            client.post(
                f"/v1/tickets/{tickets[1]}/evaluations", json={"scores": {**SCORES, "greeting": 101}}
            ),
            422,
        )
        assert_problem(client.post(f"/v1/tickets/{unanswered}/evaluations", json={"scores": SCORES}), 409)
        assert_problem(client.post("/v1/tickets/987654/evaluations", json={"scores": SCORES}), 404)
        assert_problem(client.get("/v1/quality/sample", params={"queue": "nowhere"}), 422)
    [default] = [c for c in cards if c["queue"] is None and c["channel"] is None]
    assert [c["key"] for c in default["criteria"]] == list(SCORES)
    assert default["criteria"][0]["name"] == {
        "ar": "التحية والتعريف بالنفس",
        "en": "Greeting and introduction",
    }
    assert len(first) == 3 and first == again  # the same seed draws the same sample
    assert {s["ticket_id"] for s in first} <= set(tickets)
    assert saved.status_code == 201, saved.text
    assert saved.json()["score"] == 86.5 and saved.json()["scores"]["resolution"] == 90
    # Evaluated tickets leave the sample; the unanswered one never enters it.
    assert {s["ticket_id"] for s in after} == set(tickets[1:])
    with psycopg.connect(gateway.database_url) as conn:
        rows = conn.execute(
            """SELECT c.key, s.score FROM quality_evaluation_scores s
               JOIN quality_criteria c ON c.id = s.criterion_id ORDER BY c.position"""
        ).fetchall()
    assert {k: float(v) for k, v in rows} == SCORES


@pytest.mark.browser
def test_a_supervisor_evaluates_a_ticket_in_the_browser_and_the_quality_kpi_moves(
    gateway: Gateway, db, database_url, browser_page
) -> None:
    from playwright.sync_api import Page

    page: Page = browser_page
    now = datetime.now(UTC)
    if now - now.replace(hour=0, minute=0, second=0, microsecond=0) < timedelta(minutes=10):
        pytest.skip("the ticket and its evaluation must fall on the same (UTC) day")
    evaluated = _resolved(db, now - timedelta(minutes=5))
    _catch_up(database_url)
    supervisor = gateway.token("supervisor")
    assert _quality_today(gateway, supervisor) is None

    page.goto(f"{gateway.url}/quality")
    # Arabic first, right to left; the switch turns the page into English and back.
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    assert page.locator("h1").text_content() == "تقييم الجودة"
    page.click("#lang")
    assert page.evaluate("document.documentElement.dir") == "ltr"
    assert page.locator("h1").text_content() == "Quality evaluation"
    page.click("#lang")
    page.fill("#token", supervisor)
    page.click("#login button")
    page.click(f'#sample button[data-ticket="{evaluated}"]')
    assert page.locator('label[for="score-greeting"]').text_content().startswith("التحية")
    for key, value in SCORES.items():
        page.fill(f"#score-{key}", str(value))
    assert page.locator("#total").text_content() == "86.5"  # the weighted total, shown as it is typed
    page.click("#card button[type=submit]")
    page.wait_for_function("document.getElementById('status').dataset.score === '86.5'")
    # The sample is read again after the answer: the evaluated ticket leaves it.
    page.locator(f'#sample button[data-ticket="{evaluated}"]').wait_for(state="detached", timeout=5000)

    _catch_up(database_url)
    assert _quality_today(gateway, supervisor) == pytest.approx(0.865)
