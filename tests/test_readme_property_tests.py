"""The README's property tests of gradients, as a user copies them (without this project's conftest, which turns
hypothesis' deadline off): each must set `deadline=None`. Under hypothesis' default deadline of 200 ms, gradgradcheck
of an op of one's own at a drawn (4, 4, 4) tensor (0.4 s) failed with DeadlineExceeded, or a FlakyFailure
("Unreliable test timings") where a rerun came in under it, which says nothing of the rules."""

import datetime

import pytest
from hypothesis import settings
from test_readme import SECTIONS

PROPERTY_SECTIONS = ["Testing gradients in your own code", "Your own ops"]


@pytest.mark.parametrize("section", PROPERTY_SECTIONS)
def test_each_readme_property_test_turns_hypothesis_deadline_off(section):
    namespace: dict = {"__name__": "readme"}
    # hypothesis' own default profile, as a user's project has it (this project's conftest turns the deadline off)
    settings.register_profile("users_default", deadline=datetime.timedelta(milliseconds=200))
    kept = settings.get_current_profile_name()
    settings.load_profile("users_default")
    try:
        for code, first_line in SECTIONS[section]:
            exec(compile(code, f"README.md:{first_line}", "exec"), namespace)
    finally:
        settings.load_profile(kept)
    tests = {name: t for name, t in namespace.items() if name.startswith("test_") and hasattr(t, "hypothesis")}
    assert tests, f"{section}: no property test found"
    for name, test in tests.items():
        chosen = test._hypothesis_internal_use_settings
        assert chosen.deadline is None, f"{section}: {name} keeps hypothesis' deadline of {chosen.deadline}"
