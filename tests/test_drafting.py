"""Drafting's pure rules: notes cut at headings to fit a request, tags from headings, the duplicate rule,
and the offline key points."""

from __future__ import annotations

from recall.drafting import NotesPart, duplicate_of, sentence_key_points, split_notes

NOTES = """Intro line before any heading.

# Attention
## Scaling
Scores grow with d_k.

## Heads
Several heads.

# Training
Warm-up helps.
"""


def test_notes_are_cut_at_headings_and_joined_under_their_top_heading():
    parts = split_notes(NOTES)
    assert [part.headings for part in parts] == [(), ("Attention",), ("Training",)]
    assert parts[1].text == "## Scaling\nScores grow with d_k.\n\n## Heads\nSeveral heads."
    assert parts[1].tags == ("attention",) and parts[2].text == "Warm-up helps."


def test_a_part_longer_than_the_limit_is_cut_at_blank_lines_and_then_at_the_limit():
    long_notes = "# A\n" + "\n\n".join(["x" * 30] * 4) + "\n\n" + "y" * 130
    parts = split_notes(long_notes, limit=70)
    assert all(len(part.text) <= 70 for part in parts)
    assert "".join(part.text.replace("\n", "") for part in parts) == "x" * 120 + "y" * 130
    assert {part.headings for part in parts} == {("A",)}


def test_tags_are_the_two_outermost_headings_as_slugs():
    assert NotesPart(("Chapter 3: Learning", "Cross-entropy", "Detail"), "t").tags == ("chapter-3-learning",
                                                                                        "cross-entropy")


def test_a_duplicate_shares_most_telling_words_of_the_prompt():
    existing = {"nn.softmax": "What does a softmax layer output?", "nn.overfit": "What is overfitting?"}
    assert duplicate_of("What do softmax layers output?", existing) == "nn.softmax"
    assert duplicate_of("Why does a softmax layer saturate?", existing) is None
    assert duplicate_of("", existing) is None


def test_offline_key_points_are_the_answers_sentences_or_list_items():
    assert sentence_key_points("It grows. It saturates!") == ("It grows.", "It saturates!")
    assert sentence_key_points("Because:\n- one\n- two") == ("one", "two")
