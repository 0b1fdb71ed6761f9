"""The pages in a real browser (Debian's chromium through Playwright): a verifier works the
queue by keyboard, an auditor finds the decision in the trail.

The app runs under uvicorn in a thread on a free port, on SQLite in the test's own folder,
seeded with four generated applications ingested by the in-process pipeline. A screenshot
of every screen goes to test-artifacts/screenshots/ (1366x768, an office screen).
Without chromium or the playwright package these tests skip on a laptop and fail when
CI=true (`make setup` installs both).
"""

from __future__ import annotations

import base64
import json
import shutil
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from pipeline.settings import Settings
from tests.services import free_port, service_missing

pytestmark = [pytest.mark.browser, pytest.mark.ocr]

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
OFFICE = "3216"
PASSWORD = "kata-sandi-peramban-1"
SCREEN = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def sync_api() -> Any:
    try:
        from playwright import sync_api
    except ImportError:
        service_missing("the playwright package")
    if not CHROMIUM.exists():
        service_missing(f"chromium at {CHROMIUM} (apt install chromium)")
    return sync_api


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, generated: list[Path]) -> Iterator[dict]:
    """A served app with four flagged applications of one office and a verifier and an auditor."""
    import uvicorn

    from pipeline.batch import ingest_folder
    from storage import accounts
    from storage.db import transaction
    from web.app import create_app
    from web.commands import _stores

    root = tmp_path_factory.mktemp("browser")
    # sessions outlive the clock moved forward below (the overdue check)
    settings = Settings(data_dir=root / "var", session_ttl_s=5 * 86400)
    references = _stage(generated, root / "apps")
    lines = list(ingest_folder(root / "apps", settings, workers=2))
    assert len(lines) == len(references), lines
    with transaction(_stores(settings).sessions) as session:
        accounts.add_user(session, "siti", PASSWORD, "verifier", OFFICE)
        accounts.add_user(session, "budi", PASSWORD, "auditor", None)
        accounts.add_user(session, "root", PASSWORD, "admin", None)
        accounts.add_user(session, "dewi", PASSWORD, "verifier", OFFICE)
    port = free_port()
    app = create_app(settings, callbacks=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    _wait_up(base)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield {"base": base, "references": references, "lines": lines, "app": app}
    server.should_exit = True
    thread.join(timeout=20)


def _stage(generated: list[Path], out: Path) -> list[str]:
    """Four applications (both document types, clean scans first) moved to the test office."""
    chosen: list[Path] = []
    for kind in ("kk", "akta", "kk", "akta"):
        chosen.append(next(p for p in generated if p.name.startswith(kind) and p not in chosen))
    references = []
    for folder in chosen:
        target = out / folder.name
        shutil.copytree(folder, target)
        submission = json.loads((target / "submission.json").read_text(encoding="utf-8"))
        (target / "submission.json").write_text(json.dumps(submission | {"office": OFFICE}))
        references.append(submission["reference"])
    return references


def _wait_up(base: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/login", timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="module")
def browser(sync_api: Any) -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


def _page(browser: Any) -> Any:
    context = browser.new_context(viewport=SCREEN, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    return page


@pytest.fixture
def evidence(request: pytest.FixtureRequest) -> Iterator[list]:
    """Pages a test opened; on its failure a screenshot of each goes to the screenshots folder."""
    pages: list = []
    yield pages
    report = getattr(request.node, "rep_call", None)
    for n, page in enumerate(pages):
        if report is not None and report.failed:
            page.screenshot(path=SHOTS / f"failed-{request.node.name}-{n}.png")
        page.context.close()


def _login(page: Any, base: str, name: str, path: str, shot: str | None = None) -> None:
    page.goto(f"{base}{path}")
    page.wait_for_url(f"**/login?next={path}")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    if shot:
        page.screenshot(path=SHOTS / shot)
    page.click("form#login button[type=submit]")
    page.wait_for_url(lambda url: urlsplit(url).path == path)


def test_login_refuses_a_wrong_password(site: dict, browser: Any, evidence: list) -> None:
    page = _page(browser)
    evidence.append(page)
    page.goto(f"{site['base']}/login")
    page.fill("#name", "siti")
    page.fill("#password", "salah-sekali-123")
    page.click("form#login button[type=submit]")
    error = page.locator("#login-error")
    error.wait_for(state="visible")
    assert error.inner_text() == "Nama atau kata sandi salah."
    assert page.url.endswith("/login")
    page.screenshot(path=SHOTS / "01-login-error.png")


def test_verifier_works_the_queue_by_keyboard(site: dict, browser: Any, evidence: list) -> None:
    page = _page(browser)
    evidence.append(page)
    base = site["base"]
    _login(page, base, "siti", "/queue", shot="00-login.png")
    rows = page.locator("#queue tbody tr")
    rows.first.wait_for()
    assert rows.count() == len(site["references"])
    shown = set(page.locator("#queue tbody tr td:first-child").all_inner_texts())
    assert shown == set(site["references"])
    assert page.locator("#queue .badge[class*='flag-']").count() == rows.count()
    page.screenshot(path=SHOTS / "02-queue.png")

    # Enter opens the selected (first) row
    first_id = rows.first.get_attribute("data-id")
    first_reference = rows.first.locator("td").first.inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/applications/{first_id}")
    boxes = page.locator("#boxes .box")
    boxes.first.wait_for()
    assert boxes.count() > 0
    page.locator("#claim-notice.ok").wait_for()
    assert "Anda sedang memeriksa" in page.locator("#claim-notice").inner_text()
    field_rows = page.locator("#fields tbody tr")
    assert field_rows.count() > 0
    page.screenshot(path=SHOTS / "03-application.png")

    # a row with a box on this page: clicking it lights exactly that box
    key = _row_with_box(page)
    page.locator(f'#fields tr[data-key="{key}"]').click()
    lit = page.locator("#boxes .box.hl")
    assert lit.count() == 1 and lit.get_attribute("data-key") == key
    assert "picked" in (page.locator(f'#fields tr[data-key="{key}"]').get_attribute("class") or "")
    # hovering another box lights its row
    other_key = next(k for k in _rows_with_box(page) if k != key)
    page.locator(f'#boxes .box[data-key="{other_key}"]').hover()
    hovered = page.locator(f'#fields tr[data-key="{other_key}"]')
    assert "hover" in (hovered.get_attribute("class") or "")
    page.screenshot(path=SHOTS / "04-row-highlight.png")

    # zoom and rotate keep the boxes on the image
    page.keyboard.press("+")
    page.keyboard.press("r")
    assert "125% · 90°" in page.locator(".zoom-label").inner_text()
    page.keyboard.press("r")
    page.keyboard.press("r")
    page.keyboard.press("r")
    page.keyboard.press("-")

    # a = accept, Enter confirms; the next application opens by itself
    page.keyboard.press("a")
    page.locator("#dialog").wait_for(state="visible")
    assert "Enter" in page.locator("#dialog-text").inner_text()
    page.keyboard.press("Enter")
    page.locator("#app-notice.ok").wait_for()
    assert "diterima" in page.locator("#app-notice").inner_text()
    page.screenshot(path=SHOTS / "05-decided.png")
    page.wait_for_url(lambda url: "/applications/" in url and first_id not in url)
    second_id = page.url.rsplit("/", 1)[1]

    # t = return: digits pick reasons, a note, Enter sends
    page.locator("#claim-notice.ok").wait_for()
    page.keyboard.press("t")
    page.locator("#reason-list li").first.wait_for()
    page.keyboard.press("1")
    page.keyboard.press("3")
    assert page.locator("#reason-list li.picked").count() == 2
    page.locator("#note").fill("mohon unggah ulang")
    page.screenshot(path=SHOTS / "06-return-picker.png")
    page.keyboard.press("Enter")
    page.locator("#app-notice.ok").wait_for()
    assert "dikembalikan" in page.locator("#app-notice").inner_text()
    page.wait_for_url(lambda url: "/applications/" in url and second_id not in url)
    third_id = page.url.rsplit("/", 1)[1]

    # n = next without deciding: the claim is given back, another application opens
    page.locator("#claim-notice.ok").wait_for()
    page.keyboard.press("n")
    page.wait_for_url(lambda url: "/applications/" in url and third_id not in url)
    fourth_id = page.url.rsplit("/", 1)[1]
    assert fourth_id not in (first_id, second_id, third_id)
    page.locator("#boxes .box").first.wait_for()

    # e = escalate, Esc first cancels, then e and Enter
    page.locator("#claim-notice.ok").wait_for()
    page.keyboard.press("e")
    page.locator("#dialog").wait_for(state="visible")
    page.keyboard.press("Escape")
    assert page.locator("#dialog").is_hidden()
    page.keyboard.press("e")
    page.keyboard.press("Enter")
    page.locator("#app-notice.ok").wait_for()
    assert "dieskalasi" in page.locator("#app-notice").inner_text()

    # a decided application opens read-only, saying who decided what
    page.goto(f"{base}/applications/{first_id}")
    decided = page.locator("#claim-notice.info")
    decided.wait_for()
    assert decided.inner_text().startswith("Sudah diputuskan: diterima oleh siti")
    assert page.locator("#do-accept").is_disabled()

    # the queue no longer holds the decided ones; the escalated one is marked
    page.goto(f"{base}/queue")
    page.locator("#queue tbody tr").first.wait_for()
    left = set(page.locator("#queue tbody tr").evaluate_all("rs => rs.map(r => r.dataset.id)"))
    assert first_id not in left and second_id not in left and {third_id, fourth_id} <= left
    assert page.locator(f'#queue tr[data-id="{fourth_id}"] .badge.escalated').count() == 1
    assert page.locator("#queue .badge.escalated").count() == 1
    page.screenshot(path=SHOTS / "07-queue-after.png")
    assert page.locator("#queue tr.overdue").count() == 0

    # two days later every waiting application is past the target, and marked so
    later = datetime.now(UTC) + timedelta(days=2)
    site["app"].state.clock = lambda: later
    try:
        page.reload()
        page.locator("#queue tbody tr").first.wait_for()
        assert page.locator("#queue tr.overdue").count() == len(left)
        assert page.locator("#queue tr.overdue .badge.overdue").first.inner_text() == "lewat target"
        assert "2 hr" in page.locator("#queue tr.overdue td.age").first.inner_text()
        page.screenshot(path=SHOTS / "07-queue-overdue.png")
    finally:
        site["app"].state.clock = None
    page.goto(f"{base}/dashboard")
    page.locator("#dashboard .stat").first.wait_for()
    page.screenshot(path=SHOTS / "08-dashboard-verifier.png")
    assert not page.errors, page.errors
    site["accepted"] = (first_id, first_reference)
    site["waiting"] = third_id


def test_a_claim_held_by_another_verifier_is_shown_and_blocks_deciding(
        site: dict, browser: Any, evidence: list) -> None:
    if "waiting" not in site:
        pytest.fail("the verifier flow did not leave an application waiting")
    waiting, base = site["waiting"], site["base"]
    token = base64.b64encode(f"dewi:{PASSWORD}".encode()).decode()
    claim = urllib.request.Request(f"{base}/v1/applications/{waiting}/claim", method="POST",
                                   headers={"Authorization": f"Basic {token}"})
    assert json.loads(urllib.request.urlopen(claim, timeout=10).read())["claimed_by"] == "dewi"
    page = _page(browser)
    evidence.append(page)
    _login(page, base, "siti", "/queue")
    row = page.locator(f'#queue tr[data-id="{waiting}"]')
    row.wait_for()
    assert row.locator("td").last.inner_text() == "dewi"
    row.click()
    page.wait_for_url(f"**/applications/{waiting}")
    notice = page.locator("#claim-notice.warn")
    notice.wait_for()
    assert "dewi" in notice.inner_text() and "hanya dapat melihat" in notice.inner_text()
    assert page.locator("#do-accept").is_disabled()
    page.locator("#boxes .box").first.wait_for()
    page.keyboard.press("a")
    assert page.locator("#dialog").is_hidden()
    page.screenshot(path=SHOTS / "08-claimed-by-another.png")
    assert not page.errors, page.errors


def _rows_with_box(page: Any) -> list[str]:
    """Keys of the table rows whose field has a box drawn on the page shown."""
    keys = page.locator("#boxes .box").evaluate_all("bs => bs.map(b => b.dataset.key)")
    rows = set(page.locator("#fields tbody tr").evaluate_all("rs => rs.map(r => r.dataset.key)"))
    return [k for k in keys if k in rows]


def _row_with_box(page: Any) -> str:
    found = _rows_with_box(page)
    assert len(found) >= 2, "fewer than two table rows have a box on the first page"
    return found[-1]


def test_auditor_finds_the_decision_in_the_trail(site: dict, browser: Any, evidence: list) -> None:
    if "accepted" not in site:
        pytest.fail("the verifier flow did not decide anything")
    page = _page(browser)
    evidence.append(page)
    base = site["base"]
    accepted, reference = site["accepted"]
    _login(page, base, "budi", "/audit")
    page.goto(f"{base}/audit?lang=en")
    page.fill("#q-reference", reference)
    page.click("form#search button[type=submit]")
    results = page.locator("#results tbody tr")
    results.first.wait_for()
    assert results.count() == 1
    assert page.url.endswith("/audit?lang=en"), "search terms must stay out of the page's URL"
    page.screenshot(path=SHOTS / "09-audit-search.png")
    assert results.first.get_attribute("data-id") == accepted
    assert results.first.locator("td.decision").inner_text() == "accepted"
    page.locator("#results tbody tr a").first.click()
    page.wait_for_url(f"**/audit/applications/{accepted}")
    page.locator("#timeline tbody tr").first.wait_for()
    kinds = page.locator("#timeline tbody tr").evaluate_all("rs => rs.map(r => r.dataset.kind)")
    assert kinds[0] == "application.received" and "report.flagged" in kinds
    assert "claim.taken" in kinds and kinds.count("decision.made") == 1, kinds
    decision = page.locator("#timeline tbody tr[data-kind='decision.made']")
    assert '"decision":"accept"' in decision.locator("td.payload").inner_text()
    assert "user:siti" in decision.inner_text()
    assert page.locator("#chain-state .chain-ok").inner_text() == "Chain intact"
    page.locator("#boxes .box").first.wait_for()
    # the first application of the queue is a mismatch: its reasons, in the page's English
    reasons = page.locator("ol.reasons li").all_inner_texts()
    assert reasons and not any("pada dokumen" in r or "diajukan" in r for r in reasons), reasons
    page.click("#replay")
    page.locator("#differences").wait_for()
    page.screenshot(path=SHOTS / "10-audit-application.png", full_page=True)

    page.goto(f"{base}/audit/chain")
    page.locator("#chain-state .chain-ok").wait_for()
    page.screenshot(path=SHOTS / "11-audit-chain.png")
    page.goto(f"{base}/audit/rules")
    page.locator("#rule-table tbody tr").first.wait_for()
    page.screenshot(path=SHOTS / "12-audit-rules.png")
    page.goto(f"{base}/dashboard")
    page.locator("#dashboard .stat").first.wait_for()
    page.screenshot(path=SHOTS / "13-dashboard-auditor.png")
    assert not page.errors, page.errors

    # logging out ends the session: the pages send the browser back to /login
    page.click("#logout")
    page.wait_for_url(lambda url: urlsplit(url).path == "/login")
    page.goto(f"{base}/audit")
    assert urlsplit(page.url).path == "/login"


def test_admin_sees_people_and_keys(site: dict, browser: Any, evidence: list) -> None:
    page = _page(browser)
    evidence.append(page)
    _login(page, site["base"], "root", "/admin")
    page.locator("#user-table tbody tr").first.wait_for()
    names = set(page.locator("#user-table tbody tr td:first-child").all_inner_texts())
    assert {"siti", "budi", "root"} <= names
    page.screenshot(path=SHOTS / "14-admin.png")
    assert not page.errors, page.errors
