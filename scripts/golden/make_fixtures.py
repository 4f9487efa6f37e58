#!/usr/bin/env python3
"""Generate golden fixtures from the real DSPy (pinned 3.4.1) for the Swift DSPEx test suite.

No LM and no network are needed: adapters are driven through their public
`format(signature, demos, inputs)` / `parse(signature, completion)` methods,
programs are saved with `Module.save(path)` (JSON mode), and cache keys are
computed with `dspy.cache.cache_key(...)` (plus one intercepted LM call that
is aborted before any engine is selected).

Usage: scripts/golden/make_fixtures.sh   (creates a venv and runs this file)
Output: Tests/DSPExTests/Fixtures/golden/*.json
"""

import atexit
import json
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Literal, Optional  # noqa: F401  (used in class-based signatures)

warnings.filterwarnings("ignore")
# Keep DSPy's disk cache out of ~/.dspy_cache (nothing is ever written: no LM is called).
_CACHE_DIR = tempfile.mkdtemp(prefix="dspex-golden-cache-")
os.environ["DSPY_CACHEDIR"] = _CACHE_DIR
atexit.register(shutil.rmtree, _CACHE_DIR, True)

import logging  # noqa: E402

logging.disable(logging.CRITICAL)

import dspy  # noqa: E402
from dspy.adapters.json_adapter import JSONAdapter, _get_structured_outputs_response_format, _has_open_ended_mapping  # noqa: E402
from dspy.adapters.utils import get_annotation_name  # noqa: E402
from dspy.clients.legacy_requests import _strict_json_schema  # noqa: E402

EXPECTED_VERSION = "3.4.1"
if dspy.__version__ != EXPECTED_VERSION:
    sys.exit(f"expected dspy=={EXPECTED_VERSION}, found {dspy.__version__}")

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "Tests" / "DSPExTests" / "Fixtures" / "golden"
OUT.mkdir(parents=True, exist_ok=True)


def write_json(name, obj):
    text = json.dumps(obj, indent=2, ensure_ascii=False) + "\n"
    (OUT / name).write_text(text, encoding="utf-8")
    return name


