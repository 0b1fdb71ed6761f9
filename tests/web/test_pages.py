"""The people's pages (web/pages.py): who gets which page, in which language, how safely."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import web.pages
from storage import accounts
from storage.db import transaction
from tests.web.support import PASSWORD, Api
from web.pages import strings

PAGES = ["/queue", "/admin", "/applications/01ARZ3NDEKTSV4RRFFQ69G5FAV", "/dashboard", "/audit",
         "/audit/applications/01ARZ3NDEKTSV4RRFFQ69G5FAV", "/audit/rules", "/audit/chain"]


def _login(api: Api, name: str) -> dict:
    answer = api.client.post("/v1/session", json={"name": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _page_data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert found, "no page-data block"
    return json.loads(found.group(1))


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_a_stranger_to_login_with_the_way_back(api: Api, path: str) -> None:
    answer = api.client.get(path, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next={path}"


def test_root_goes_to_login_then_to_the_roles_home(api: Api) -> None:
    assert api.client.get("/", follow_redirects=False).headers["location"] == "/login"
    _login(api, "verifier_3216")
    assert api.client.get("/", follow_redirects=False).headers["location"] == "/queue"


def test_login_page_is_indonesian_by_default_and_english_on_request(api: Api) -> None:
    page = api.client.get("/login")
    assert page.status_code == 200
    assert '<html lang="id">' in page.text and ">Masuk</h1>" in page.text
    english = api.client.get("/login?lang=en")
    assert '<html lang="en">' in english.text and ">Log in</h1>" in english.text
    assert "periksa_lang=en" in english.headers["set-cookie"]
    # the switch sticks: the cookie keeps English on the next page without ?lang
    again = api.client.get("/login")
    assert '<html lang="en">' in again.text
    assert _page_data(again.text)["strings"]["login.submit"] == "Log in"


def test_an_unknown_language_falls_back_to_indonesian(api: Api) -> None:
    page = api.client.get("/login?lang=xx")
    assert '<html lang="id">' in page.text and "set-cookie" not in page.headers


def test_both_languages_have_the_same_keys() -> None:
    assert set(strings("id")) == set(strings("en"))
    assert all(strings("id").values()) and all(strings("en").values())


def test_verifier_gets_queue_and_application_with_session_data(api: Api) -> None:
    session = _login(api, "verifier_3216")
    queue = api.client.get("/queue")
    assert queue.status_code == 200
    assert 'src="/static/queue.js"' in queue.text and ">Antrean pemeriksaan</h1>" in queue.text
    data = _page_data(queue.text)
    assert data["viewer"] == {"name": "verifier_3216", "role": "verifier", "office": "3216"}
    assert data["csrf_token"] == session["csrf_token"]
    one = api.client.get("/applications/01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert one.status_code == 200
    data = _page_data(one.text)
    assert data["application_id"] == "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    assert 0 < data["review_below"] < 1
    assert 'id="page-image"' in one.text and 'id="decide"' in one.text


def test_roles_are_sent_to_their_own_pages(api: Api) -> None:
    _login(api, "verifier_3216")
    assert api.client.get("/audit", follow_redirects=False).headers["location"] == "/queue"
    assert api.client.get("/dashboard").status_code == 200
    api.client.cookies.clear()
    _login(api, "auditor")
    assert api.client.get("/queue", follow_redirects=False).headers["location"] == "/audit"
    for path in ("/audit", "/audit/rules", "/audit/chain", "/dashboard",
                 "/audit/applications/01ARZ3NDEKTSV4RRFFQ69G5FAV"):
        assert api.client.get(path).status_code == 200, path


def test_an_admin_gets_the_people_page_only(api: Api) -> None:
    with transaction(api.stores.sessions) as session:
        accounts.add_user(session, "root", PASSWORD, "admin", None)
    _login(api, "root")
    assert api.client.get("/", follow_redirects=False).headers["location"] == "/admin"
    page = api.client.get("/admin")
    assert page.status_code == 200 and 'src="/static/admin.js"' in page.text
    for path in ("/queue", "/dashboard", "/audit"):
        assert api.client.get(path, follow_redirects=False).headers["location"] == "/admin"


def test_a_logged_out_session_no_longer_opens_pages(api: Api) -> None:
    session = _login(api, "verifier_3216")
    assert api.client.get("/queue").status_code == 200
    out = api.client.delete("/v1/session", headers={"X-CSRF-Token": session["csrf_token"]})
    assert out.status_code == 204
    assert api.client.get("/queue", follow_redirects=False).status_code == 303


def test_application_ids_are_checked_before_they_reach_a_page(api: Api) -> None:
    _login(api, "verifier_3216")
    assert api.client.get("/applications/not-an-id!").status_code in (400, 404, 422)
    assert api.client.get("/applications/" + "A" * 27).status_code in (400, 422)


def test_pages_are_locked_down(api: Api) -> None:
    """Scripts and styles from this origin only; the data block cannot close its script."""
    page = api.client.get("/login?next=/queue</script><script>alert(1)</script>")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["cache-control"] == "no-store"
    assert "<script>alert(1)" not in page.text
    assert _page_data(page.text)["next"] == ""


def test_login_keeps_only_a_local_next(api: Api) -> None:
    assert _page_data(api.client.get("/login?next=//evil.example/x").text)["next"] == ""
    assert _page_data(api.client.get("/login?next=/audit").text)["next"] == "/audit"


def test_static_modules_are_served(api: Api) -> None:
    for name in ("common.js", "application.js", "viewer.js", "report.js", "periksa.css"):
        answer = api.client.get(f"/static/{name}")
        assert answer.status_code == 200, name


def test_no_script_parses_data_as_html() -> None:
    """Every value reaches the DOM as text: no script uses an HTML-parsing sink."""
    static = Path(web.pages.__file__).parent / "static"
    scripts = sorted(static.glob("*.js"))
    assert len(scripts) >= 8
    for script in scripts:
        text = script.read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in text, f"{script.name} uses {sink}"


def test_every_string_the_pages_use_exists_in_both_languages() -> None:
    """A key missing from a catalogue would show as its raw name on the screen."""
    here = Path(web.pages.__file__).parent
    used: set[str] = set()
    for script in (here / "static").glob("*.js"):
        used |= set(re.findall(r'\bt\(\s*"([a-z0-9_.]+)"', script.read_text(encoding="utf-8")))
    for template in (here / "templates").glob("*.html"):
        used |= set(re.findall(r"s\['([a-z0-9_.]+)'\]", template.read_text(encoding="utf-8")))
    assert len(used) > 80
    for lang in ("id", "en"):
        assert used <= set(strings(lang)), (lang, sorted(used - set(strings(lang))))
