"""Real TLS sessions on 127.0.0.1: pinning both ways, revocation, hostile bytes."""

import asyncio
import ssl
import struct

import pytest

from incubator.sync.peers import pin_peer
from incubator.store.identity import Card
from incubator.store.commands import Store
from incubator.sync.protocol import MAX_FRAME, Frame, FrameDecoder
from incubator.sync.tls import client_context
from incubator.sync.transport import SyncServer, parse_address, sync_with

from ..conftest import NOW
from .helpers import hub_and_member, org_names, tables


@pytest.fixture
async def served(tmp_path):
    """A hub serving on a free port, and a hub member device that may sync with it."""
    hub, member = hub_and_member(tmp_path, role="hub")
    server = SyncServer(hub.replica)
    _host, port = await server.start("127.0.0.1", 0)
    yield hub, member, f"127.0.0.1:{port}"
    await server.close()
    hub.close()
    member.close()


def hub_id(store):
    return store.db.conn.execute("SELECT id FROM hubs").fetchone()[0]


async def raw_session(member: Store, hub: Store, address: str, data: bytes) -> bytes:
    """Connect as `member` with correct TLS, send `data`, return all the server says."""
    host, port = parse_address(address)
    context = client_context(member.replica.identity, hub.replica.identity.certificate_pem)
    reader, writer = await asyncio.open_connection(host, port, ssl=context, server_hostname="")
    writer.write(data)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    return answer


class TestSessions:
    async def test_a_member_syncs_over_tls_and_an_idle_reconnect_is_tiny(self, served):
        hub, member, address = served
        hub.add_org("东湖村书画社", "culture", hub_id(hub), entered="2024-01-01")
        first = await sync_with(member.replica, hub.replica.identity.device_id, address)
        assert first.error is None and first.stats.docs_received == 3
        assert org_names(member) == ["东湖村书画社"] and tables(member) == tables(hub)
        idle = await sync_with(member.replica, hub.replica.identity.device_id, address)
        assert idle.error is None
        assert idle.stats.round_trips == 1
        assert idle.stats.bytes_sent + idle.stats.bytes_received <= 200

    async def test_the_session_is_recorded_on_both_sides(self, served):
        hub, member, address = served
        await sync_with(member.replica, hub.replica.identity.device_id, address)

        def last(store):
            return store.db.conn.execute(
                "SELECT last_sync, last_error FROM sync_peers WHERE last_sync IS NOT NULL"
            ).fetchall()

        assert last(member) == [(NOW.isoformat(), None)]

        async def recorded_by_the_hub():  # the server writes its record once the client left
            while not last(hub):
                await asyncio.sleep(0.01)

        await asyncio.wait_for(recorded_by_the_hub(), 10)
        assert last(hub) == [(NOW.isoformat(), None)]


class TestPinning:
    async def test_an_unknown_certificate_is_refused_by_the_server(self, served, tmp_path):
        hub, _member, address = served
        stranger = Store.init(tmp_path / "stranger", "陌生中心", clock=lambda: NOW)
        pin_peer(stranger.replica, Card.of(hub.replica.identity))
        before = tables(hub)
        result = await sync_with(stranger.replica, hub.replica.identity.device_id, address)
        assert result.error and "拒绝" in result.error
        assert tables(hub) == before

    async def test_the_client_refuses_a_server_that_is_not_the_pinned_device(self, served,
                                                                             tmp_path):
        hub, member, address = served
        other = Store.init(tmp_path / "other", "另一个中心", clock=lambda: NOW)
        pin_peer(member.replica, Card.of(other.replica.identity))
        result = await sync_with(member.replica, other.replica.identity.device_id, address)
        assert result.error and "证书与" in result.error
        assert member.replica.doc_ids() == []

    async def test_a_revoked_member_is_refused_without_a_restart(self, served):
        hub, member, address = served
        assert (await sync_with(member.replica, hub.replica.identity.device_id, address)).error is None
        hub.revoke_member(member.replica.identity.device_id)
        result = await sync_with(member.replica, hub.replica.identity.device_id, address)
        assert result.error and "拒绝" in result.error

    async def test_a_tls_1_2_client_is_refused(self, served):
        hub, member, address = served
        host, port = parse_address(address)
        context = client_context(member.replica.identity, hub.replica.identity.certificate_pem)
        _reader, writer = await asyncio.open_connection(host, port, ssl=context,
                                                        server_hostname="")
        assert writer.get_extra_info("ssl_object").version() == "TLSv1.3"
        writer.close()
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.maximum_version = ssl.TLSVersion.TLSv1_2
        with pytest.raises((ssl.SSLError, ConnectionResetError)):
            await asyncio.open_connection(host, port, ssl=context, server_hostname="")


class TestHostileBytes:
    async def test_an_oversized_frame_ends_the_session_with_an_error(self, served):
        hub, member, address = served
        before = tables(hub)
        answer = await raw_session(member, hub, address, struct.pack(">I", MAX_FRAME + 1))
        frames = list(FrameDecoder().feed(answer))
        assert frames[-1][0] is Frame.ERROR and "out of bounds" in frames[-1][1]["message"]
        assert tables(hub) == before
        error = hub.db.conn.execute("SELECT last_error FROM sync_peers").fetchone()[0]
        assert "超出范围" in error

    async def test_garbage_after_the_handshake_changes_nothing(self, served):
        hub, member, address = served
        before = tables(hub)
        answer = await raw_session(member, hub, address, b"GET / HTTP/1.1\r\n\r\n")
        assert list(FrameDecoder().feed(answer))[-1][0] is Frame.ERROR
        assert tables(hub) == before