WRITTEN = []


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def to_jsonable(v):
    """Demo/input values as JSON (Examples -> dicts)."""
    if isinstance(v, dspy.Example):
        return {k: to_jsonable(x) for k, x in v.items()}
    if isinstance(v, dict):
        return {k: to_jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [to_jsonable(x) for x in v]
    return v


def effective_fields(sig):
    out = []
    for name, info in sig.fields.items():
        extra = info.json_schema_extra
        out.append(
            {
                "name": name,
                "role": extra["__dspy_field_type"],
                "type": get_annotation_name(info.annotation),
                "desc": extra["desc"],
                "prefix": extra["prefix"],
            }
        )
    return out


def field_descriptions(sig):
    """desc= values that were explicitly given (i.e. differ from the `${name}` default)."""
    out = {}
    for name, info in sig.fields.items():
        d = info.json_schema_extra["desc"]
        if d != f"${{{name}}}":
            out[name] = d
    return out


def response_format_for(sig):
    """What JSONAdapter would put in lm_kwargs['response_format'] for an LM that supports
    response_format + response schemas (e.g. openai/gpt-4o-mini), and what DSPy then sends on the wire."""
    if _has_open_ended_mapping(sig):
        return {"lm_kwargs": {"type": "json_object"}, "wire": {"type": "json_object"}}
    model = _get_structured_outputs_response_format(sig, True)
    schema = model.model_json_schema()
    wire = {
        "type": "json_schema",
        "json_schema": {"name": model.__name__, "schema": _strict_json_schema(schema), "strict": True},
    }
    return {"lm_kwargs_model_name": model.__name__, "lm_kwargs_model_json_schema": schema, "wire": wire}


def make_case(case, adapter_name, module, sig_string, sig, demos, inputs, instructions=None, extra=None):
    adapter = dspy.ChatAdapter() if adapter_name == "chat" else dspy.JSONAdapter()
    messages = adapter.format(sig, demos, inputs)
    fixture = {
        "case": case,
        "adapter": adapter_name,
        "module": module,
        "signature": sig_string,
        "instructions": instructions,
        "field_descriptions": field_descriptions(sig),
        "demos": to_jsonable(demos),
        "inputs": to_jsonable(inputs),
        "effective_instructions": sig.instructions,
        "effective_fields": effective_fields(sig),
        "messages": messages,
    }
    if adapter_name == "json":
        fixture["response_format"] = response_format_for(sig)
    if extra:
        fixture.update(extra)
    WRITTEN.append(write_json(f"{case}.json", fixture))


def predict_sig(sig_string, instructions=None):
    return dspy.Predict(dspy.Signature(sig_string, instructions)).signature


def cot_sig(sig_string_or_cls, instructions=None):
    if isinstance(sig_string_or_cls, str):
        sig_string_or_cls = dspy.Signature(sig_string_or_cls, instructions)
    return dspy.ChainOfThought(sig_string_or_cls).predict.signature


# ---------------------------------------------------------------------------
# format fixtures
# ---------------------------------------------------------------------------

def format_cases():
    s = "question -> answer"
    make_case("predict_plain", "chat", "predict", s, predict_sig(s), [], {"question": "What is 2 + 3?"})

    s = "question -> answer: int, confidence: float, is_sure: bool, tags: list[str]"
    make_case("predict_typed_outputs", "chat", "predict", s, predict_sig(s), [],
              {"question": "How many legs does a spider have?"})

    s = "text -> sentiment: Literal['positive', 'negative', 'neutral']"
    make_case("predict_literal", "chat", "predict", s, predict_sig(s), [],
              {"text": "I absolutely loved the new café downtown!"})

    ctx = [
        "Paris is the capital of France.",
        "France is in Western Europe.",
        "The Eiffel Tower is in Paris.",
    ]
    s = "context: list[str], question -> answer"
    make_case("predict_list_input", "chat", "predict", s, predict_sig(s), [],
              {"context": ctx, "question": "Where is the Eiffel Tower?"})

    s = "context, question -> answer"
    make_case("predict_list_to_str_field", "chat", "predict", s, predict_sig(s), [],
              {"context": ctx, "question": "Where is the Eiffel Tower?"})

    # Same untyped field, with edge cases for the «» list rendering: a multi-line blob
    # and a blob containing a guillemet (both switch to the «««/»»» block form),
    # plus a one-element list (no [n] numbering) and an empty list ("N/A") in a demo.
    ctx_edge = ["First line\nsecond line", "Contains « guillemet", "plain"]
    make_case("predict_list_to_str_field_edge", "chat", "predict", s, predict_sig(s),
              [{"context": ["only one passage"], "question": "Q1?", "answer": "A1"},
               {"context": [], "question": "Q2?", "answer": "A2"}],
              {"context": ctx_edge, "question": "Summarize."})

    instr = "Answer the question using only the given context.\nBe concise and cite nothing."
    sig = dspy.Signature(
        {
            "context": (str, dspy.InputField(desc="facts that may help answer the question")),
            "question": (str, dspy.InputField()),
            "answer": (str, dspy.OutputField(desc="often between 1 and 5 words")),
        },
        instr,
    )
    make_case("predict_instructions_descriptions", "chat", "predict", "context, question -> answer",
              dspy.Predict(sig).signature, [],
              {"context": "The Nile is about 6,650 km long.", "question": "How long is the Nile?"},
              instructions=instr)

    # Instructions with a blank line and leading indentation (shows the 8-space objective
    # indentation applied to *every* line, including blank ones, after textwrap.dedent / cleandoc).
    instr3 = "    Classify the sentiment.\n\n    Reply with a single word."
    s = "text -> label"
    make_case("predict_instructions_blank_line", "chat", "predict", s, predict_sig(s, instr3), [],
              {"text": "meh"}, instructions=instr3)

    s = "question -> answer"
    demos = [
        {"question": "What is the capital of Japan?", "answer": "Tokyo"},
        {"question": "What is 10 - 4?", "answer": "6"},
    ]
    make_case("predict_complete_demos", "chat", "predict", s, predict_sig(s), demos,
              {"question": "What is the capital of Italy?"})

    s = "question -> answer: int"
    demos = [
        {"question": "What is 1 + 1?", "answer": 2},
        {"question": "What is 3 * 3?", "answer": 9},
        {"question": "What is 12 / 4?", "reasoning": "12 divided by 4 is 3.", "answer": 3},
    ]
    make_case("cot_labeled_demos", "chat", "chain_of_thought", s, cot_sig(s), demos,
              {"question": "What is 7 * 6?"})

    s = "query: dict -> result: dict"
    demos = [
        {
            "query": {"op": "sum", "args": [1, 2, 3], "opts": {"round": True, "label": "naïve"}},
            "result": {"value": 6, "details": {"steps": ["1+2=3", "3+3=6"], "ok": True, "note": None}},
        }
    ]
    make_case("predict_dict_field", "chat", "predict", s, predict_sig(s), demos,
              {"query": {"op": "max", "args": [4, 9, 2], "opts": {}}})

    s = "question -> answer: Optional[int]"
    make_case("predict_optional_field", "chat", "predict", s, predict_sig(s), [],
              {"question": "How many moons does Venus have?"})

    # Input value rendering for many Python types (format_field_value).
    s = ("count: int, ratio: float, flag: bool, maybe: Optional[str], nums: list[int], "
         "meta: dict, note -> summary")
    make_case("predict_value_formatting", "chat", "predict", s, predict_sig(s), [],
              {"count": 42, "ratio": 0.5, "flag": True, "maybe": None, "nums": [1, 2, 3],
               "meta": {"b": 1, "a": [True, None, 1.5], "ü": "é"}, "note": "line one\nline two — ünïcödé"})

    # A demo with an input missing and one with an output missing (both "incomplete"), and a demo
    # with *no* output (dropped entirely).
    s = "question, hint -> answer, explanation"
    demos = [
        {"question": "2+2?", "answer": "4", "explanation": "basic addition"},
        {"question": "3+3?", "hint": "double 3", "answer": "6"},
        {"question": "dropped, no outputs", "hint": "x"},
        {"question": "5+5?", "hint": "double 5", "answer": "10", "explanation": "5*2"},
    ]
    make_case("predict_incomplete_demos_mixed", "chat", "predict", s, predict_sig(s), demos,
              {"question": "4+4?", "hint": "double 4"})

    # ---------------- JSONAdapter ----------------
    s = "question -> answer"
    make_case("json_plain", "json", "predict", s, predict_sig(s), [], {"question": "What is 2 + 3?"})

    s = "question -> answer: int, confidence: float, is_sure: bool, tags: list[str]"
    make_case("json_typed_outputs", "json", "predict", s, predict_sig(s), [],
              {"question": "How many legs does a spider have?"})

    s = "question -> answer"
    demos = [
        {"question": "What is the capital of Japan?", "answer": "Tokyo"},
        {"question": "What is 10 - 4?"},  # no output -> dropped by format_demos
        {"question": "Name a primary color.", "answer": None},  # incomplete (None) but has output key
    ]
    make_case("json_with_demos", "json", "predict", s, predict_sig(s), demos,
              {"question": "What is the capital of Italy?"})

    s = "question -> answer: int"
    demos = [
        {"question": "What is 1 + 1?", "answer": 2},
        {"question": "What is 12 / 4?", "reasoning": "12 divided by 4 is 3.", "answer": 3},
    ]
    make_case("json_cot", "json", "chain_of_thought", s, cot_sig(s), demos, {"question": "What is 7 * 6?"})

    s = "text -> sentiment: Literal['positive', 'negative', 'neutral']"
    make_case("json_literal", "json", "predict", s, predict_sig(s), [],
              {"text": "I absolutely loved the new café downtown!"})

    s = "query: dict -> result: dict"
    make_case("json_dict_field", "json", "predict", s, predict_sig(s),
              [{"query": {"op": "sum", "args": [1, 2]}, "result": {"value": 3}}],
              {"query": {"op": "max", "args": [4, 9, 2]}})

    s = "query: dict[str, Any] -> result: dict[str, Any]"
    make_case("json_dict_str_any_field", "json", "predict", s, predict_sig(s), [],
              {"query": {"op": "max", "args": [4, 9, 2]}})

    s = "question -> answer: Optional[int]"
    make_case("json_optional_field", "json", "predict", s, predict_sig(s), [],
              {"question": "How many moons does Venus have?"})


# ---------------------------------------------------------------------------
# saved programs
# ---------------------------------------------------------------------------

def saved_programs():
    tmp = Path(tempfile.mkdtemp(prefix="dspex-golden-save-"))
    try:
        p = dspy.Predict(dspy.Signature("question -> answer: int",
                                        "Answer the arithmetic question.\nReturn only the number."))
        p.demos = [
            dspy.Example(question="What is 1 + 1?", answer=2).with_inputs("question"),
            dspy.Example(question="What is 3 * 3?", answer=9).with_inputs("question"),
        ]
        p.save(str(tmp / "saved_predict.json"))
        shutil.copyfile(tmp / "saved_predict.json", OUT / "saved_predict.json")
        WRITTEN.append("saved_predict.json")

        c = dspy.ChainOfThought("question -> answer: int")
        c.predict.demos = [
            dspy.Example(question="What is 2 + 5?", reasoning="2 plus 5 is 7.", answer=7).with_inputs("question"),
            dspy.Example(question="What is 9 - 3?", answer=6).with_inputs("question"),
        ]
        c.save(str(tmp / "saved_cot.json"))
        shutil.copyfile(tmp / "saved_cot.json", OUT / "saved_cot.json")
        WRITTEN.append("saved_cot.json")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------
# parse fixtures
# ---------------------------------------------------------------------------

def parse_cases():
    chat, js = dspy.ChatAdapter(), dspy.JSONAdapter()
    cases = []

    def run(adapter_name, sig_string, completion, note):
        adapter = chat if adapter_name == "chat" else js
        sig = dspy.Signature(sig_string)
        if sig_string.startswith("COT:"):
            raise AssertionError
        entry = {"adapter": adapter_name, "signature": sig_string, "note": note, "completion": completion}
        try:
            entry["parsed"] = adapter.parse(sig, completion)
        except Exception as e:  # record DSPy's exception verbatim
            entry["error"] = f"{type(e).__name__}: {e}"
        cases.append(entry)

    def run_cot(adapter_name, sig_string, completion, note):
        adapter = chat if adapter_name == "chat" else js
        sig = cot_sig(sig_string)
        entry = {"adapter": adapter_name, "signature": sig_string, "module": "chain_of_thought",
                 "note": note, "completion": completion}
        try:
            entry["parsed"] = adapter.parse(sig, completion)
        except Exception as e:
            entry["error"] = f"{type(e).__name__}: {e}"
        cases.append(entry)

    typed = "question -> answer: int, confidence: float, is_sure: bool, tags: list[str]"
    lit = "text -> sentiment: Literal['positive', 'negative', 'neutral']"

    # ---- ChatAdapter ----
    run("chat", "question -> answer", "[[ ## answer ## ]]\n5\n\n[[ ## completed ## ]]", "well-formed")
    run("chat", "question -> answer",
        "Sure! Here is my answer.\n\n[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]",
        "text before the first header is ignored")
    run("chat", "question -> answer", "[[ ## answer ## ]] Paris is the capital.\nIt is in France.\n",
        "content on the header line; multi-line value; no completed marker")
    run("chat", "question -> answer",
        "[[ ## answer ## ]]\nfirst\n\n[[ ## answer ## ]]\nsecond\n\n[[ ## completed ## ]]",
        "duplicate header: first occurrence wins")
    run("chat", "question -> answer",
        "  [[ ## answer ## ]]  \n  indented value  \n[[ ## unknown ## ]]\nignored\n[[ ## completed ## ]]\ntrailing",
        "header matched after line.strip(); unknown headers ignored; value stripped")
    run("chat", "question -> answer", "[[ ## answer ##]]\nno space before ]]\n", "malformed header -> missing field")
    run("chat", "question -> answer", "Paris", "no headers at all")
    run("chat", "question -> answer", "[[ ## Answer ## ]]\nParis", "header names are case-sensitive")
    run("chat", typed,
        "[[ ## answer ## ]]\n8\n\n[[ ## confidence ## ]]\n0.95\n\n[[ ## is_sure ## ]]\nTrue\n\n"
        "[[ ## tags ## ]]\n[\"biology\", \"arachnids\"]\n\n[[ ## completed ## ]]",
        "int/float/bool/list coercion")
    run("chat", typed,
        "[[ ## answer ## ]]\n8\n\n[[ ## confidence ## ]]\n1\n\n[[ ## is_sure ## ]]\ntrue\n\n"
        "[[ ## tags ## ]]\n['biology', 'arachnids']\n\n[[ ## completed ## ]]",
        "JSON-style bool, int for float, Python-style list")
    run("chat", typed,
        "[[ ## answer ## ]]\n\"8\"\n\n[[ ## confidence ## ]]\n.5\n\n[[ ## is_sure ## ]]\nyes\n\n"
        "[[ ## tags ## ]]\n[\"x\"]\n\n[[ ## completed ## ]]",
        "quoted int, .5 float, 'yes' bool")
    run("chat", typed,
        "[[ ## answer ## ]]\n 8 \n\n[[ ## confidence ## ]]\n90%\n\n[[ ## is_sure ## ]]\nFalse\n\n"
        "[[ ## tags ## ]]\n[\"x\"]\n\n[[ ## completed ## ]]",
        "'90%' for float -> error")
    run("chat", typed,
        "[[ ## answer ## ]]\n8\n\n[[ ## confidence ## ]]\n0.5\n\n[[ ## is_sure ## ]]\nmaybe\n\n"
        "[[ ## tags ## ]]\n[\"x\"]\n\n[[ ## completed ## ]]",
        "'maybe' for bool -> error")
    run("chat", typed,
        "[[ ## answer ## ]]\n8\n\n[[ ## confidence ## ]]\n0.5\n\n[[ ## is_sure ## ]]\n1\n\n"
        "[[ ## tags ## ]]\nbiology\n\n[[ ## completed ## ]]",
        "'1' for bool, bare word for list[str] -> error")
    run("chat", "question -> answer: list[int]", "[[ ## answer ## ]]\n1, 2, 3\n\n[[ ## completed ## ]]",
        "comma-separated numbers for list[int]")
    run("chat", typed,
        "[[ ## answer ## ]]\neight\n\n[[ ## confidence ## ]]\n0.9\n\n[[ ## is_sure ## ]]\nFalse\n\n"
        "[[ ## tags ## ]]\n[]\n\n[[ ## completed ## ]]",
        "non-numeric int -> error")
    run("chat", typed,
        "[[ ## answer ## ]]\n8.0\n\n[[ ## confidence ## ]]\n0.9\n\n[[ ## is_sure ## ]]\nFalse\n\n"
        "[[ ## tags ## ]]\n[]\n\n[[ ## completed ## ]]",
        "8.0 for int")
    run("chat", typed,
        "[[ ## answer ## ]]\n8\n\n[[ ## confidence ## ]]\n0.9\n\n[[ ## completed ## ]]",
        "missing output fields -> error")
    run("chat", lit, "[[ ## sentiment ## ]]\npositive\n\n[[ ## completed ## ]]", "Literal exact")
    run("chat", lit, "[[ ## sentiment ## ]]\n'negative'\n\n[[ ## completed ## ]]", "Literal quoted")
    run("chat", lit, "[[ ## sentiment ## ]]\nLiteral['neutral']\n\n[[ ## completed ## ]]", "Literal[...] wrapper")
    run("chat", lit, "[[ ## sentiment ## ]]\nPositive\n\n[[ ## completed ## ]]", "Literal wrong case -> error")
    run("chat", "question -> answer: Optional[int]", "[[ ## answer ## ]]\nNone\n\n[[ ## completed ## ]]",
        "Optional[int] given None")
    run("chat", "question -> answer: Optional[int]", "[[ ## completed ## ]]", "Optional output missing -> None")
    run("chat", "question -> answer: Optional[str]", "[[ ## answer ## ]]\nnull\n\n[[ ## completed ## ]]",
        "Optional[str] given null stays the string")
    run("chat", "query -> result: dict",
        "[[ ## result ## ]]\n{\"value\": 6, \"details\": {\"ok\": true}}\n\n[[ ## completed ## ]]", "dict output")
    run("chat", "query -> result: dict", "[[ ## result ## ]]\n{'value': 6, 'ok': True}\n\n[[ ## completed ## ]]",
        "dict output written as a Python literal")
    run_cot("chat", "question -> answer: int",
            "[[ ## reasoning ## ]]\n7 times 6 is 42.\n\n[[ ## answer ## ]]\n42\n\n[[ ## completed ## ]]",
            "ChainOfThought reply")
    run("chat", "question -> answer", "[[ ## answer ## ]]\n\n[[ ## completed ## ]]", "empty value for str")

    # ---- JSONAdapter ----
    run("json", "question -> answer", "{\"answer\": \"Paris\"}", "well-formed")
    run("json", "question -> answer", "```json\n{\n  \"answer\": \"Paris\"\n}\n```", "```json fences")
    run("json", "question -> answer", "Here you go:\n{\"answer\": \"Paris\"}\nHope that helps!",
        "JSON embedded in prose")
    run("json", "question -> answer", "{\"answer\": \"Paris\", \"extra\": 1, \"reasoning\": \"x\"}",
        "extra keys are dropped")
    run("json", "question -> answer", "{\"answer\": \"Paris\",}", "trailing comma (json_repair)")
    run("json", "question -> answer", "{'answer': 'Paris'}", "single quotes (json_repair)")
    run("json", "question -> answer", "{\"answer\": 5}", "number for a str field")
    run("json", "question -> answer", "{\"other\": \"x\"}", "missing field -> error")
    run("json", "question -> answer", "Paris", "not JSON -> error")
    run("json", "question -> answer", "[\"Paris\"]", "JSON array -> error")
    run("json", typed,
        "{\"answer\": \"8\", \"confidence\": \"0.9\", \"is_sure\": \"true\", \"tags\": \"[\\\"a\\\", \\\"b\\\"]\"}",
        "all values as strings -> coerced")
    run("json", typed, "{\"answer\": 8, \"confidence\": 0.9, \"is_sure\": true, \"tags\": [\"a\", \"b\"]}",
        "native JSON types")
    run("json", typed, "{\"answer\": 8.5, \"confidence\": 0.9, \"is_sure\": true, \"tags\": []}",
        "8.5 for int -> error")
    run("json", lit, "{\"sentiment\": \"neutral\"}", "Literal")
    run("json", lit, "{\"sentiment\": \"Neutral\"}", "Literal wrong case -> error")
    run("json", "question -> answer: Optional[int]", "{}", "Optional output missing -> None")
    run_cot("json", "question -> answer: int", "{\"reasoning\": \"7*6=42\", \"answer\": 42}", "ChainOfThought reply")

    WRITTEN.append(write_json("parse_cases.json", cases))


# ---------------------------------------------------------------------------
# cache keys
# ---------------------------------------------------------------------------

def cache_keys():
    import orjson

    ignored = ["api_key", "api_base", "base_url"]
    requests = [
        {
            "model": "openai/gpt-4o-mini",
            "messages": [{"role": "user", "content": "What is 2 + 3?"}],
            "temperature": 0.0,
            "max_tokens": 1000,
            "rollout_id": 1,
            "_fn_identifier": "dspy.clients.lm.litellm_completion",
        },
        {
            "model": "openai/gpt-4o-mini",
            "messages": [
                {"role": "system", "content": "Your input fields are:\n1. `question` (str):"},
                {"role": "user", "content": "Grüße — «ünïcödé» 😀"},
            ],
            "temperature": 0.7,
            "max_tokens": None,
            "n": 3,
            "api_key": "sk-ignored",
            "api_base": "https://ignored.example",
            "_fn_identifier": "dspy.clients.lm.litellm_completion",
        },
        {
            "model": "anthropic/claude-3-5-sonnet",
            "messages": [{"role": "user", "content": "hi"}],
            "temperature": 1e-7,
            "max_tokens": 4000,
            "top_p": 1.0,
            "stop": ["\n\n", "[[ ## completed ## ]]"],
            "rollout_id": 2,
            "_fn_identifier": "dspy.clients.lm.alitellm_completion",
        },
    ]
    out = {"ignored_args_for_cache_key": ignored, "direct": [], "lm_calls": []}
    for req in requests:
        params = {k: v for k, v in req.items() if k not in ignored}
        serialized = orjson.dumps(params, option=orjson.OPT_SORT_KEYS).decode("utf-8")
        out["direct"].append(
            {"request": req, "serialized": serialized, "key": dspy.cache.cache_key(req, ignored)}
        )

    # The request dict DSPy actually keys on for real LM calls: intercept dspy.cache.get
    # (called before any engine is chosen) and abort.
    class _Stop(Exception):
        pass

    captured = {}

    def fake_get(request, ignored_args_for_cache_key=None):
        captured["request"] = request
        captured["ignored"] = ignored_args_for_cache_key
        captured["key"] = dspy.cache.cache_key(request, ignored_args_for_cache_key)
        raise _Stop()

    orig_get = dspy.cache.get
    dspy.cache.get = fake_get
    try:
        scenarios = [
            ("dspy.LM('openai/gpt-4o-mini') defaults; lm(messages=[...])",
             dict(model="openai/gpt-4o-mini"), {}, "call"),
            ("dspy.LM('openai/gpt-4o-mini', temperature=0.0, max_tokens=1000, rollout_id=1); lm(messages=[...])",
             dict(model="openai/gpt-4o-mini", temperature=0.0, max_tokens=1000, rollout_id=1), {}, "call"),
            ("dspy.LM('openai/gpt-4o-mini', temperature=1.0, max_tokens=1000); lm(messages=[...], n=2, rollout_id=3)",
             dict(model="openai/gpt-4o-mini", temperature=1.0, max_tokens=1000), {"n": 2, "rollout_id": 3}, "call"),
            ("dspy.Predict('question -> answer') with ChatAdapter and dspy.LM('openai/gpt-4o-mini', "
             "temperature=0.0, max_tokens=1000); predict(question='What is 2 + 3?')",
             dict(model="openai/gpt-4o-mini", temperature=0.0, max_tokens=1000), {}, "predict"),
        ]
        for desc, lm_args, call_kwargs, how in scenarios:
            captured.clear()
            lm = dspy.LM(**lm_args)
            try:
                if how == "call":
                    lm(messages=[{"role": "user", "content": "What is 2 + 3?"}], **call_kwargs)
                else:
                    with dspy.context(lm=lm, adapter=dspy.ChatAdapter()):
                        dspy.Predict("question -> answer")(question="What is 2 + 3?")
            except _Stop:
                pass
            except Exception as e:  # noqa: BLE001
                cur = e
                while cur is not None and not isinstance(cur, _Stop):
                    cur = cur.__cause__ or cur.__context__
                if cur is None:
                    raise
            if "request" not in captured:
                raise RuntimeError(f"cache lookup not reached for: {desc}")
            out["lm_calls"].append({"description": desc, "lm_kwargs": lm.kwargs, "call_kwargs": call_kwargs,
                                    "request": captured["request"], "key": captured["key"]})
    finally:
        dspy.cache.get = orig_get

    WRITTEN.append(write_json("cache_keys.json", out))


# ---------------------------------------------------------------------------
# ReAct / tools / MultiChainComparison / Refine
# ---------------------------------------------------------------------------
#
# Tool functions live at module level on purpose: Tool.desc is the raw `__doc__`, and on Python 3.11
# continuation lines of a docstring keep their (4-space) source indentation (3.13+ would dedent them).

def add(a: int, b: int) -> int:
    """Adds two integers."""
    return a + b


def search(query: str, k: int = 3, tags: list[str] = None):  # noqa: RUF013  (no docstring on purpose)
    return [f"result {i} for {query}" for i in range(k)]


def lookup(topic: str) -> str:
    """Looks up a topic in the encyclopedia.

    Returns the first paragraph of the article."""
    return f"{topic} is a topic."


def get_weather(
    city: str,
    unit: Literal["celsius", "fahrenheit"] = "celsius",
    days: Optional[int] = None,
    threshold: float = 0.5,
    hourly: bool = False,
    options: dict = None,  # noqa: RUF013
) -> str:
    """Gets the weather forecast for a city."""
    return f"Sunny in {city}."


def price_lookup(item, currency="USD"):
    return 9.99


def convert_currency(amount: float, to: str = "EUR") -> float:
    """Converts an amount from USD."""
    return amount * 0.9


def field_rows(sig, fields):
    return [
        {
            "name": name,
            "role": info.json_schema_extra["__dspy_field_type"],
            "annotation": get_annotation_name(info.annotation),
            "prefix": info.json_schema_extra["prefix"],
            "description": info.json_schema_extra["desc"],
        }
        for name, info in fields.items()
    ]


def sig_field_rows(sig):
    """Signature fields in order: inputs, then outputs."""
    return field_rows(sig, sig.input_fields) + field_rows(sig, sig.output_fields)


def pairs(d):
    return [[k, to_jsonable(v)] for k, v in d.items()]


def saved_json(program):
    """What `program.save(path)` (JSON mode) writes, read back as JSON."""
    tmp = Path(tempfile.mkdtemp(prefix="dspex-golden-save-"))
    try:
        program.save(str(tmp / "program.json"))
        return json.loads((tmp / "program.json").read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


REACT_TRAJECTORY = {
    "thought_0": "I should add the two numbers first.",
    "tool_name_0": "add",
    "tool_args_0": {"a": 2, "b": 3},
    "observation_0": 5,
    "thought_1": "Now search for context.",
    "tool_name_1": "search",
    "tool_args_1": {"query": "sum of 2 and 3 — ünïcödé", "k": 2, "tags": ["math", "basics"]},
    "observation_1": "First line of the result.\nSecond line of the result.",
    "thought_2": "One more search, then finish.",
    "tool_name_2": "search",
    "tool_args_2": {"query": "five"},
    "observation_2": ["five is 5", "5 = 2 + 3"],
}


def build_react(case):
    if case in ("react_basic", "react_json_adapter", "react_saved_with_demos"):
        s, instructions = "question -> answer: int", None
        return s, instructions, dspy.ReAct(s, tools=[add, search], max_iters=5), {"question": "What is 2 + 3?"}
    if case == "react_custom_instructions":
        s = "context, question -> answer, confidence: float"
        instructions = "Answer the question using the context and the tools.\nGive a calibrated confidence in [0, 1]."
        react = dspy.ReAct(dspy.Signature(s, instructions), tools=[lookup, get_weather], max_iters=3)
        inputs = {"context": "Paris is the capital of France.", "question": "Will it rain in Paris tomorrow?"}
        return s, instructions, react, inputs
    if case == "react_explicit_tool":
        s = "query -> price: float, currency: Literal['USD', 'EUR']"
        explicit = dspy.Tool(
            price_lookup,
            name="lookup_price",
            desc="Looks up the current price of an item.\nPrices are in USD unless asked otherwise.",
            args={
                "item": {"type": "string", "description": "The item's name"},
                "currency": {"type": "string", "enum": ["USD", "EUR"], "default": "USD"},
            },
            # Ignored: explicit `args` win over the inferred ones that arg_desc would decorate.
            arg_desc={"item": "IGNORED because args= is given"},
        )
        inferred = dspy.Tool(convert_currency, arg_desc={"amount": "Amount in USD", "to": "Target currency code"})
        react = dspy.ReAct(s, tools=[explicit, inferred], max_iters=4)
        return s, None, react, {"query": "How much is a coffee in euros?"}
    raise KeyError(case)


def react_fixture(case, adapter_name, demos=None):
    s, instructions, react, inputs = build_react(case)
    adapter = dspy.ChatAdapter() if adapter_name == "chat" else dspy.JSONAdapter()
    if demos:
        react.react.demos, react.extract.predict.demos = demos
    trajectories = [{}, dict(REACT_TRAJECTORY)]
    with dspy.context(adapter=adapter):
        formatted = [react._format_trajectory(t) for t in trajectories]
    react_sig, extract_sig = react.react.signature, react.extract.predict.signature
    fixture = {
        "case": case,
        "adapter": adapter_name,
        "signature": s,
        "instructions": instructions,
        "max_iters": react.max_iters,
        "tools": [{"name": t.name, "desc": t.desc, "args": t.args} for t in react.tools.values()],
        "react_instructions": react_sig.instructions,
        "react_fields": sig_field_rows(react_sig),
        "extract_fields": sig_field_rows(extract_sig),
        "trajectories": [pairs(t) for t in trajectories],
        "formatted_trajectories": formatted,
        "react_messages": [adapter.format(react_sig, demos=[], inputs={**inputs, "trajectory": f}) for f in formatted],
        "extract_messages": [adapter.format(extract_sig, demos=[], inputs={**inputs, "trajectory": f})
                             for f in formatted],
        "inputs": pairs(inputs),
        "saved_state": saved_json(react),
    }
    if demos:
        fixture["saved"] = fixture["saved_state"]
        f = formatted[1]
        fixture["react_demo_messages"] = adapter.format(react_sig, react.react.demos, {**inputs, "trajectory": f})
        fixture["extract_demo_messages"] = adapter.format(extract_sig, react.extract.predict.demos,
                                                          {**inputs, "trajectory": f})
    WRITTEN.append(write_json(f"{case}.json", fixture))
    return react


def react_cases():
    react_fixture("react_basic", "chat")
    react_fixture("react_custom_instructions", "chat")
    react_fixture("react_explicit_tool", "chat")
    react_fixture("react_json_adapter", "json")

    # Demos set by hand on both predictors, then saved by DSPy itself.
    def traj(*steps):
        out = {}
        for i, (thought, name, args, obs) in enumerate(steps):
            out.update({f"thought_{i}": thought, f"tool_name_{i}": name, f"tool_args_{i}": args, f"observation_{i}": obs})
        return out

    fmt = dspy.ReAct("question -> answer: int", tools=[add])._format_trajectory
    t1 = fmt(traj(("Add them.", "add", {"a": 1, "b": 1}, 2)))
    t2 = fmt(traj(("Add them.", "add", {"a": 4, "b": 5}, 9), ("Done.", "finish", {}, "Completed.")))
    react_demos = [
        dspy.Example(question="What is 1 + 1?", trajectory="", next_thought="I need to add 1 and 1.",
                     next_tool_name="add", next_tool_args={"a": 1, "b": 1}).with_inputs("question", "trajectory"),
        dspy.Example(question="What is 4 + 5?", trajectory=fmt(traj(("Add them.", "add", {"a": 4, "b": 5}, 9))),
                     next_thought="I have the sum, so I can finish.", next_tool_name="finish",
                     next_tool_args={}).with_inputs("question", "trajectory"),
    ]
    extract_demos = [
        dspy.Example(question="What is 1 + 1?", trajectory=t1, reasoning="The add tool returned 2.",
                     answer=2).with_inputs("question", "trajectory"),
        dspy.Example(question="What is 4 + 5?", trajectory=t2,
                     reasoning="The add tool returned 9.\nThat is the answer.", answer=9).with_inputs(
                         "question", "trajectory"),
    ]
    react_fixture("react_saved_with_demos", "chat", demos=(react_demos, extract_demos))


TOOL_SCHEMA_FUNCTIONS = [
    # (source, arg_desc)
    ("def f(x: int, y: str = 'hi'):\n    return x", None),
    ("def scale(value: float, factor: float = 2.0) -> float:\n    \"\"\"Scales a value.\"\"\"\n    return value", None),
    ("def toggle(flag: bool, verbose: bool = False):\n    \"\"\"Flips a flag.\"\"\"\n    return flag", None),
    ("def join_words(words: list[str], sep: str = ' ') -> str:\n    return sep.join(words)",
     {"words": "Words to join", "sep": "Separator placed between words"}),
    ("def total(nums: list[int] = [1, 2, 3], start: int = 0) -> int:\n    return start", None),
    ("def merge(base: dict, extra: dict = None) -> dict:\n    \"\"\"Merges two dicts.\"\"\"\n    return base",
     {"extra": "Keys that override `base`"}),
    ("def configure(options: dict[str, Any], limits: dict[str, int] = {}):\n    return options", None),
    ("def pick(mode: Literal['a', 'b'], level: Literal[1, 2, 3] = 2):\n    return mode", {"mode": "Which mode"}),
    ("def page(limit: Optional[int] = None, offset: int | None = 0, cursor: int | None = None):\n    return limit", None),
    ("def greet(name: str = \"it's me\", city: str = 'café'):\n    \"\"\"Greets someone.\n\n    Says hello.\"\"\"\n"
     "    return name", {"name": "Who's greeted"}),
    ("def untyped(x, y=1, z=None):\n    return x", {"x": "anything at all"}),
    ("def search_docs(query: str, k: int = 3, tags: list[str] = None, exact: bool = True) -> list[str]:\n"
     "    \"\"\"Searches the docs.\n\n    Args:\n        query: what to look for\n    \"\"\"\n    return []",
     {"query": "The search query", "k": "How many results to return"}),
]


def tool_schemas():
    import ast
    import inspect
    from typing import Any

    out = []
    for source, arg_desc in TOOL_SCHEMA_FUNCTIONS:
        ns = {"Any": Any, "Literal": Literal, "Optional": Optional}
        exec(source, ns)  # noqa: S102
        node = ast.parse(source).body[0]
        func = ns[node.name]
        sig = inspect.signature(func)
        params, texts = [], []
        # Positional defaults align with the *last* parameters.
        default_nodes = [None] * (len(node.args.args) - len(node.args.defaults)) + list(node.args.defaults)
        for a, default_node, (pname, p) in zip(node.args.args, default_nodes, sig.parameters.items()):
            row, text = {"name": pname}, pname
            if a.annotation is not None:
                row["type"] = ast.unparse(a.annotation)
                text += f": {row['type']}"
            if p.default is not inspect.Parameter.empty:
                row["default"] = p.default
                eq = " = " if a.annotation is not None else "="
                text += f"{eq}{ast.unparse(default_node)}"
            if arg_desc and pname in arg_desc:
                row["description"] = arg_desc[pname]
            params.append(row)
            texts.append(text)
        returns = f" -> {ast.unparse(node.returns)}" if node.returns is not None else ""
        tool = dspy.Tool(func, arg_desc=arg_desc)
        entry = {
            "function": f"{node.name}({', '.join(texts)}){returns}",
            "docstring": func.__doc__,
            "params": params,
        }
        if arg_desc:
            entry["arg_desc"] = arg_desc
        entry.update({
            "name": tool.name,
            "desc": tool.desc,
            "args": tool.args,
            "str": str(tool),
            "litellm": tool.format_as_litellm_function_call(),
        })
        out.append(entry)
    WRITTEN.append(write_json("tool_schemas.json", out))


def multi_chain_comparison():
    s = "question -> answer"
    mcc = dspy.MultiChainComparison(s, M=3)
    completions = [
        {"reasoning": "add 2 and 3 to get 5.\nThen double-check the sum.", "answer": "5"},
        {"reasoning": "   count on my fingers: 2, then 3 more.  ", "answer": "  5  "},
        {"reasoning": "guess quickly.", "answer": "6\nbecause six feels right"},
    ]
    inputs = {"question": "What is 2 + 3?"}

    # Exactly MultiChainComparison.forward (dspy/predict/multi_chain_comparison.py).
    attempts = []
    for c in completions:
        rationale = c.get("rationale", c.get("reasoning")).strip().split("\n")[0].strip()
        answer = str(c[mcc.last_key]).strip().split("\n")[0].strip()
        attempts.append(f"«I'm trying to {rationale} I'm not sure but my prediction is {answer}»")
    kwargs = {**{f"reasoning_attempt_{idx+1}": a for idx, a in enumerate(attempts)}, **inputs}

    sig = mcc.predict.signature
    fixture = {
        "signature": s,
        "M": mcc.M,
        "completions": completions,
        "inputs": pairs(inputs),
        "predict_fields": sig_field_rows(sig),
        "predict_instructions": sig.instructions,
        "attempt_inputs": attempts,
        "predict_inputs": pairs(kwargs),
        "messages": dspy.ChatAdapter().format(sig, demos=[], inputs=kwargs),
        "temperature": mcc.predict.config["temperature"],
    }
    WRITTEN.append(write_json("multi_chain_comparison.json", fixture))


REFINE_REWARD_CODE = (
    "def one_word_answer(args, pred):\n"
    "    return 1.0 if len(pred.answer.split()) == 1 else 0.0\n"
)


def refine_feedback():
    import inspect

    import orjson

    from dspy.predict.refine import OfferFeedback, inspect_modules, recursive_mask

    feedback_sig = dspy.Predict(OfferFeedback).signature
    program = dspy.ChainOfThought("question -> answer")
    module_names = [name for name, _ in program.named_predictors()]
    question = {"question": "What is the capital of Belgium?"}
    outputs = {"reasoning": "Belgium's capital city is Brussels,\nwhich hosts the EU institutions.",
               "answer": "The capital of Belgium is Brussels."}

    # As Refine.forward builds them after a first attempt scoring 0.0 < threshold 1.0.
    advise_kwargs = dict(
        program_code=inspect.getsource(program.__class__),
        modules_defn=inspect_modules(program),
        program_inputs=question,
        program_trajectory=[{"module_name": "predict", "inputs": dict(question), "outputs": dict(outputs)}],
        program_outputs=dict(outputs),
        reward_code=REFINE_REWARD_CODE,
        target_threshold=1.0,
        reward_value=0.0,
        module_names=module_names,
    )
    advise_kwargs = {
        k: v if isinstance(v, str) else orjson.dumps(recursive_mask(v), option=orjson.OPT_INDENT_2).decode()
        for k, v in advise_kwargs.items()
    }

    react_a = build_react("react_basic")[2]

    hint_sig = program.predict.signature.append("hint_", dspy.InputField(desc="A hint to the module from an earlier run"))
    hint_inputs = {**question, "hint_": "Answer with one word."}

    fixture = {
        "instructions": feedback_sig.instructions,
        "fields": sig_field_rows(feedback_sig),
        "program": "dspy.ChainOfThought('question -> answer')",
        "inputs": pairs(advise_kwargs),
        "messages": dspy.ChatAdapter().format(feedback_sig, demos=[], inputs=advise_kwargs),
        "modules_defn": {
            "chain_of_thought": inspect_modules(program),
            "react": inspect_modules(react_a),
        },
        "hint_fields": sig_field_rows(hint_sig),
        "hint_inputs": pairs(hint_inputs),
        "hint_messages": dspy.ChatAdapter().format(hint_sig, demos=[], inputs=hint_inputs),
    }
    WRITTEN.append(write_json("refine_feedback.json", fixture))


def tool_calls_text():
    """A signature with a list[dspy.Tool] input and a dspy.ToolCalls output, answered in text (no native tool
    calling): the messages, for both adapters, and how a reply's tool calls parse."""

    class ToolUse(dspy.Signature):
        question: str = dspy.InputField()
        tools: list[dspy.Tool] = dspy.InputField()
        tool_calls: dspy.ToolCalls = dspy.OutputField()

    def calculator(expression: str) -> str:
        """Evaluates an arithmetic expression."""
        return expression

    tool = dspy.Tool(calculator)
    inputs = {"question": "What is 2 + 3?", "tools": [tool]}
    reply = '[[ ## tool_calls ## ]]\n{"tool_calls": [{"name": "calculator", "args": {"expression": "2 + 3"}}]}\n\n[[ ## completed ## ]]'
    parsed = dspy.ChatAdapter().parse(ToolUse, reply)
    fixture = {
        "signature": "question, tools: list[Tool] -> tool_calls: ToolCalls",
        "tools": [tool.format_as_litellm_function_call()],
        "inputs": {"question": inputs["question"]},
        "chat_messages": dspy.ChatAdapter().format(ToolUse, demos=[], inputs=inputs),
        "json_messages": dspy.JSONAdapter().format(ToolUse, demos=[], inputs=inputs),
        "reply": reply,
        "parsed": {"tool_calls": parsed["tool_calls"].format()},
    }
    WRITTEN.append(write_json("tool_calls_text.json", fixture))


def main():
    format_cases()
    saved_programs()
    parse_cases()
    cache_keys()
    react_cases()
    tool_schemas()
    multi_chain_comparison()
    refine_feedback()
    tool_calls_text()
    print(f"dspy {dspy.__version__}: wrote {len(WRITTEN)} files to {OUT.relative_to(REPO)}")
    for name in WRITTEN:
        print("  " + name)


if __name__ == "__main__":
    main()
