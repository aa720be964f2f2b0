"""mDNS on this machine: a serving hub is found, its address learned, then synced with."""

import asyncio

from incubator.sync.discovery import Announcer
from incubator.sync.service import learn_addresses
from incubator.sync.transport import SyncServer, sync_all

from .helpers import hub_and_member, tables


async def test_a_member_finds_an_announced_hub_and_syncs(tmp_path):
    hub, member = hub_and_member(tmp_path)
    server = SyncServer(hub.replica)
    _host, port = await server.start("127.0.0.1", 0)
    announcer = Announcer(hub.replica.identity.device_id, "127.0.0.1", port)
    await announcer.start()
    try:
        found = await asyncio.get_running_loop().run_in_executor(
            None, learn_addresses, member.replica, 2.0)
        assert found == 1
        results = await sync_all(member.replica)
        assert [result.error for result in results] == [None]
        assert tables(member) == tables(hub)
    finally:
        await announcer.close()
        await server.close()
