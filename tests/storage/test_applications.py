"""The application records and their state machine, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
import time

import pytest
from sqlalchemy import func, select

from pipeline.errors import PeriksaError
from pipeline.records import DocumentType, ExtractedDocument, Status
from storage import applications as apps
from storage import audit
from storage.db import transaction
from storage.errors import InvalidTransition
from storage.tables import Application

NIK = "3201234567890001"  # synthetic
SUBMISSION = {
    "reference": "REF-001", "office": "32.01", "service": "kk_perubahan", "document_type": "kk",
    "data": {"nomor_kk": "3201230101010001", "nama_kepala_keluarga": "BUDI SANTOSO",
             "anggota_keluarga": [{"nama_lengkap": "BUDI SANTOSO", "nik": NIK}]},
}
FILES = [
    apps.StoredFile("KK_BUDI_SANTOSO.jpg", "a" * 64, "image/jpeg", 1234),
    apps.StoredFile("halaman2.pdf", "b" * 64, "application/pdf", 99),
]


def _create(session, key=None, **overrides):
    args = dict(submission=SUBMISSION, document_type="kk", reference="REF-001", office="32.01",
                service="kk_perubahan", files=FILES, idempotency_key=key)
    return apps.create_application(session, **(args | overrides))


def _kinds(factory, application_id):
    with factory() as session:
        return [e.kind for e in audit.events_for(session, application_id)]


def test_create_records_documents_in_order_and_audits_without_personal_data(factory):
    with transaction(factory) as session:
        application = _create(session)
    with factory() as session:
        loaded = apps.get_application(session, application.id)
        assert loaded.status == "received" and loaded.flag is None
        assert loaded.submission == SUBMISSION
        assert [(d.position, d.filename, d.sha256, d.document_type) for d in loaded.documents] == [
            (0, "KK_BUDI_SANTOSO.jpg", "a" * 64, "kk"), (1, "halaman2.pdf", "b" * 64, "kk")]
        (event,) = audit.events_for(session, application.id)
    assert event.kind == "application.received"
    stored = json.dumps(event.payload)
    assert "BUDI" not in stored and NIK not in stored and "KK_BUDI" not in stored
    assert [f["sha256"] for f in event.payload["files"]] == ["a" * 64, "b" * 64]


def test_auto_type_leaves_document_types_open(factory):
    with transaction(factory) as session:
        application = _create(session, document_type="auto")
    assert [d.document_type for d in application.documents] == [None, None]


def test_known_idempotency_key_returns_the_first_application(factory):
    with transaction(factory) as session:
        first = _create(session, key="intake-42")
    with transaction(factory) as session:
        second = _create(session, key="intake-42", reference="REF-OTHER")
    assert second.id == first.id and second.reference == "REF-001"
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Application)) == 1
    assert _kinds(factory, first.id) == ["application.received"]


def test_same_key_while_the_first_is_uncommitted(factory):
    """The second request waits for the first, then answers with its application."""
    result: dict[str, str] = {}
    session = factory()
    session.begin()
    first = _create(session, key="intake-race")

    def second() -> None:
        with transaction(factory) as other:
            result["id"] = _create(other, key="intake-race").id

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)
    assert thread.is_alive()  # blocked by the first transaction (unique index / write lock)
    session.commit()
    session.close()
    thread.join(timeout=30)
    assert result["id"] == first.id


def test_concurrent_requests_with_one_key_make_one_application(factory):
    threads = 8
    barrier = threading.Barrier(threads)
    ids: list[str] = []
    errors: list[BaseException] = []

    def request() -> None:
        try:
            barrier.wait()
            with transaction(factory) as session:
                ids.append(_create(session, key="intake-burst").id)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=request) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == [] and len(ids) == threads and len(set(ids)) == 1
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Application)) == 1
        assert audit.verify(session).ok


def test_life_cycle_writes_one_audit_event_per_move(factory):
    with transaction(factory) as session:
        application = _create(session)
    for status in ["processing", "failed", "processing", "flagged", "processing", "flagged",
                   "decided"]:
        with transaction(factory) as session:
            application = apps.transition(session, session.merge(application), status,
                                          actor="worker", detail={"nik": NIK})
    assert application.status == "decided"
    kinds = _kinds(factory, application.id)
    assert kinds[1:] == ["status.processing", "status.failed", "status.processing",
                         "status.flagged", "status.processing", "status.flagged",
                         "status.decided"]
    with factory() as session:
        last = audit.events_for(session, application.id)[-1]
        assert last.payload == {"from": "flagged", "to": "decided",
                                "detail": {"nik": "3201********0001"}}
        assert audit.verify(session).ok


@pytest.mark.parametrize("path", [
    ["flagged"], ["decided"], ["failed"], ["processing", "decided"], ["processing", "received"],
    ["processing", "flagged", "decided", "processing"],
])
def test_illegal_transitions_raise_and_change_nothing(factory, path):
    with transaction(factory) as session:
        application = _create(session)
    with transaction(factory) as session:
        application = session.merge(application)
        for status in path[:-1]:
            apps.transition(session, application, status)
    with pytest.raises(InvalidTransition) as caught, transaction(factory) as session:
        apps.transition(session, session.merge(application), path[-1])
    assert isinstance(caught.value, PeriksaError) and caught.value.http_status == 409
    with factory() as session:
        expected = (path[:-1] or ["received"])[-1]
        assert apps.get_application(session, application.id).status == expected
        assert len(_kinds(factory, application.id)) == len(path)


def test_a_stale_copy_cannot_move_an_application_twice(factory):
    with transaction(factory) as session:
        application = _create(session)
    stale = factory()
    stale_copy = apps.get_application(stale, application.id)
    stale.rollback()  # keep the loaded object, release the read
    with transaction(factory) as session:
        apps.transition(session, session.merge(application), Status.PROCESSING)
    with pytest.raises(InvalidTransition), transaction(factory) as session:
        # stale_copy still says "received": compare-and-set refuses the second move
        apps.transition(session, session.merge(stale_copy, load=False), Status.PROCESSING)
    assert _kinds(factory, application.id).count("status.processing") == 1
    stale.close()


def test_reports_accumulate_and_the_latest_is_current(factory):
    with transaction(factory) as session:
        application = _create(session)
    with transaction(factory) as session:
        apps.save_report(session, session.merge(application), {"flag": "review", "n": 1},
                         "sha256:" + "1" * 64, "review")
    with transaction(factory) as session:
        apps.save_report(session, session.merge(application), {"flag": "clear", "n": 2},
                         "sha256:" + "2" * 64, "clear")
    with factory() as session:
        assert apps.latest_report(session, application.id) == {"flag": "clear", "n": 2}
        assert apps.get_application(session, application.id).flag == "clear"
        assert apps.latest_report(session, "NONE") is None
        events = audit.events_for(session, application.id)
    assert [e.payload["flag"] for e in events if e.kind == "report.flagged"] == ["review", "clear"]


def test_save_extraction_keeps_the_extracted_document(factory):
    with transaction(factory) as session:
        application = _create(session, document_type="auto")
    extracted = ExtractedDocument(
        file="KK_BUDI_SANTOSO.jpg", sha256="a" * 64, document_type=DocumentType.KK,
        fields={"nomor_kk": {"value": "1"}},
    )
    with transaction(factory) as session:
        document = session.merge(application).documents[0]
        apps.save_extraction(session, document, extracted)
    with factory() as session:
        stored = apps.get_application(session, application.id).documents[0]
        assert stored.document_type == "kk"
        assert stored.extraction["fields"] == {"nomor_kk": {"value": "1"}}
        assert stored.extraction["sha256"] == "a" * 64


def test_listing_filters_and_pages_newest_first(factory):
    created = []
    for n in range(5):
        with transaction(factory) as session:
            application = _create(session, reference=f"REF-{n}", office="32.01" if n % 2 else "33")
            created.append(application.id)
    with transaction(factory) as session:
        apps.transition(session, apps.get_application(session, created[0]), "processing")
    with factory() as session:
        page = apps.list_applications(session, limit=2)
        assert [a.id for a in page] == created[::-1][:2]
        rest = apps.list_applications(session, before=page[-1].id, limit=10)
        assert [a.id for a in rest] == created[::-1][2:]
        assert [a.id for a in apps.list_applications(session, status="processing")] == [created[0]]
        in_office = apps.list_applications(session, office="32.01")
        assert [a.id for a in in_office] == [created[3], created[1]]
        assert apps.get_application(session, "missing") is None
