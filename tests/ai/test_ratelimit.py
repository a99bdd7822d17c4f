"""The provider rate limit is shared through Redis by every process using one provider account:
two real processes (four threads each) together stay at OPENAI_RPM, and a 429 from the
provider pauses every client of the account for its Retry-After. (How exactly the achieved
rate meets the limit is measured by bench/bench_pipeline.py, not by a timed test.)"""

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from igny8_core.ai.providers.openai import OpenAIProvider
from igny8_core.ai.ratelimit import SharedRateLimit

from .fake_openai import CHAT, FakeOpenAI, chat_reply, error_reply

ROOT = Path(__file__).resolve().parents[2]

# One process of the test: four threads, seven chat completions each, through the real provider.
WORKER = """
import os, sys, threading
sys.path.insert(0, os.environ["ROOT"])
os.environ["DJANGO_SETTINGS_MODULE"] = "igny8_core.settings"
import django
django.setup()
from igny8_core.ai.providers.openai import OpenAIProvider
provider = OpenAIProvider(api_key=os.environ["KEY"], base_url=os.environ["URL"], text_model="m", max_retries=0)
tag = os.environ["TAG"]
def work():
    for _ in range(7):
        provider._complete([{"role": "user", "content": tag}], {"type": "object"}, "answer")
threads = [threading.Thread(target=work) for _ in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
"""


def test_two_processes_together_stay_at_the_shared_requests_per_minute():
    fake = FakeOpenAI().start()
    fake.script(CHAT, *[chat_reply('{"ok": true}') for _ in range(56)])
    key = f"sk-{uuid.uuid4().hex}"  # a fresh provider account: a limit of its own
    env = {**os.environ, "ROOT": str(ROOT), "KEY": key, "URL": fake.base_url, "OPENAI_RPM": "600"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    try:
        workers = [subprocess.Popen([sys.executable, "-c", WORKER], env={**env, "TAG": tag}) for tag in "AB"]
        assert [w.wait(timeout=120) for w in workers] == [0, 0]
    finally:
        fake.stop()
    calls = fake.calls(CHAT)
    assert len(calls) == 56
    assert {call.body["messages"][0]["content"] for call in calls} == {"A", "B"}
    arrivals = sorted(call.at for call in calls)
    # 56 requests 0.1 s apart take 5.5 s; a limit of each process's own would take half of that.
    # (A thread the busy machine wakes late can land next to the following one, so single gaps
    # and small deviations are not asserted here.)
    assert arrivals[-1] - arrivals[0] >= 5.5 * 0.75, f"{arrivals[-1] - arrivals[0]:.2f} s for 56 requests"


def test_a_429_pauses_every_client_of_the_account_for_its_retry_after(settings):
    settings.OPENAI_RPM = 0  # no rate: the pause alone
    fake = FakeOpenAI().start()
    fake.script(CHAT, error_reply(429, "slow down", {"Retry-After": "1.5"}), chat_reply("{}"), chat_reply("{}"))
    key = f"sk-{uuid.uuid4().hex}"
    first, second = (
        OpenAIProvider(api_key=key, base_url=fake.base_url, text_model="m", max_retries=1, retry_after_max=5)
        for _ in range(2)
    )
    try:
        ask = threading.Thread(target=first._complete, args=([{"role": "user", "content": "first"}], {}, "a"))
        ask.start()
        while not fake.calls(CHAT):
            time.sleep(0.01)
        time.sleep(0.2)  # the 429 is in
        second._complete([{"role": "user", "content": "second"}], {}, "a")
        ask.join(timeout=10)
    finally:
        fake.stop()
    rejected, *later = fake.calls(CHAT)
    assert len(later) == 2
    assert all(call.at - rejected.at >= 1.4 for call in later), [call.at - rejected.at for call in later]


def test_unlimited_by_default_and_limits_are_per_kind_and_account(settings):
    settings.OPENAI_RPM, settings.OPENAI_IMAGE_RPM = 0, 5
    text = SharedRateLimit.for_requests("text", None, "sk-one")
    started = time.monotonic()
    assert [text.acquire() for _ in range(20)] == [0.0] * 20 and time.monotonic() - started < 2
    image = SharedRateLimit.for_requests("image", None, f"sk-{uuid.uuid4().hex}")
    other = SharedRateLimit.for_requests("image", None, f"sk-{uuid.uuid4().hex}")
    assert image.key != other.key != text.key and image.interval_us == 12_000_000
    assert image.acquire() == 0.0 and other.acquire() == 0.0  # each account its own first slot
