"""A search typed further looks only among the matches of the one before it."""

from incubator.demo import build_demo
from incubator.domain.pinyin import search_text
from incubator.store import queries

from ..conftest import NOW


def test_a_search_narrows_one_it_extends_with_the_same_filters():
    assert queries.narrows({"search": "", "hub": None}, {"search": "书", "hub": None})
    assert queries.narrows({"search": "jin", "hub": None}, {"search": "jinq ", "hub": None})
    assert not queries.narrows({"search": "jinq"}, {"search": "jin"})
    assert not queries.narrows({"search": "jin", "hub": None}, {"search": "jinq", "hub": "h1"})
    # 行 alone reads xing, in 银行 hang: 银行's pinyin matches may not match 行's
    assert not queries.narrows({"search": "行"}, {"search": "银行"})
    # nothing to spell (no pinyin clause) before, something after
    assert not queries.narrows({"search": "-"}, {"search": "-a"})


def test_narrowed_matches_are_the_matches(isolated_home):
    store = build_demo(isolated_home, orgs=16, months=2, seed=3, clock=lambda: NOW)
    names = [row["name"] for row in queries.organizations(store.db)]
    typed = [names[0][:3], names[5][1:4], *search_text(names[2]).split(" ")[:2]]
    for whole in typed:
        before = None
        for end in range(1, len(whole) + 1):
            filters = {"search": whole[:end], "stage": None}
            every = queries.matching_rowids(store.db, **filters)
            assert len(every) == queries.count_organizations(store.db, **filters)
            if before is not None and queries.narrows(before[0], filters):
                assert sorted(queries.matching_rowids(store.db, **filters, rowids=before[1])) \
                    == sorted(every)
            before = (filters, every)
    assert queries.matching_rowids(store.db, search=typed[0], rowids=[]) == []
    store.close()
