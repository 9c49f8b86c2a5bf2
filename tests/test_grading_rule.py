"""The grade bands: one rule (`recall.grading.base.GRADE_RULE`, applied by `quality_from_checklist`) that the
offline grader uses as its grade, Claude's cross-check uses to test the model's grade, and the prompt sends
to the model as its rubric."""

from __future__ import annotations

import pytest

from recall.grading.base import GRADE_RULE, quality_from_checklist
from recall.grading.prompt import INSTRUCTIONS
from recall.scheduler import Grade

C, P, M = "covered", "partial", "missing"


@pytest.mark.parametrize(("statuses", "quality"), [
    ([], 0), ([M, M], 0), ([P, M, M], 1), ([P, P, P, P], 1), ([P], 1),
    ([C, M, M, M], 2), ([C, P, M], 2), ([C, C, P, P, P], 2),           # under 50% covered
    ([C, M], 3), ([C, C, M], 3), ([C, C, C, M, M], 3), ([C, C, C, P], 3),  # 50% up to 80%
    ([C, C, C, C, M], 4), ([C, C, C, C, P], 4),                         # 80% or more
    ([C, C], 5), ([C] * 5, 5), ([C], 5),
])
def test_the_bands_by_share_covered(statuses, quality):
    assert quality_from_checklist(statuses) == quality


def test_with_five_key_points_three_covered_two_missing_is_exactly_a_three():
    assert quality_from_checklist([C, C, C, M, M]) == 3
    assert "3 covered is 60%, a 3" in GRADE_RULE


def test_twelve_of_fifteen_is_eighty_percent_exactly():
    assert quality_from_checklist([C] * 12 + [M] * 3) == 4


@pytest.mark.parametrize("count", range(1, 9))
def test_all_partial_is_never_a_pass(count):
    assert not Grade(quality_from_checklist([P] * count)).passes


@pytest.mark.parametrize(("statuses", "core", "quality"), [
    ([C, C, C, C, M], 5, 2), ([C, C, C, C, P], 5, 2), ([C, C, C, C, M], 1, 4),
    ([M, C], 1, 2), ([C, M], 1, 3), ([P, P], 1, 1), ([M, M], 2, 0), ([C, C], 2, 5),
])
def test_the_core_point_decides_a_pass(statuses, core, quality):
    assert quality_from_checklist(statuses, core=core) == quality


def test_misconceptions_cap_the_grade():
    assert quality_from_checklist([C, C], minor_misconceptions=1) == 4
    assert quality_from_checklist([C, C], serious_misconceptions=1) == 2
    assert quality_from_checklist([P, M], serious_misconceptions=1) == 1


@pytest.mark.parametrize("core", [0, 3, -1])
def test_a_core_outside_the_key_points_is_a_bug_not_a_grade(core):
    with pytest.raises(ValueError):
        quality_from_checklist([C, C], core=core)


def test_the_rule_is_what_the_model_is_told():
    assert GRADE_RULE in INSTRUCTIONS
    for phrase in ("all partial is never a pass", "marked (core)", "at most 2", "under 50%: 2",
                   "80% or more: 4", "5 only when every key point is covered"):
        assert phrase in " ".join(GRADE_RULE.split()), phrase
