"""How much the grading pipeline adds to a bare SDK call: time to first feedback text, and total.

Both run in the same process against the same fake Messages API (tests/fake_messages_api.py), which
streams the same structured reply with a fixed delay per token, alternating so drift hits both alike.
The bare call sends the same request with `AsyncAnthropic().messages.stream` and counts its first text as
the first event whose snapshot reaches into the explanation's value: the earliest any client could show
feedback. The goal is ratios within 5% of 1.00.

Run from the repository root: /work/venv/bin/python bench/bench_grading.py [--runs N] [--token-delay S]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The repository for `recall`, and tests/ for the fake server (a top-level `tests` package installed by
# supermemo2 shadows ours, so it is imported as `fake_messages_api`).
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fake_messages_api import FakeMessagesAPI, StreamedReply  # noqa: E402

from recall.deck import Card  # noqa: E402
from recall.grading.claude import ClaudeGrader, reply_schema  # noqa: E402
from recall.grading.prompt import learner_messages, system_blocks  # noqa: E402

MODEL = "claude-haiku-5-5"
CHARS_PER_TOKEN = 4
EXPLANATION_START = '"corrected_explanation": "'
CARD = Card(
    id="ch3.saturation", deck="Nielsen 3",
    prompt="What is a saturated sigmoid neuron, and why does it learn slowly under the quadratic cost?",
    answer="When |z| is large the sigmoid is flat, so sigma'(z) is tiny. The quadratic cost's gradients "
           "carry a factor sigma'(z), so a saturated output neuron gets tiny updates even when it is badly wrong.",
    key_points=("sigma'(z) is tiny when |z| is large", "the quadratic cost's gradient carries a factor sigma'(z)",
                "so a badly wrong saturated neuron learns slowly", "cross-entropy cancels sigma'(z)"),
)
ANSWER = ("A neuron is saturated when its weighted input z is very large or very small, so the sigmoid output "
          "is near 0 or 1 and changes very little. Learning is slow because the gradient is small there.")
EXPLANATION = " ".join([
    "A neuron is saturated when its weighted input z is very large or very small, so the sigmoid output is",
    "near 0 or 1 and **the curve is flat there: sigma'(z) is tiny**.",
    "Under the quadratic cost **the gradients dC/dw and dC/db both carry a factor sigma'(z)** (from the",
    "chain rule through the activation), so a saturated output neuron gets tiny updates, **even when its",
    "output is badly wrong**: that is why learning starts slowly.",
    "**The cross-entropy cost cancels the sigma'(z) factor**, so its gradient is proportional to the error",
    "(a - y) and a badly wrong neuron learns fastest.",
] * 3)
REPLY = {
    "corrected_explanation": EXPLANATION,
    "key_points": [
        {"number": 1, "status": "covered", "evidence": "the sigmoid output is near 0 or 1 and changes very little"},
        {"number": 2, "status": "partial", "evidence": "the gradient is small there"},
        {"number": 3, "status": "missing", "evidence": ""},
        {"number": 4, "status": "missing", "evidence": ""},
    ],
    "misconceptions": [],
    "rationale": "The flat sigmoid is explained, but not why the quadratic cost's gradient shrinks with it, "
                 "nor the cure.",
    "grade": 2,
}


async def bare_call(client, request: dict) -> tuple[float, float]:
    start = time.perf_counter()
    first_text = None
    async with client.messages.stream(**request) as stream:
        async for event in stream:
            if first_text is None and event.type == "text":
                value_starts = event.snapshot.find(EXPLANATION_START)
                if value_starts >= 0 and len(event.snapshot) > value_starts + len(EXPLANATION_START):
                    first_text = time.perf_counter() - start
        await stream.get_final_message()
    return first_text, time.perf_counter() - start


async def pipeline_call(grader: ClaudeGrader) -> tuple[float, float]:
    start = time.perf_counter()
    first_text = None

    async def sink(_chunk: str) -> None:
        nonlocal first_text
        if first_text is None:
            first_text = time.perf_counter() - start

    await grader.grade(CARD, ANSWER, sink)
    return first_text, time.perf_counter() - start


async def bench(runs: int, token_delay: float, first_token_delay: float) -> None:
    import anthropic

    with FakeMessagesAPI() as api:
        api.default_reply = StreamedReply.json(REPLY, chunk_chars=CHARS_PER_TOKEN, chunk_delay=token_delay,
                                               first_token_delay=first_token_delay)
        client = anthropic.AsyncAnthropic(api_key="bench-key", base_url=api.base_url, max_retries=0)
        grader = ClaudeGrader(MODEL, "bench-key", api.base_url, max_retries=0)
        request = {"model": MODEL, "max_tokens": grader.max_tokens, "system": system_blocks(CARD),
                   "messages": learner_messages(ANSWER),
                   "output_config": {"format": {"type": "json_schema", "schema": reply_schema()}}}
        await bare_call(client, request)  # warm both: connections, schema, lazy imports
        await pipeline_call(grader)
        bare, pipeline = [], []
        for run in range(runs):
            pair = [(bare, bare_call(client, request)), (pipeline, pipeline_call(grader))]
            for results, call in pair if run % 2 == 0 else reversed(pair):
                results.append(await call)
        await client.close()
        await grader.aclose()

    tokens = len(json.dumps(REPLY)) // CHARS_PER_TOKEN
    print(f"fake server: {tokens} tokens of {CHARS_PER_TOKEN} chars, {token_delay * 1000:g} ms per token, "
          f"{first_token_delay * 1000:g} ms to the first token; {runs} runs each, medians")
    print(f"{'':>22}{'first text (s)':>16}{'total (s)':>12}")
    for name, results in (("bare SDK stream", bare), ("ClaudeGrader.grade", pipeline)):
        print(f"{name:>22}{statistics.median(r[0] for r in results):>16.4f}"
              f"{statistics.median(r[1] for r in results):>12.4f}")
    ratios = [statistics.median(p[i] for p in pipeline) / statistics.median(b[i] for b in bare) for i in (0, 1)]
    print(f"{'grade / bare':>22}{ratios[0]:>16.3f}{ratios[1]:>12.3f}   (goal: at most 1.05)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--token-delay", type=float, default=0.002, help="seconds per streamed token")
    parser.add_argument("--first-token-delay", type=float, default=0.2, help="seconds before the first token")
    args = parser.parse_args()
    asyncio.run(bench(args.runs, args.token_delay, args.first_token_delay))


if __name__ == "__main__":
    main()
