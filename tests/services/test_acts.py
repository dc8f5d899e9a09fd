"""Acts: the per-act reminder policy is entered, checked and kept like the installation's."""

import pytest
import sqlalchemy as sa

from monitoris.errors import ValidationError
from monitoris.extensions import db
from monitoris.models import Event
from monitoris.services import acts
from tests.factories import make_world


@pytest.fixture
def w():
    return make_world()


def test_an_act_is_created_with_its_own_reminder_policy_written_the_one_way(w):
    act = acts.create_act(w.controller, kind="decree", title="Decree on archives", reminder_policy=" 7, 3,1, 0 ,-2,3")
    assert act.reminder_policy == "7,3,1,0,-2"
    event = db.session.scalar(sa.select(Event).where(Event.action == "act.created", Event.object_id == act.id))
    assert event.after["reminder_policy"] == "7,3,1,0,-2"


def test_an_empty_policy_means_the_installations(w):
    act = acts.create_act(w.controller, kind="decree", title="Decree on archives", reminder_policy="14,2,0")
    acts.update_act(w.controller, act, reminder_policy="  ")
    assert act.reminder_policy is None
    event = db.session.scalars(sa.select(Event).where(Event.action == "act.updated", Event.object_id == act.id)).one()
    assert (event.before, event.after) == ({"reminder_policy": "14,2,0"}, {"reminder_policy": None})
    acts.update_act(w.controller, act, reminder_policy="3")
    acts.update_act(w.controller, act, reminder_policy=None)
    assert act.reminder_policy is None


def test_an_edit_that_leaves_the_policy_out_keeps_it(w):
    act = acts.create_act(w.controller, kind="decree", title="Decree on archives", reminder_policy="2,0")
    acts.update_act(w.controller, act, title="Decree on state archives")
    assert act.reminder_policy == "2,0"


@pytest.mark.parametrize("text", ["weekly", "7;3;1", "7,3,1,0,-31", "31", "7.5", "1_0", "٣", ",", "7,,x"])
def test_a_policy_the_scan_could_not_follow_is_refused_with_the_format(w, text):
    with pytest.raises(ValidationError) as refused:
        acts.create_act(w.controller, kind="decree", title="Decree on archives", reminder_policy=text)
    assert refused.value.errors["reminder_policy"] == [
        "Write whole days from -30 to 30 separated by commas, for example “7,3,1,0,-1”: days before the due date, "
        "0 on it, negative days after it. Leave empty for the installation's policy."]
    act = acts.create_act(w.controller, kind="decree", title="Decree on archives")
    with pytest.raises(ValidationError):
        acts.update_act(w.controller, act, reminder_policy=text)
