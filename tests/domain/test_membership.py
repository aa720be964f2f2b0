import pytest

from incubator.domain.membership import may_write, refusal


@pytest.mark.parametrize(("role", "kind", "allowed"), [
    ("hub", "network", True), ("hub", "hub", True), ("hub", "org", True),
    ("field", "network", False), ("field", "hub", False), ("field", "org", True),
    ("viewer", "network", False), ("viewer", "hub", False), ("viewer", "org", False),
    ("admin", "org", False), (None, "org", False),
    ("evaluator", "project", True), ("evaluator", "application", True),
    ("evaluator", "org", False), ("evaluator", "round", False), ("evaluator", "needs", False),
    ("evaluator", "network", False), ("field", "needs", True), ("field", "person", True),
    ("field", "round", False), ("field", "application", False),
])
def test_roles_decide_which_documents_a_device_may_write(role, kind, allowed):
    assert may_write(role, kind) is allowed


def test_an_unknown_device_is_refused_with_a_reason():
    assert refusal(None, "org", "ABCDEFG").render() == "a change by ABCDEFG, which is not a member"


def test_a_revoked_hub_writes_nothing():
    member = {"role": "hub", "revoked_at": "2026-01-01T00:00:00+00:00"}
    assert "revoked" in refusal(member, "org", "ABCDEFG").render()


def test_a_field_device_may_not_change_membership():
    text = refusal({"role": "field"}, "network", "ABCDEFG").render()
    assert text == "a change to network settings and membership by ABCDEFG, a field device"


def test_a_field_device_may_write_an_organization():
    assert refusal({"role": "field", "revoked_at": None}, "org", "ABCDEFG") is None


def test_an_evaluator_writes_evaluations_of_an_application_and_nothing_else_in_it():
    from incubator.domain.membership import path_refusal

    assert path_refusal("evaluator", "application", [("evaluations", "e1", "result")],
                        "ABCDEFG") is None
    text = path_refusal("evaluator", "application",
                        [("evaluations", "e1"), ("reviews", "k", "scores")], "ABCDEFG").render()
    assert text == "a change to review scores (reviews/k/scores) by ABCDEFG, a evaluator device"
