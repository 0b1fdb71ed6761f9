"""The audit chain: linking, masking, tamper detection and concurrent writers."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from storage import audit
from storage.db import transaction
from storage.tables import AuditEvent

NIK = "3201234567890001"  # synthetic


def _append_three(factory):
    with transaction(factory) as session:
        audit.append(session, "application.received", application_id="A1", payload={"n": 1})
        audit.append(session, "status.processing", application_id="A1", actor="worker-1")
    with transaction(factory) as session:
        audit.append(session, "report.viewed", application_id="A1", actor="verifier-7",
                     payload={"nik": NIK, "note": "dibuka"})


def _events(factory):
    with factory() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def test_empty_chain_verifies(factory):
    with factory() as session:
        result = audit.verify(session)
    assert (result.ok, result.events, result.first_broken_seq, result.head) == (True, 0, None, None)


def test_events_link_and_verify(factory):
    _append_three(factory)
    events = _events(factory)
    kinds = [e.kind for e in events]
    assert kinds == ["application.received", "status.processing", "report.viewed"]
    assert events[0].prev_hash == audit.GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    with factory() as session:
        result = audit.verify(session)
    assert result.ok and result.events == 3 and result.head == events[-1].hash


def test_payload_is_masked_before_it_is_hashed_and_stored(factory):
    _append_three(factory)
    viewed = _events(factory)[-1]
    assert viewed.payload == {"nik": "3201********0001", "note": "dibuka"}
    assert viewed.actor == "verifier-7"


@pytest.mark.parametrize("column, value", [
    ("payload", '{"nik": "3201********0009", "note": "dibuka"}'),
    ("actor", "'someone-else'"),
    ("kind", "'report.flagged'"),
])
def test_tampering_with_a_row_is_reported_at_its_seq(factory, engine, column, value):
    _append_three(factory)
    target = _events(factory)[1].seq if column != "payload" else _events(factory)[2].seq
    cast = "::jsonb" if column == "payload" and engine.dialect.name == "postgresql" else ""
    literal = f"'{value}'{cast}" if column == "payload" else value
    with engine.begin() as connection:
        sql = f"UPDATE audit_events SET {column} = {literal} WHERE seq = {target}"
        connection.execute(text(sql))
    with factory() as session:
        result = audit.verify(session)
    assert not result.ok
    assert result.first_broken_seq == target
    assert "altered" in result.reason
    assert result.events == 3


def test_removing_a_row_breaks_the_next_link(factory, engine):
    _append_three(factory)
    middle, last = _events(factory)[1:]
    with engine.begin() as connection:
        connection.execute(text(f"DELETE FROM audit_events WHERE seq = {middle.seq}"))
    with factory() as session:
        result = audit.verify(session)
    assert (result.ok, result.first_broken_seq, result.events) == (False, last.seq, 2)
    assert "removed" in result.reason


def test_kind_must_be_dotted(factory):
    with pytest.raises(ValueError), transaction(factory) as session:
        audit.append(session, "Received")


def test_rolled_back_append_leaves_the_chain_whole(factory):
    with pytest.raises(RuntimeError), transaction(factory) as session:
        audit.append(session, "status.processing", application_id="A9")
        raise RuntimeError("worker crashed")
    _append_three(factory)
    with factory() as session:
        result = audit.verify(session)
    assert result.ok and result.events == 3


def test_concurrent_appends_keep_one_linear_chain(factory):
    threads, per_thread = 8, 12
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                with transaction(factory) as session:
                    audit.append(session, "status.processing", application_id=f"T{n}",
                                 payload={"i": i})
        except BaseException as exc:  # noqa: BLE001 - re-raised below in the main thread
            errors.append(exc)

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    events = _events(factory)
    assert len(events) == threads * per_thread
    assert len({e.prev_hash for e in events}) == len(events)  # no two links share a parent
    with factory() as session:
        result = audit.verify(session)
    assert result.ok and result.events == threads * per_thread
