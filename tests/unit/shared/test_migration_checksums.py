"""Each committed migration's checksum is pinned: a released migration is never edited, only followed.

A database that applied a migration records its checksum and refuses to start when the file later
differs (services/shared/migrations.py), so an edit to a released file breaks every deployment that
ran it. Change the schema with a new, higher-numbered file; add its line here when it is committed.
"""

from services.shared.migrations import discover

PINNED = {
    "0001_schema": "d99f3ada2e7e74f88b91157bd1c1475ebb21261e4c5ff154f4ae21e6ff0f8921",
    "0002_default_queues": "8170b666efe214d0689c47106dc94f89d45cba8613ebe850cbaf525f95e5bb60",
    "0003_metrics": "684298e5c589c67293be4cb9811c4c9e2992a94c5dfc6ed0854888cdff645fdb",
    "0004_documents_and_corrections": "c64d69fc68ea64860500642faa0d8bb9ae2464eb66d1be2d5130841aeba427ca",
    "0005_routing": "af66cbbd43b4dc372483d6c7bf80ca8a73dde5d7c5b0306bb7b1e2ccc852788a",
    "0006_sla_and_delivery": "e0926446d9a4c5e6697ec2e14a19e81ad5bbc9c40bf7b388bec21d9958a11386",
    "0007_metrics_report": "97b4770fba6850d6919b7014e46605d2f61698330619486caad198b7c63f6f87",
    "0008_event_set_aside": "c8491399c9e26e81fd25c192e2110fd2e23e9962a80c9789f100adce7d6d1f87",
    "0009_credentials": "bcf1d53f2923b1c4a9c08b2310e55fdcf037d72422d0ad8e2d0b23605f679d65",
    "0010_identities": "fdf315ef8d7ee5a43d932e1640785cfdfa067f9b8cddbd8062f49c0ceb964fec",
    "0011_centre_timezone": "131697e00d6b4087c9fb757a4be0c24dfdd75a4d398ecec906cdacf67c845516",
    "0012_mail_threads": "b53114a3db419308c307e078c002ded951ca756d9c45d91df4d331c458a84797",
    "0013_staff_languages": "ed583a81f50a7f9801de01f393a8af5289489698386dac88959b9ac5b6b85688",
    "0014_messaging": "eb70b1d8f73267dd7eed10dee66854f2dac8cee94fc3eb030395e1ce6eaffbbe",
    "0015_wrap_up_and_scorecards": "3281c0d7fb8213b3098d36c8227e85a8193830ec97d1bab163e5fa98ebff80e2",
    "0016_web_chat": "fc37fd45f6b3d882d6f591d5b2c36fc72cf19cebdaf09de35a3faf4ad22c6856",
    "0017_demand": "b77ccf49fdb9aee735516bf510595167427b8984d3fcd4d1385e019e8e73da9f",
    "0018_document_pages": "6d195934a82ce90a1171e73ae073bd0224f4935de82a078766790c6029ca1c5c",
    "0019_proactive_messages": "c0d032abb59eb09d1b4637c1abeeee505367abc6e9258a564022ef242209cf4f",
    "0020_routing_wake_after_commit": "f9837ce4e0f6375f8b25f4d82faed94ed3296fd403e9014681b81d0a716e7785",
    "0021_occupancy_daily": "39a39c072110348d73ee611b3709a167d1894d7fe316619718ea95c773a706b4",
    "0022_tickets_created_intent": "a0e55e906a9671720da5f163b6f8e27b1b577dda9c428ac8aae23ac187c8d47a",
    "0023_queue_recent_resolved": "1c915ed83830b6a8a8c0dc1de7fc3bd4c53ceb0d7cc416c2d688df491c06b403",
    "0024_returning_due": "c1935d8c61a17ce461e294d5dbbe451ffbcde242629b0fb42f935786f7dbee8d",
}


def test_no_committed_migration_has_changed() -> None:
    found = {m.version: m.checksum for m in discover()}
    changed = [v for v, checksum in PINNED.items() if found.get(v) != checksum]
    assert not changed, f"edited or removed after release (write a new migration instead): {changed}"


def test_every_migration_is_pinned() -> None:
    unpinned = sorted(set(m.version for m in discover()) - PINNED.keys())
    assert not unpinned, f"pin the new migration's checksum in this test once it is committed: {unpinned}"
