"""Records real SmolLM2-135M replies for the adapter and client tests (Tests/DSPExTests/Fixtures/realmodel/).

Each case's messages are what DSPEx sends (`dspex predict --dry-run`; demo turns are added in DSPy's
demo format); the request goes to the local llama.cpp server at temperature 0, and the reply text,
finish_reason and, for refused requests, the HTTP status and error body are saved.

    scripts/real-model.sh start            # port 8080
    swift build --product dspex
    .venv-llm/bin/python scripts/realmodel/capture_replies.py > Tests/DSPExTests/Fixtures/realmodel/replies.json
"""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DSPEX = os.path.join(ROOT, ".build", "debug", "dspex")
URL = os.environ.get("DSPEX_REAL_MODEL_URL", "http://127.0.0.1:8080/v1") + "/chat/completions"

NAME_DEMOS = [
    ("Hello, my name is John Smith.", "John"),
    ("Please welcome our new teacher, Maria Garcia.", "Maria"),
    ("The package was signed for by Peter Brown.", "Peter"),
    ("The award goes to Oliver Stone.", "Oliver"),
    ("Sophie Martin joined the team in May.", "Sophie"),
]

# id, adapter, signature, inputs, extra dspex flags, demos, request options
CASES = [
    ("bool_marker_in_fence", "chat", "question -> answer: bool", {"question": "Is the sky blue?"}, [], [], {}),
    ("prose_quoting_markers", "chat", "english -> french", {"english": "Good morning"}, [], [], {}),
    ("int_as_code", "chat", "question -> answer: int", {"question": "What is 2 + 3?"}, [], [], {}),
    ("two_demos_trailing_text", "chat", "sentence -> first_name",
     {"sentence": "The award goes to Oliver Stone."}, [], NAME_DEMOS[:2], {}),
    ("four_demos_copy_last", "chat", "sentence -> first_name",
     {"sentence": "Grace Hopper wrote one of the first compilers."}, [], NAME_DEMOS[:4], {}),
    ("four_demos_single_hash_markers", "chat", "sentence -> first_name",
     {"sentence": "Yesterday I met Hiroshi Tanaka at the station."}, [], NAME_DEMOS[:4], {}),
    ("json_placeholder_echo", "json", "question -> answer", {"question": "What is the capital of France?"}, [], [],
     {"response_format": "schema"}),
    ("json_typed", "json", "question -> answer: int", {"question": "What is 2 + 3?"}, [], [],
     {"response_format": "schema"}),
    ("truncated_cot", "chat", "question -> answer", {"question": "Why is the sky blue?"}, ["--cot"],
     [("What is 1 + 1?", None)], {"max_tokens": 12}),
    ("n_refused", "chat", "question -> answer", {"question": "What is 2 + 3?"}, [], [], {"n": 2, "temperature": 0.7}),
]


def messages(adapter, signature, inputs, flags, demos):
    args = [DSPEX, "predict", "--dry-run", "--adapter", adapter, "--signature", signature] + flags
    for name, value in inputs.items():
        args += ["--input", f"{name}={value}"]
    sent = json.loads(subprocess.check_output(args))
    turns = []
    input_name = signature.split("->")[0].strip().split(":")[0]
    output_name = signature.split("->")[1].strip().split(":")[0]
    for given, answer in demos:
        if answer is None:
            continue
        turns.append({"role": "user", "content": f"[[ ## {input_name} ## ]]\n{given}"})
        turns.append({"role": "assistant", "content": f"[[ ## {output_name} ## ]]\n{answer}\n\n[[ ## completed ## ]]\n"})
    return sent[:1] + turns + sent[1:]


def schema(signature):
    outputs = [part.strip() for part in signature.split("->")[1].split(",")]
    properties, required = {}, []
    for output in outputs:
        name, _, annotation = output.partition(":")
        name, annotation = name.strip(), annotation.strip() or "str"
        kind = {"str": "string", "int": "integer", "bool": "boolean", "float": "number"}[annotation]
        properties[name] = {"title": name.replace("_", " ").title(), "type": kind}
        required.append(name)
    body = {"additionalProperties": False, "properties": properties, "required": required,
            "title": "DSPyProgramOutputs", "type": "object"}
    return {"type": "json_schema", "json_schema": {"name": "DSPyProgramOutputs", "schema": body, "strict": True}}


def main():
    recorded = []
    for case_id, adapter, signature, inputs, flags, demos, options in CASES:
        body = {"model": "smollm2", "messages": messages(adapter, signature, inputs, flags, demos),
                "temperature": options.get("temperature", 0.0), "max_tokens": options.get("max_tokens", 96),
                # Without prompt caching a reply does not depend on what the server answered before.
                "cache_prompt": False}
        if options.get("n"):
            body["n"] = options["n"]
        if options.get("response_format") == "schema":
            body["response_format"] = schema(signature)
        request = urllib.request.Request(URL, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        entry = {"id": case_id, "adapter": adapter, "signature": signature, "module": "chain_of_thought" if "--cot" in flags else "predict",
                 "request": body}
        try:
            reply = json.load(urllib.request.urlopen(request, timeout=120))
            choice = reply["choices"][0]
            entry.update(status=200, reply=choice["message"]["content"], finish_reason=choice["finish_reason"])
        except urllib.error.HTTPError as error:
            entry.update(status=error.code, error_body=error.read().decode())
        recorded.append(entry)
        print(case_id, entry.get("finish_reason", entry["status"]), file=sys.stderr)
    json.dump(recorded, sys.stdout, indent=1, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
