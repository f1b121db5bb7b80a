"""Every kind of CLI command, run many times as real processes: the documented exit status every time, a clear
message, and never an interpreter abort (``Fatal Python error`` / exit 134) nor a raw traceback.

Runs: bad input without a server, no server, unknown ids and bad verb payloads, verbs on a finished task, and
``run`` against the session's real stack (success and goal not reached) - about 130 processes, 4 at a time.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from demo import DemoSite
from tests.conftest import Engine
from tests.workflows.test_task import demo_request

pytestmark = pytest.mark.integration

BROWSERFLOW = str(Path(sys.executable).parent / "browserflow")
PARALLEL = 4


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    code: int
    says: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Outcome:
    case: Case
    code: int
    out: str
    err: str


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def run_case(case: Case, base: dict[str, str], gate: asyncio.Semaphore) -> Outcome:
    async with gate:
        proc = await asyncio.create_subprocess_exec(
            BROWSERFLOW,
            *case.args,
            env={**base, **dict(case.env)},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), timeout=240)
    assert proc.returncode is not None
    return Outcome(case, proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"))


async def run_all(cases: list[Case], base: dict[str, str]) -> list[Outcome]:
    gate = asyncio.Semaphore(PARALLEL)
    return list(await asyncio.gather(*(run_case(c, base, gate) for c in cases)))


def check(outcomes: list[Outcome]) -> None:
    wrong = []
    for o in outcomes:
        problems = []
        if o.code != o.case.code:
            problems.append(f"exit {o.code}, expected {o.case.code}")
        for text in ("Fatal Python error", "Traceback (most recent call last)", "still referenced at exit"):
            if text in o.err:
                problems.append(f"stderr has {text!r}")
        problems += [f"no {s!r} in the output" for s in o.case.says if s not in o.out + o.err]
        if problems:
            wrong.append(f"{o.case.name} {' '.join(o.case.args)}: {'; '.join(problems)}\n{o.err[-1500:]}")
    assert not wrong, f"{len(wrong)} of {len(outcomes)} runs wrong:\n" + "\n".join(wrong[:5])


@pytest.fixture(scope="module")
def base_env(tmp_path_factory: pytest.TempPathFactory, engine: Engine) -> dict[str, str]:
    data_dir = tmp_path_factory.mktemp("cli-exit")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "BROWSERFLOW_TASK_QUEUE"))}
    env.update(
        TEMPORAL_ADDRESS=engine.client.service_client.config.target_host,
        BROWSERFLOW_TASK_QUEUE=engine.task_queue,
        BROWSERFLOW_DATA_DIR=str(data_dir),
        DATABASE_URL=f"sqlite:///{data_dir / 'cli.db'}",
    )
    return env


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("requests")
    made = {
        "bad": {"goal": "", "start_url": "javascript:alert(1)"},
        "valid": {"goal": "Register Eden", "start_url": "http://127.0.0.1:9/"},
        "huge": {"goal": "Register Eden", "start_url": "http://127.0.0.1:9/", "data": {"notes": "x" * 1_000_000}},
    }
    paths = {}
    for name, body in made.items():
        (folder / f"{name}.json").write_text(json.dumps(body))
        paths[name] = str(folder / f"{name}.json")
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    paths["deep"] = str(folder / "deep.json")
    paths["dir"] = str(folder)
    return paths


async def test_without_a_server_bad_input_exits_2_naming_each_field_and_valid_input_exits_5(
    base_env: dict[str, str], files: dict[str, str]
) -> None:
    nowhere = (("TEMPORAL_ADDRESS", f"127.0.0.1:{closed_port()}"),)
    bad_fields = ("goal: String should have at least 1 character", "start_url: ", "scheme 'javascript'")
    cases = [Case("bad input", ("run", files["bad"]), 2, bad_fields, nowhere) for _ in range(24)]
    cases += [Case("bad input", ("submit", files["bad"]), 2, bad_fields, nowhere) for _ in range(4)]
    cases += [Case("directory", ("run", files["dir"]), 2, ("is a directory",), nowhere) for _ in range(3)]
    cases += [Case("deep", ("run", files["deep"]), 2, ("nested too deeply",), nowhere) for _ in range(3)]
    cases += [Case("1 MB", ("submit", files["huge"]), 2, ("data: the request is", "over the limit"), nowhere)] * 3
    verbs = [
        (("reject", "t-1", "--reason", ""), "reason: String should have at least 1 character"),
        (("input", "t-1", "novalue"), "values: expected FIELD=VALUE"),
        (("instruct", "t-1", "bogus", "#a"), "action.kind: Input should be"),
        (("instruct", "t-1", "click"), "action.selector: click needs a SELECTOR"),
        (("take-over", "t-1", "=x"), "result: expected FIELD=VALUE"),
        (("status", "bad id"), "task id: 'bad id' is not a task id"),
        (("list", "--status", "sideways"), "--status: 'sideways' is not a task status"),
    ]
    cases += [Case("bad verb", args, 2, (says,), nowhere) for args, says in verbs for _ in range(2)]
    no_server = ("cannot reach Temporal",)
    cases += [Case("no server", ("run", files["valid"]), 5, no_server, nowhere) for _ in range(16)]
    cases += [Case("no server", (verb, "t-1"), 5, no_server, nowhere) for verb in ("status", "approve", "cancel")]
    check(await run_all(cases, base_env))


async def test_unknown_ids_exit_4_and_a_finished_task_refuses_verbs_with_3(
    base_env: dict[str, str], engine: Engine, site: DemoSite
) -> None:
    finished = await engine.tasks.submit(
        {"goal": "Buy a kayak paddle", "start_url": site.url("/confirmation-unknown"), "review_policy": "never"}
    )
    await finished.result()
    unknown = f"bf-unknown-{uuid.uuid4().hex[:8]}"
    commands = [
        ("status", unknown),
        ("steps", unknown),
        ("watch", unknown),
        ("cancel", unknown),
        ("pause", unknown),
        ("resume", unknown),
        ("approve", unknown),
        ("reject", unknown, "--reason", "no"),
        ("input", unknown, "email=x@y.z"),
        ("instruct", unknown, "click", "#go"),
        ("take-over", unknown, "done=yes"),
    ]
    cases = [Case("unknown id", args, 4, (f"no task '{unknown}'",)) for args in commands for _ in range(3)]
    ended = [("cancel",), ("pause",), ("resume",), ("approve",), ("reject", "--reason", "no")]
    cases += [
        Case("finished", (verb, finished.id, *rest), 3, ("has already ended",))
        for verb, *rest in ended
        for _ in range(2)
    ]
    cases += [Case("finished status", ("status", finished.id), 0, ("status:   stuck",)) for _ in range(2)]
    cases += [Case("finished steps", ("steps", finished.id, "--json"), 0, (finished.id,)) for _ in range(2)]
    check(await run_all(cases, base_env))


async def test_run_against_the_stack_exits_0_on_success_and_1_when_the_goal_is_not_reached(
    base_env: dict[str, str], site: DemoSite, tmp_path: Path
) -> None:
    success = tmp_path / "success.json"
    success.write_text(json.dumps(demo_request(site)))
    stuck = tmp_path / "stuck.json"
    stuck.write_text(
        json.dumps(
            {"goal": "Buy a kayak paddle", "start_url": site.url("/confirmation-unknown"), "review_policy": "never"}
        )
    )
    cases = [Case("success", ("run", str(success)), 0, ("status:   succeeded", "started; Web UI")) for _ in range(5)]
    cases += [Case("success json", ("run", str(success), "--json"), 0, ('"goal_achieved": true',)) for _ in range(2)]
    cases += [Case("not reached", ("run", str(stuck)), 1, ("status:   stuck",)) for _ in range(4)]
    outcomes = await run_all(cases, base_env)
    check(outcomes)
    assert site.registration_count() == 7
    for o in outcomes:
        if o.case.name == "success":
            assert o.out.startswith("task bf-"), o.out[:300]  # the task id comes first: no SDK warning before it
