"""A timed walk (not a timed test): one 10-minute clip in the transcriber's task page, driven
in real Chromium, "before" and "after" the boundary keys.

    python3 bench/walk.py                  # both ways, 10 boundary errors and 20 typed segments
    python3 bench/walk.py --headed         # watch it (needs a display)

Seeds a store with two copies of a 10-minute clip of 140 segments (tone bursts where the
speech is, silence between; the clip's real audio is served), each held by its own Korean
transcriber. Ten of the stored segments are off the speech by 150-450 ms: five end too early,
five start too late. Then, one transcriber per way, the script signs in, opens the task
page, and:

- fixes the 10 boundaries. **before**: what the page offered before the timeline, split and
  merge only. The edge cannot move into the silence, so the worker merges with the
  neighbour (Alt+M), plays the merged segment at 2x from its start (Alt+R), stops at the
  speech's edge (Esc: the script stops when the player passes it, as an attentive ear would)
  and splits there (Alt+S). **after**: the boundary keys, Alt+[ / Alt+] (start) and Alt+; /
  Alt+' (end), 50 ms a press, as many as the error needs, each saved at once;
- types 20 segments (a Korean sentence each, then Enter to the next) and waits until the
  page says "all saved".

It prints, per way, the keystrokes (key presses; each typed character counts one, though a
Hangul syllable is 2-3 keys on a real keyboard), the clicks, the seconds of scripted work
(wall time, the page's own answers and the playing included, no thinking), and how far the
fixed edges ended up from the speech (read back from the store). Not a test: nothing here
asserts beyond "the walk went through".
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import claims  # noqa: E402  (the server process and its password)

SECONDS, SEGMENTS, RATE = 600.0, 140, 16_000
SLOT = SECONDS / SEGMENTS
ERRORS = {  # segment index -> (edge, seconds the stored edge is off the speech)
    **{index: ("end", -off) for index, off in zip((10, 30, 50, 70, 90), (0.15, 0.25, 0.3, 0.4, 0.45))},
    **{index: ("start", off) for index, off in zip((20, 40, 60, 80, 100), (0.2, 0.25, 0.35, 0.4, 0.45))},
}
TYPED = range(110, 130)  # the 20 segments typed
SENTENCE = "네 그렇게 하겠습니다."
NUDGE = 0.05
NUDGE_KEYS = {("start", -1): "Alt+BracketLeft", ("start", 1): "Alt+BracketRight",
              ("end", -1): "Alt+Semicolon", ("end", 1): "Alt+Quote"}


def speech() -> list[tuple[float, float]]:
    """Where the speech is: one span a slot, of varying length."""
    return [(round(n * SLOT + 0.3, 3), round(n * SLOT + 0.3 + 2.2 + (n % 5) * 0.3, 3)) for n in range(SEGMENTS)]


def stored() -> list[tuple[float, float]]:
    """The segmentation the worker is given: the speech, with ERRORS."""
    spans = [list(span) for span in speech()]
    for index, (edge, off) in ERRORS.items():
        spans[index][0 if edge == "start" else 1] += off
    return [(round(start, 3), round(end, 3)) for start, end in spans]


def write_audio(folder: Path) -> Path:
    import numpy as np
    import soundfile as sf

    folder.mkdir(parents=True)
    t = np.arange(int(SECONDS * RATE)) / RATE
    level = np.zeros_like(t)
    for n, (start, end) in enumerate(speech()):
        level[int(start * RATE):int(end * RATE)] = 0.25 + 0.1 * (n % 3)
    audio = (level * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    for name in ("clean.flac", "original.flac"):
        sf.write(folder / name, audio, RATE)
    return folder


def seed(database_url: str, data_dir: Path) -> dict[str, int]:
    """Two transcribers, ``walk-before`` and ``walk-after``, each holding a copy of the clip."""
    admin_wb = claims._open_workbench(database_url, data_dir)
    try:
        admin = admin_wb.create_user(None, username="walk-admin", password=claims.PASSWORD, name="Admin",
                                     roles={"admin"})
        tasks = {}
        for way in ("before", "after"):
            worker = admin_wb.create_user(admin, username=f"walk-{way}", password=claims.PASSWORD, name=way,
                                          roles={"transcriber"}, language="ko")
            admin_wb.register_processed_clip(admin, filename=f"walk-{way}.wav", language="ko", project="walk",
                                             duration=SECONDS, segments=stored(),
                                             output_dir=write_audio(data_dir / f"audio-{way}"))
            tasks[way] = admin_wb.claim_next_id(worker)
        return tasks
    finally:
        admin_wb.close()


@dataclass
class Tally:
    """One part of a walk: key presses, clicks and seconds of scripted work."""

    keys: int = 0
    clicks: int = 0
    seconds: float = 0.0

    def press(self, page, key: str, times: int = 1) -> None:
        for _ in range(times):
            page.keyboard.press(key)
            self.keys += 1

    def click(self, locator) -> None:
        locator.click()
        self.clicks += 1


def box(page, index: int):
    return page.locator(".seg-text").nth(index)


def fix_after(page, tally: Tally) -> None:
    """The boundary keys: on each erroneous segment, as many 50 ms presses as the error needs."""
    for index, (edge, off) in sorted(ERRORS.items()):
        tally.click(box(page, index))
        direction = 1 if off < 0 else -1
        presses = round(abs(off) / NUDGE)
        tally.press(page, NUDGE_KEYS[(edge, direction)], presses)
        target = speech()[index][0 if edge == "start" else 1]
        page.wait_for_function(
            "([i, edge, target]) => { const m = document.querySelector('#banner').textContent"
            ".match(/Segment (\\d+): ([\\d.]+)–([\\d.]+) s/); return m && Number(m[1]) === i + 1"
            " && Math.abs(Number(edge === 'start' ? m[2] : m[3]) - target) < 0.011; }",
            arg=[index, edge, target], timeout=30_000)


def fix_before(page, tally: Tally) -> None:
    """Split and merge only: merge with the neighbour across the gap, play the merged segment
    to the speech's edge, stop, split there. Indices shift by none: each merge is undone by
    its split."""
    tally.press(page, "Alt+Period", 4)  # 2x, once for the walk
    for index, (edge, off) in sorted(ERRORS.items()):
        first = index if edge == "end" else index - 1  # the segment the merge keeps
        tally.click(box(page, first))
        count = page.locator(".seg").count()
        tally.press(page, "Alt+m")
        page.wait_for_function(f"document.querySelectorAll('.seg').length === {count - 1}")
        merged_start = stored()[first][0]
        edge_at = speech()[index][0 if edge == "start" else 1] - merged_start
        tally.press(page, "Alt+r")
        page.wait_for_function("(at) => { const a = document.querySelector('audio[data-player]');"
                               " return !a.paused && a.currentTime >= at; }", arg=edge_at, polling=5,
                               timeout=30_000)
        tally.press(page, "Escape")
        tally.press(page, "Alt+s")
        page.wait_for_function(f"document.querySelectorAll('.seg').length === {count}")


def type_segments(page, tally: Tally) -> None:
    tally.click(box(page, TYPED[0]))
    for _ in TYPED:
        page.keyboard.type(SENTENCE)
        tally.keys += len(SENTENCE)
        tally.press(page, "Enter")
    page.locator("#save-state").filter(has_text="all saved").wait_for(timeout=60_000)


def walk(browser, base_url: str, way: str, task_id: int) -> tuple[Tally, Tally]:
    """One way's walk in a fresh browser context: the boundaries' tally and the typing's."""
    from tests.e2e.conftest import VIEWPORT, sign_in

    context = browser.new_context(base_url=base_url, viewport=VIEWPORT, locale="ko-KR")
    try:
        page = context.new_page()
        sign_in(page, f"walk-{way}", claims.PASSWORD, gradio=False)
        page.goto(f"/work/transcribe/{task_id}")
        page.locator(".seg").nth(SEGMENTS - 1).wait_for()
        tallies = []
        for part in ((fix_before if way == "before" else fix_after), type_segments):
            tally = Tally()
            started = time.perf_counter()
            part(page, tally)
            tally.seconds = time.perf_counter() - started
            tallies.append(tally)
        return tallies[0], tallies[1]
    finally:
        context.close()


