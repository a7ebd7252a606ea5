"""The pages in the reader's language (ui/i18n.py, ui/language.py): one Babel catalogue per
language holds every message the pages and their scripts mark, and the language a page is
shown in is the signed-in user's choice, else this browser's choice, else Accept-Language,
else English. Junk in the header, the cookie or the choice changes nothing and is never
echoed; nobody changes another user's choice."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from tests.builders import add_admin, add_people, processed_clip, signed_in
from workbench.languages import LANGUAGES
from workbench.ui import i18n
from workbench.ui.server import create_app

TRANSLATED = [code for code in LANGUAGES if code != i18n.SOURCE]
OWN_ORIGIN = "http://testserver"  # TestClient's base URL
PLACEHOLDER = re.compile(r"\{\w+\}")


# --- the catalogue ------------------------------------------------------------------------

def catalogue_gaps(marked: set[str], language: str) -> dict[str, list[str]]:
    """What ``language``'s catalogue lacks or holds wrongly, against ``marked``."""
    entries = {m.id: m for m in i18n.read_catalogue(language) if m.id}
    return {
        "missing": sorted(marked - set(entries)),
        "obsolete": sorted(set(entries) - marked),
        "untranslated": sorted(k for k, m in entries.items() if not m.string or m.fuzzy),
        "placeholders": sorted(k for k, m in entries.items()
                               if m.string and set(PLACEHOLDER.findall(k)) != set(PLACEHOLDER.findall(m.string))),
    }


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_language_translates_every_message_the_pages_mark(language):
    gaps = catalogue_gaps(set(i18n.marked_messages()), language)
    assert gaps == {"missing": [], "obsolete": [], "untranslated": [], "placeholders": []}, (
        f"{language}: run `python -m workbench.ui.i18n` and fill in locale/{language}: {gaps}")


def test_every_catalogue_holds_the_same_messages():
    ids = {language: {m.id for m in i18n.read_catalogue(language) if m.id} for language in TRANSLATED}
    union = set().union(*ids.values())
    assert {language: sorted(union - held) for language, held in ids.items()} == {language: [] for language in TRANSLATED}


def test_a_newly_marked_message_is_caught_until_each_language_has_it(tmp_path):
    script = tmp_path / "new.js"
    script.write_text('banner("ok", tr("A message nobody has translated yet."));\n'
                      "element.title = tr('Single {quoted}', { quoted: 1 });\n")
    marked = set(i18n.marked_messages()) | set(i18n.marked_messages([script]))
    assert catalogue_gaps(marked, "ko")["missing"] == ["A message nobody has translated yet.", "Single {quoted}"]


def test_a_python_message_written_over_several_lines_is_marked_whole(tmp_path):
    """Adjacent literals are one message, as Python joins them: a long message wrapped over
    lines is caught like a short one (a line-by-line reading missed the sign-in page's
    "Thank you..." and left it English for every reader)."""
    module = tmp_path / "page.py"
    module.write_text('def page(tr):\n'
                      '    return tr("A long message that is wrapped "\n'
                      '              "over two lines, {n} times.", n=2) + tr(f"{x}") + str("Not marked.")\n')
    assert i18n.marked_messages([module]) == {
        "A long message that is wrapped over two lines, {n} times.": [f"{module}:2"]}


