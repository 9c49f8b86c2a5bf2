"""Grading with Claude through the official `anthropic` SDK: streamed, structured, every failure a sentence.

`anthropic` takes over a second to import and the prompt module pulls in pydantic, so both are imported
inside the functions that use them: importing this module stays cheap on the way to the TUI's first frame.

The request asks for structured output (`output_config.format`, the JSON schema of `GradingReply`); the
reply is that JSON, streamed as text. While it streams, each event's partial JSON is parsed and only the
new suffix of `corrected_explanation` goes to `on_text`, so the learner reads the corrected explanation as
it is written; the verdict follows as one final chunk. The final reply is parsed here rather than by the
SDK's `output_format=`, so that a reply cut off by max_tokens is told apart from an invalid one (by its
stop_reason), and so that servers which ignore the schema go through the same tolerant parser. A server
that rejects `output_config` (some local Messages API servers) is asked again with a forced tool call, and
the grader remembers that this worked.

Every failure of the request is a `GradingError`, whatever the SDK raised: a reply that is not an event
stream (a proxy's web page, JSON) or a malformed stream must leave `--grader auto` free to fall back.
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from recall.deck import Card
from recall.grading.base import (
    NOT_SURE,
    GradingError,
    KeyPointResult,
    Misconception,
    TextSink,
    Usage,
    Verdict,
    discard_text,
    is_trivial_answer,
    key_point_status_line,
    quality_from_checklist,
)
from recall.scheduler import Grade

if TYPE_CHECKING:
    from pydantic import BaseModel

Reply = TypeVar("Reply", bound="BaseModel")

DEFAULT_BASE_URL = "https://api.anthropic.com"
EXPLANATION_FIELD = "corrected_explanation"
REPLY_TOOL = "record_grade"
CROSS_CHECK_TOLERANCE = 1
STRUCTURED_OUTPUT_REJECTION = re.compile(r"output_config|output_format|json_schema|format|schema", re.IGNORECASE)
RETRYABLE_KINDS = frozenset({"rate_limited", "server", "overloaded", "timeout", "connection", "stream_error",
                             "unreadable_reply"})
EVENT_STREAM = "text/event-stream"
OFFLINE = "or grade offline with --grader offline"
MAX_DETAIL_CHARS = 160


class ClaudeGrader:
    """A `Grader` backed by the Messages API (Anthropic's, or any server that speaks it at `base_url`)."""

    name = "claude"

    def __init__(self, model: str, api_key: str | None, base_url: str | None = None, max_tokens: int = 2048,
                 *, max_retries: int = 2, timeout: float = 60.0, connect_timeout: float = 5.0) -> None:
        self.model = model
        self.base_url = base_url or DEFAULT_BASE_URL
        self.max_tokens = max_tokens
        self.max_retries = max_retries
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self._api_key = api_key
        self._client: Any = None
        self._reply_by_tool = False

    async def grade(self, card: Card, answer: str, on_text: TextSink | None = None) -> Verdict:
        sink = on_text or discard_text
        if is_trivial_answer(answer):
            verdict = trivial_verdict(card, self.name)
            await sink(verdict.feedback)
            return verdict
        explanation = ExplanationStream(sink)
        message = await self.ask(lambda by_tool: self._request(card, answer, by_tool), explanation)
        return await self._verdict(card, message, explanation)

    async def ask(self, build_request: Callable[[bool], dict[str, Any]], explanation: ExplanationStream) -> Any:
        """Send the request `build_request(by_tool)` builds (for structured output, or for a forced tool
        call when `by_tool`), streaming the reply's corrected explanation to `explanation`; returns the
        final message. Every failure is a `GradingError` (the recap grader asks through this too)."""
        if not self._api_key:
            raise self._failure("no_key", "No Anthropic API key is set: export ANTHROPIC_API_KEY=<your key> "
                                          f"to grade with Claude, {OFFLINE}.")
        try:
            # The SDK's import (over a second, far more on a loaded machine) and the request's prompt and
            # schema are made ready first: `timeout` limits the request from when it is sent.
            client = self.client_for_requests()
            requests = {by_tool: build_request(by_tool) for by_tool in (False, True)}
            async with asyncio.timeout(self.timeout):
                return await self._request_reply(client, requests, explanation)
        except GradingError:
            raise
        except Exception as exc:
            if exc is explanation.sink_error:  # the caller's own failure, not the request's
                raise
            raise self.describe_failure(exc) from exc

    async def aclose(self) -> None:
        """Release the HTTP connections (the client is created on the first request that needs it)."""
        if self._client is not None:
            await self._client.close()
            self._client = None

    def client_for_requests(self) -> Any:
        if self._client is None:
            import anthropic

            self._client = anthropic.AsyncAnthropic(
                api_key=self._api_key, base_url=self.base_url, max_retries=self.max_retries,
                timeout=anthropic.Timeout(self.timeout, connect=self.connect_timeout))
        return self._client

    async def _request_reply(self, client: Any, requests: dict[bool, dict[str, Any]],
                             explanation: ExplanationStream) -> Any:
        """Ask for structured output, or by a forced tool call (`requests[True]`) when the server rejects it."""
        import anthropic

        try:
            return await self._stream(client, requests[self._reply_by_tool], explanation)
        except anthropic.BadRequestError as exc:
            if self._reply_by_tool or not STRUCTURED_OUTPUT_REJECTION.search(exc.api_message or ""):
                raise
        message = await self._stream(client, requests[True], explanation)
        self._reply_by_tool = True
        return message

    async def _stream(self, client: Any, request: dict[str, Any], explanation: ExplanationStream) -> Any:
        tool_input_json = ""
        async with client.messages.stream(**request) as stream:
            content_type = stream.response.headers.get("content-type", "")
            if not content_type.lower().startswith(EVENT_STREAM):
                raise self._failure("not_a_stream", f"{self.base_url} answered with {body_kind(content_type)} "
                                                    "instead of a Messages API event stream: check the base URL "
                                                    f"(ANTHROPIC_BASE_URL or base_url in config.toml), {OFFLINE}.")
            async for event in stream:
                if event.type == "text":
                    await explanation.show(event.snapshot)
                elif event.type == "input_json":
                    tool_input_json += event.partial_json
                    await explanation.show(tool_input_json)
            return await stream.get_final_message()

    def _request(self, card: Card, answer: str, by_tool: bool) -> dict[str, Any]:
        from recall.grading.prompt import GradingReply, learner_messages, system_blocks

        return self.structured_request(system_blocks(card), learner_messages(answer), GradingReply, by_tool,
                                       "Record the grade of the learner's explanation.")

    def structured_request(self, system: list[dict], messages: list[dict], reply_model: type[BaseModel],
                           by_tool: bool, tool_description: str, max_tokens: int | None = None) -> dict[str, Any]:
        """A streamed request whose reply follows `reply_model`'s schema: as structured output, or by a
        forced tool call (`by_tool`)."""
        request: dict[str, Any] = {"model": self.model, "max_tokens": max_tokens or self.max_tokens,
                                   "system": system, "messages": messages}
        schema = reply_schema(reply_model)
        if by_tool:
            request["tools"] = [{"name": REPLY_TOOL, "description": tool_description, "input_schema": schema}]
            request["tool_choice"] = {"type": "tool", "name": REPLY_TOOL}
        else:
            request["output_config"] = {"format": {"type": "json_schema", "schema": schema}}
        return request

    async def _verdict(self, card: Card, message: Any, explanation: ExplanationStream) -> Verdict:
        from recall.grading.prompt import PROMPT_VERSION, GradingReply

        reply = self.read_reply(message, GradingReply)
        key_points = key_point_results(card.key_points, reply)
        misconceptions = tuple(Misconception(m.claim, m.correction, m.severity, m.kind)
                               for m in reply.misconceptions)
        notices = cross_check(reply.grade, key_points, misconceptions, card.core)
        follow_up = reply.follow_up_question.strip()
        final_chunk = explanation.remainder(reply.corrected_explanation) + verdict_section(
            key_points, misconceptions, reply.rationale, reply.grade, notices, follow_up, card.answer)
        await explanation.sink(final_chunk)
        return Verdict(
            suggested_quality=reply.grade, key_points=key_points, feedback=explanation.shown + final_chunk,
            grader=self.name, model=self.model, prompt_version=PROMPT_VERSION, rationale=reply.rationale,
            misconceptions=misconceptions, notices=notices, confident=not notices, follow_up_question=follow_up,
            usage=message_usage(message))

    def read_reply(self, message: Any, reply_model: type[Reply]) -> Reply:
        """The final message's reply as `reply_model`; a refusal, a cut-off or an invalid reply is a
        `GradingError`."""
        if message.stop_reason == "refusal":
            raise self._failure("refusal", f"{self.model} declined to grade this explanation: rephrase it and "
                                           f"try again, {OFFLINE}.")
        if message.stop_reason == "max_tokens":
            raise self._failure("truncated", f"The reply reached the {self.max_tokens}-token limit before it was "
                                             "complete: raise max_tokens in config.toml and try again.")
        try:
            return reply_model.model_validate(reply_payload(message))
        except ValueError:  # bad JSON, or pydantic's ValidationError (a ValueError)
            raise self._invalid_reply() from None

    def _invalid_reply(self) -> GradingError:
        return self._failure("invalid_reply", f"{self.model} replied with something other than the grading JSON: "
                                              "try again, or choose another model with --model.")

    def describe_failure(self, exc: Exception) -> GradingError:
        """The user's sentence for a failure of the request or the stream, whatever its type: a broken
        stream surfaces from inside the SDK as an AssertionError, IndexError, RuntimeError..."""
        import anthropic
        import httpx2

        if isinstance(exc, anthropic.APIStatusError):
            return self._describe_status(exc)
        if isinstance(exc, (anthropic.APITimeoutError, httpx2.TimeoutException, TimeoutError)):
            return self._failure("timeout", f"No complete reply from {self.base_url} within {self.timeout:g} "
                                            f"seconds: try again, {OFFLINE}.")
        if isinstance(exc, anthropic.APIConnectionError):
            return self._failure("connection", f"Cannot reach {self.base_url}: check your network connection "
                                               f"(or that your local server is running), {OFFLINE}.")
        if isinstance(exc, httpx2.TransportError):
            return self._failure("connection", f"The connection to {self.base_url} broke off mid-reply: "
                                               f"try again, {OFFLINE}.")
        if isinstance(exc, ValueError):  # an event or tool input the SDK could not decode
            return self._invalid_reply()
        return self._failure("unreadable_reply", f"The reply from {self.base_url} could not be read as a "
                                                 f"Messages API stream ({type(exc).__name__}): try again, {OFFLINE}.")

    def _describe_status(self, exc: Any) -> GradingError:
        status, error_type = exc.status_code, exc.type
        if (status == 200 and error_type == "overloaded_error") or status == 529:
            return self._failure("overloaded", f"The API is overloaded right now: try again in a few minutes, "
                                               f"{OFFLINE}.")
        if status == 200:
            return self._failure("stream_error", f"The reply broke off with an API error ({error_type or 'unknown'})"
                                                 f": try again, {OFFLINE}.")
        if status == 401:
            return self._failure("auth", f"The API key was rejected (401): check ANTHROPIC_API_KEY, {OFFLINE}.")
        if status == 403:
            return self._failure("permission", f"The API key may not use {self.model} (403): check the key's "
                                               "workspace and model access, or choose another model with --model.")
        if status == 404:
            return self._failure("not_found", f"The model {self.model} was not found at {self.base_url} (404): "
                                              "choose another with --model, RECALL_MODEL or `model` in config.toml.")
        if status == 408:
            return self._failure("timeout", f"{self.base_url} timed out on the request (408): try again, {OFFLINE}.")
        if status == 413:
            return self._failure("too_large", "The request is too large for the API (413): shorten the "
                                              "explanation and try again.")
        if status == 429:
            return self._failure("rate_limited", f"The API is rate limiting this key (429): try again in "
                                                 f"{retry_wait(exc.response.headers)}, {OFFLINE}.")
        if status >= 500:
            return self._failure("server", f"The API had an internal error ({status}): try again in a moment, "
                                           f"{OFFLINE}.")
        detail = first_sentence(exc.api_message or "no details")
        return self._failure("bad_request", f'The API rejected the request ({status}: "{detail}"): check --model '
                                            f"and max_tokens in config.toml, {OFFLINE}.")

    def _failure(self, kind: str, message: str) -> GradingError:
        if self._api_key:
            message = message.replace(self._api_key, "[API key]")
        return GradingError(message, retryable=kind in RETRYABLE_KINDS, kind=kind)


class ExplanationStream:
    """Sends the corrected explanation to the sink while the reply streams: only what is new each time."""

    def __init__(self, sink: TextSink) -> None:
        self.sink = sink
        self.shown = ""
        self.sink_error: Exception | None = None
        self._complete = False

    async def show(self, reply_json: str) -> None:
        """`reply_json` is the reply so far; its explanation field is complete once a later field starts."""
        if self._complete:
            return
        fields = partial_json_object(reply_json)
        explanation = fields.get(EXPLANATION_FIELD)
        if not isinstance(explanation, str):
            return
        self._complete = next(reversed(fields)) != EXPLANATION_FIELD
        new_text = self.remainder(explanation)
        if new_text:
            self.shown += new_text
            try:
                await self.sink(new_text)
            except Exception as exc:
                self.sink_error = exc
                raise

    def remainder(self, explanation: str) -> str:
        return explanation[len(self.shown):] if explanation.startswith(self.shown) else ""


def partial_json_object(text: str) -> dict:
    """The fields of a JSON object still being written (an unfinished string keeps what has arrived);
    anything before the first brace, such as a ```json fence, is skipped."""
    import jiter

    start = text.find("{")
    if start < 0:
        return {}
    try:
        parsed = jiter.from_json(text[start:].encode(), partial_mode="trailing-strings")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def reply_payload(message: Any) -> Any:
    """The reply's JSON: a tool call's input, or the text's outermost {...} (tolerating fences and prose)."""
    for block in message.content:
        if block.type == "tool_use":
            return block.input
    text = "".join(block.text for block in message.content if block.type == "text")
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        raise ValueError("no JSON object in the reply")
    return json.loads(text[start:end + 1])


@functools.cache
def reply_schema(reply_model: type[BaseModel] | None = None) -> dict:
    """The JSON schema of a reply model as the API takes it (the card grader's `GradingReply` by default)."""
    import anthropic

    if reply_model is None:
        from recall.grading.prompt import GradingReply

        reply_model = GradingReply
    return anthropic.transform_schema(reply_model.model_json_schema())


def message_usage(message: Any) -> Usage:
    usage = message.usage
    return Usage(usage.input_tokens, usage.output_tokens, usage.cache_creation_input_tokens or 0,
                 usage.cache_read_input_tokens or 0)


def body_kind(content_type: str) -> str:
    """What a reply's content type says it is, in words: "JSON", "a web page (HTML)"..."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type.endswith("json"):
        return "JSON"
    if media_type == "text/html":
        return "a web page (HTML)"
    if media_type == "text/plain":
        return "plain text"
    return f"a {media_type} body" if media_type else "a body with no content type"


def first_sentence(text: str) -> str:
    """An API message cut to its first sentence, so that ours stays one sentence."""
    flat = " ".join(text.split())
    return re.split(r"(?<=[.!?])\s", flat, maxsplit=1)[0].rstrip(".")[:MAX_DETAIL_CHARS]


def retry_wait(headers: Any) -> str:
    """When to try again, from retry-after-ms or retry-after (seconds); "a minute" when the API is silent."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            seconds = float(headers.get(name)) * scale
        except (TypeError, ValueError):
            continue
        return counted(max(1, math.ceil(seconds)), "second")
    return "a minute"


def key_point_results(card_points: tuple[str, ...], reply: Any) -> tuple[KeyPointResult, ...]:
    """The card's key points in the card's order, from a reply's `key_points` judgements (a `GradingReply`
    or a recap's judgement of one card); a point the model skipped counts as missing."""
    judgements = {judgement.number: judgement for judgement in reply.key_points}
    results = []
    for number, text in enumerate(card_points, start=1):
        judgement = judgements.get(number)
        if judgement is None or judgement.status == "missing":
            results.append(KeyPointResult(text, "missing"))
        else:
            results.append(KeyPointResult(text, judgement.status, judgement.evidence.strip()))
    return tuple(results)


def cross_check(grade: int, key_points: tuple[KeyPointResult, ...], misconceptions: tuple[Misconception, ...],
                core: int | None = None) -> tuple[str, ...]:
    """Notices when the model's grade does not follow from its own checklist by the rule it was given
    (`quality_from_checklist`): the two are 2 or more apart, or one passes where the other fails; or the
    model passed an explanation whose key points are mostly partial (more than half of them). A verdict
    with a notice is not confident: the learner gives the grade."""
    serious = sum(m.severity == "serious" for m in misconceptions)
    statuses = [k.status for k in key_points]
    checklist_grade = quality_from_checklist(statuses, serious, len(misconceptions) - serious, core)
    covered, partial = statuses.count("covered"), statuses.count("partial")
    notices = []
    if abs(grade - checklist_grade) > CROSS_CHECK_TOLERANCE or Grade(grade).passes != Grade(checklist_grade).passes:
        core_missed = core is not None and statuses[core - 1] != "covered"
        notices.append(f"The model suggested {grade} but the checklist suggests {checklist_grade} ({covered} of "
                       f"{len(key_points)} key points covered, {partial} partial, "
                       f"{counted(serious, 'serious misconception')}"
                       + (f", the core point ({core}) not covered" if core_missed else "")
                       + "): check the grade before you keep it.")
    if Grade(grade).passes and 2 * partial > len(key_points):
        notices.append(f"The model passed an explanation whose key points are mostly partial ({partial} of "
                       f"{len(key_points)}): check the grade before you keep it.")
    return tuple(notices)


def counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


MISCONCEPTION_KINDS = {"known": "a known misconception", "missing condition": "a claim missing its condition",
                       "wrong cause": "a misattributed cause", "other": ""}


def verdict_section(key_points: tuple[KeyPointResult, ...], misconceptions: tuple[Misconception, ...],
                    rationale: str, grade: int, notices: tuple[str, ...], follow_up_question: str = "",
                    reference_answer: str = "") -> str:
    """The verdict in the offline grader's layout, after the corrected explanation (with the reference answer
    when the cross-check leaves it unsure); then the follow-up question, which is not graded."""
    lines = ["", "", "---", "", "### Key points", *map(key_point_status_line, key_points)]
    if misconceptions:
        lines += ["", "### Misconceptions"]
        lines += [f"- *{m.severity}*{', ' + MISCONCEPTION_KINDS[m.kind] if MISCONCEPTION_KINDS[m.kind] else ''}: "
                  f"{m.claim}  \n  correction: {m.correction}" for m in misconceptions]
    outcome = "a pass" if Grade(grade).passes else "a fail: the card starts over"
    lines += ["", f"**Why:** {rationale}", "", f"**Suggested grade: {grade}** ({outcome})"]
    lines += [f"\n> **Check:** {notice}" for notice in notices]
    if notices:  # not confident: what the learner needs to grade it themselves
        lines += ["", NOT_SURE, "", "### Reference answer", "", reference_answer.strip()]
    if follow_up_question.strip():
        lines += ["", f"**Follow-up (not graded):** {follow_up_question.strip()}"]
    return "\n".join(lines) + "\n"


def trivial_verdict(card: Card, grader: str) -> Verdict:
    """A blank or "I don't know" answer: 0 at once, no model asked, and the reference to learn from."""
    feedback = ("Nothing to grade yet (a blank answer or \"I don't know\"): that is a 0, and no model was "
                f"asked.\n\n**Reference answer**\n\n{card.answer}\n")
    return Verdict(suggested_quality=0, key_points=tuple(KeyPointResult(p, "missing") for p in card.key_points),
                   feedback=feedback, grader=grader, rationale="No explanation was given.", confident=True)