def edge_errors(database_url: str, data_dir: Path, task_id: int) -> list[float]:
    """How far each fixed edge ended up from the speech, in ms, from the store."""
    wb = claims._open_workbench(database_url, data_dir)
    try:
        admin = wb.actor("walk-admin")
        segments = wb.open_task(admin, task_id).segments
        truth = speech()
        errors = []
        for index, (edge, _) in sorted(ERRORS.items()):
            wanted = truth[index][0 if edge == "start" else 1]
            nearest = min((s.start if edge == "start" else s.end for s in segments), key=lambda at: abs(at - wanted))
            errors.append(1000 * abs(nearest - wanted))
        return errors
    finally:
        wb.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM_ARGS, CHROMIUM_PATH

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--headed", action="store_true")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="walk-bench-"))
    database_url = f"sqlite:///{data_dir / 'workbench.db'}"
    tasks = seed(database_url, data_dir)
    server, base_url = claims.start_server(database_url, data_dir, timeout=120)
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, headless=not args.headed,
                                                 args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"])
            for way in ("before", "after"):
                tallies = walk(browser, base_url, way, tasks[way])
                rows.append((way, tallies, edge_errors(database_url, data_dir, tasks[way])))
            browser.close()
    finally:
        claims.stop_servers([(server, base_url)])
    print(f"One 10-minute clip ({SEGMENTS} segments): fix {len(ERRORS)} boundary errors, type {len(TYPED)} segments")
    print("| way | boundaries: keys / clicks / seconds | fixed edges off the speech (mean / worst) "
          "| typing: keys / seconds | total: keys / seconds |\n|---|---|---|---|---|")
    for way, (edges, typing), errors in rows:
        print(f"| {way} | {edges.keys} / {edges.clicks} / {edges.seconds:.1f} s "
              f"| {sum(errors) / len(errors):.0f} / {max(errors):.0f} ms | {typing.keys} / {typing.seconds:.1f} s "
              f"| {edges.keys + typing.keys} / {edges.seconds + typing.seconds:.1f} s |")


if __name__ == "__main__":
    main()