def test_the_task_scripts_load_their_words_from_the_page_not_from_english_literals():
    """Every English phrase a person reads in static/work is a marked message: a string
    literal of two or more words outside ``tr(...)`` (ids, CSS classes, keys and event names
    aside) is a hard-coded string."""
    phrase = re.compile(r"""(["`])([A-Z]?[a-z]+(?: [a-z]+)+[.:!?]?)\1""")
    not_prose = re.compile(r"""\b(class(Name)?|kind|keys|classList\.\w+|banner)\s*[:(=][^,;{}]*$""")
    found = []
    for path in sorted(i18n.JS_DIR.glob("*.js")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = re.sub(r"//.*$", "", line)
            code = i18n.MARKED.sub("tr()", code)
            for match in phrase.finditer(code):
                if not not_prose.search(code[:match.start()]):
                    found.append(f"{path.name}:{number}: {match.group(0)}")
    assert found == []


class TextOf(HTMLParser):
    """The words a reader sees in a page: its text and its title/label/placeholder attributes."""

    SHOWN = {"title", "aria-label", "placeholder", "alt"}

    def __init__(self):
        super().__init__()
        self.words: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")
        self.words += [value for name, value in attrs if name in self.SHOWN and value]

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.words.append(data)


def english_words(page: str, *, allowed: set[str]) -> set[str]:
    reader = TextOf()
    reader.feed(page)
    return set(re.findall(r"[A-Za-z]{3,}", " ".join(reader.words))) - allowed


# Names, not words: the product, key names and the document formats.
NOT_ENGLISH = {"workbench", "PDF", "English", "Esc", "Alt"}


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_sign_in_and_task_pages_have_no_english_left_in_another_language(language):
    from workbench.ui.login_page import login_page
    from workbench.ui.work_api import task_page

    for page in (login_page(language=language), login_page(language=language, apply_done=True),
                 task_page("transcriber", 7, language), task_page("reviewer", 7, language)):
        assert english_words(page, allowed=NOT_ENGLISH) == set()
        assert f'<html lang="{language}">' in page


@pytest.mark.parametrize(("code", "language"), [
    ("ko", "ko"), ("ko-KR", "ko"), ("zh-Hans-CN", "zh"), ("zh_TW", "zh"), ("JA", "ja"), ("en-GB", "en"),
    ("fr", None), ("", None), ("<script>", None), ("ko;" * 40, None), (None, None), (7, None), ("k\u00f6", None),
])
def test_a_language_code_is_one_of_the_four_or_nothing(code, language):
    assert i18n.known(code) == language


@pytest.mark.parametrize(("header", "language"), [
    ("ko-KR,ko;q=0.9,en-US;q=0.8", "ko"),
    ("fr-FR, de;q=0.9, ja;q=0.5", "ja"),
    ("en;q=0.2, zh-CN;q=0.9", "zh"),
    ("ko;q=0, ja", "ja"),
    ("ko;q=abc, en", "en"),
    ("*", None), ("", None), (None, None), (";;;,,,;q=", None), ("\u00ff" * 5000, None), ("x" * 100_000, None),
])
def test_accept_language_gives_the_first_page_language_by_weight(header, language):
    assert i18n.from_accept_language(header) == language


# --- over HTTP ----------------------------------------------------------------------------

@pytest.fixture
def app(wb):
    """Korean transcribers minji and jisoo, each with a task, and an admin; no choices made."""
    admin = add_admin(wb)
    add_people(wb, admin, {"minji": ({"transcriber"}, "ko"), "jisoo": ({"transcriber"}, "ko")})
    processed_clip(wb, admin, filename="ko-0.wav")
    processed_clip(wb, admin, filename="ko-1.wav")
    wb.claim_next_id(wb.actor("minji"))
    return create_app(wb, secret=b"k" * 32)


def choose(client, language: str, **extra: str):
    return client.post("/language", data={"language": language, "next": "/work", **extra},
                       headers={"Origin": OWN_ORIGIN}, follow_redirects=False)


def test_accept_language_korean_gives_the_korean_sign_in_page(app):
    client = signed_in(app, None)
    page = client.get("/login", headers={"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.8"}).text
    assert '<html lang="ko">' in page and "로그인" in page and "작업자 지원하기" in page
    assert "Apply to work with us" not in page
    english = client.get("/login", headers={"Accept-Language": "de-DE"}).text
    assert '<html lang="en">' in english and "Apply to work with us" in english


def test_an_anonymous_choice_is_kept_in_a_cookie_and_wins_over_accept_language(app, wb):
    client = signed_in(app, None)
    answer = choose(client, "ja", next="/login")
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert client.cookies.get(i18n.COOKIE) == "ja"
    page = client.get("/login", headers={"Accept-Language": "ko"}).text
    assert '<html lang="ja">' in page and "ログイン" in page
    assert all(wb.actor(name).ui_language is None for name in ("minji", "jisoo", "admin"))


def test_the_queue_and_task_pages_and_their_json_follow_accept_language(app, wb):
    client = signed_in(app, "minji", headers={"Accept-Language": "ko"})
    queue = client.get("/work").text
    assert '<html lang="ko">' in queue and "다음 작업 받기" in queue
    strings = json.loads(re.search(r'id="wb-strings">globalThis.wbStrings = (.*?);</script>', queue).group(1))
    assert strings["You hold no task."] == "맡은 작업이 없습니다."
    task_id = wb.my_queue(wb.actor("minji")).open[0].id
    task = client.get(f"/work/transcribe/{task_id}").text
    shown = re.sub(r'<script id="wb-strings">.*?</script>', "", task, flags=re.S)
    assert "검수 요청" in shown and "Submit for review" not in shown
    listed = client.get("/api/work/queue").json()
    assert "완료" in listed["tasks"][0]["label"] and "내 언어로" in listed["offer"]


def test_a_signed_in_users_choice_wins_over_the_browser_and_follows_them_to_another(app, wb):
    first = signed_in(app, "minji", headers={"Accept-Language": "ko"})
    assert choose(first, "zh").status_code == 303
    assert wb.actor("minji").ui_language == "zh"
    assert "领取下一个任务" in first.get("/work").text
    # Another browser, asking for Korean, without the cookie: the stored choice wins, and
    # signing in there sets that browser's cookie (the Gradio pages read the same language).
    second = signed_in(app, "minji", headers={"Accept-Language": "ko"})
    assert second.cookies.get(i18n.COOKIE) == "zh"
    second.cookies.delete(i18n.COOKIE)
    assert '<html lang="zh">' in second.get("/work").text
    assert choose(second, "auto").status_code == 303
    assert wb.actor("minji").ui_language is None
    assert '<html lang="ko">' in second.get("/work").text


@pytest.mark.parametrize("junk", [
    "<script>alert(1)</script>", "xx", "ko\r\nSet-Cookie: a=b", "", "k" * 10_000, "zh-<b>", "\u0000",
])
def test_an_unknown_choice_is_refused_without_echo_and_changes_nothing(app, wb, junk):
    client = signed_in(app, "minji")
    assert choose(client, "ja").status_code == 303
    answer = choose(client, junk)
    assert answer.status_code == 422
    assert "<script>" not in answer.text and "<b>" not in answer.text and "Set-Cookie: a" not in answer.text
    assert wb.actor("minji").ui_language == "ja"
    assert client.cookies.get(i18n.COOKIE) == "ja"


@pytest.mark.parametrize("header", ["<script>alert(1)</script>", "ko;q=<b>", "x" * 20_000, "ko-KR;q=1e999", ",,;;"])
def test_junk_accept_language_or_cookie_is_harmless(app, header):
    client = signed_in(app, "minji", headers={"Accept-Language": header})
    client.cookies.set(i18n.COOKIE, "<script>alert(1)</script>")
    for path in ("/work", "/login", "/api/work/queue"):
        answer = client.get(path)
        assert answer.status_code == 200
        assert "<script>alert" not in answer.text


def test_nobody_changes_another_users_choice(app, wb):
    minji = signed_in(app, "minji")
    # The form names no user: an extra field naming another one is ignored.
    assert choose(minji, "ja", username="jisoo", user="jisoo").status_code == 303
    assert (wb.actor("minji").ui_language, wb.actor("jisoo").ui_language) == ("ja", None)
    # An anonymous choice touches no account.
    assert choose(signed_in(app, None), "zh", username="jisoo").status_code == 303
    assert wb.actor("jisoo").ui_language is None
    # Another site cannot make a signed-in browser choose.
    foreign = minji.post("/language", data={"language": "ko"}, headers={"Origin": "https://evil.example"},
                         follow_redirects=False)
    assert foreign.status_code == 403 and wb.actor("minji").ui_language == "ja"
    # The Workbench call takes only the acting user, and records the change.
    wb.set_ui_language(wb.actor("jisoo"), "ko")
    assert (wb.actor("minji").ui_language, wb.actor("jisoo").ui_language) == ("ja", "ko")
    assert any(entry.action == "user.ui_language_changed" for entry in wb.audit_log(wb.actor("admin")))


def test_after_a_redirect_the_choice_never_leaves_the_site(app):
    client = signed_in(app, None)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        answer = choose(client, "ko", next=target)
        assert answer.status_code == 303 and answer.headers["location"] == "/login"


def test_the_gradio_pages_are_told_the_readers_language_and_have_the_catalogue(app, wb):
    admin = signed_in(app, "admin", headers={"Accept-Language": "ja-JP"})
    page = admin.get("/", headers={"Accept": "text/html"}).text
    assert 'const locale = "ja";' in page.split("</head>")[0]
    assert choose(admin, "zh", next="/").status_code == 303
    assert 'const locale = "zh-CN";' in admin.get("/", headers={"Accept": "text/html"}).text
    translations = admin.get("/config").json()["i18n_translations"]
    assert translations["ko"]["Clips"] == "클립" and translations["zh-CN"]["Take the next task"] == "领取下一个任务"


def test_the_gradio_labels_have_no_placeholders_gradio_would_cut_short():
    from workbench.ui.gradio_i18n import gradio_messages

    messages = gradio_messages()
    assert "Clips" in messages and "Take the next task" in messages
    assert [message for message in messages if "{" in message or "}" in message] == []


def test_a_refusal_a_worker_meets_comes_in_their_language(app, wb):
    from tests.builders import transcribe

    client = signed_in(app, None)
    page = client.post("/login", data={"username": "minji", "password": "not-her-password-at-all"},
                       headers={"Accept-Language": "ko"})
    assert page.status_code == 401 and "아이디 또는 비밀번호가 틀렸습니다." in page.text
    add_people(wb, wb.actor("admin"), {"both": ({"transcriber", "reviewer"}, "ko")})
    both = wb.actor("both")
    task_id = wb.claim_next_id(both)
    transcribe(wb, both, task_id)
    own = signed_in(app, "both", headers={"Accept-Language": "ja"}).post(f"/api/work/review/{task_id}",
                                                                          headers={"Origin": OWN_ORIGIN})
    assert own.status_code == 403 and own.json() == {"detail": "自分の作業はレビューできません。"}


def test_every_gradio_page_hands_its_labels_to_gradio_however_it_imports_tr():
    """Gradio translates in the browser only what the catalogue handed to it holds: the
    labels of every module importing ``gradio_i18n.tr``, alone or beside other names."""
    from workbench.ui import gradio_i18n

    pages = {path.name for path in i18n.UI_DIR.rglob("*.py") if gradio_i18n.imports_tr(path)}
    assert {"app.py", "earnings.py", "transcriber.py", "reviewer.py"} <= pages
    assert {"My earnings", "Take the next task", "Submitted tasks in my language"} <= set(gradio_i18n.gradio_messages())
