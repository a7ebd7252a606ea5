"""The sign-in page: the login form beside the application form, as one self-contained
HTML page (its CSS inline). ``ui/login`` serves it."""

from __future__ import annotations

import html

from workbench.ui.wiring import LANGUAGE_NAMES

LOGIN_CSS = """
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans KR", sans-serif;
       color: #1f2933; background: #f4f6f8; }
main { max-width: 960px; margin: 6vh auto; padding: 0 20px; display: grid; gap: 28px;
       grid-template-columns: minmax(0, 1fr) minmax(0, 1.3fr); }
@media (max-width: 760px) { main { grid-template-columns: 1fr; } }
header { grid-column: 1 / -1; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0 0 14px; }
header p, .hint { color: #52606d; margin: 0; }
section { background: #fff; border: 1px solid #dde3e9; border-radius: 10px; padding: 24px; }
label { display: block; font-weight: 600; margin: 12px 0 4px; }
input, select { width: 100%; padding: 9px 11px; font: inherit; border: 1px solid #c3ccd5;
                border-radius: 6px; background: #fff; }
input:focus, select:focus { outline: 2px solid #3b82f6; outline-offset: 0; border-color: #3b82f6; }
button { margin-top: 18px; width: 100%; padding: 10px; font: inherit; font-weight: 600;
         border: 0; border-radius: 6px; background: #2563eb; color: #fff; cursor: pointer; }
button.secondary { background: #e7ecf2; color: #1f2933; }
.row { display: grid; grid-template-columns: 1fr 1fr; gap: 0 14px; }
.error { background: #fdecec; color: #8a1c1c; border: 1px solid #f5c2c2; padding: 9px 12px;
         border-radius: 6px; margin-bottom: 6px; }
.done { background: #e8f5ec; color: #1d5b32; border: 1px solid #b9e0c5; padding: 9px 12px;
        border-radius: 6px; margin-bottom: 6px; }
"""

# Every value is escaped before it goes in (``login_page``).
LOGIN_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · workbench</title><style>{css}</style></head>
<body><main>
<header><h1>Speech data workbench</h1>
<p>Transcribe, review and prepare speech recordings.</p></header>
<section aria-labelledby="signin">
  <h2 id="signin">Sign in</h2>
  {login_message}
  <form id="signin-form" method="post" action="/login">
    <label for="login-username">Username</label>
    <input id="login-username" name="username" autocomplete="username" required autofocus
           value="{username}">
    <label for="login-password">Password</label>
    <input id="login-password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit">Sign in</button>
  </form>
</section>
<section aria-labelledby="apply">
  <h2 id="apply">Apply to work with us</h2>
  <p class="hint">Transcribers and reviewers work in one language. We check your identity
  document before the account opens.</p>
  {apply_message}
  <form id="apply-form" method="post" action="/apply" enctype="multipart/form-data">
    <div class="row">
      <div><label for="apply-name">Full name</label>
        <input id="apply-name" name="name" required value="{name}"></div>
      <div><label for="apply-language">Language</label>
        <select id="apply-language" name="language" required>{languages}</select></div>
    </div>
    <div class="row">
      <div><label for="apply-username">Username</label>
        <input id="apply-username" name="username" autocomplete="off" required
               value="{apply_username}"></div>
      <div><label for="apply-password">Password</label>
        <input id="apply-password" name="password" type="password" autocomplete="new-password"
               required></div>
    </div>
    <label for="apply-bank">Bank account holder</label>
    <input id="apply-bank" name="bank_holder" required value="{bank_holder}">
    <label for="apply-document">Identity document (PDF or image)</label>
    <input id="apply-document" name="document" type="file" accept=".pdf,.png,.jpg,.jpeg,.webp" required>
    <button type="submit" class="secondary">Send application</button>
  </form>
</section>
</main></body></html>"""


def _option(code: str, label: str, selected: str) -> str:
    chosen = " selected" if code == selected else ""
    return f'<option value="{html.escape(code)}"{chosen}>{html.escape(label)}</option>'


def login_page(
    *,
    login_error: str = "",
    username: str = "",
    apply_error: str = "",
    apply_form: dict[str, str] | None = None,
    apply_done: bool = False,
) -> str:
    """The sign-in form beside the application form, as one self-contained HTML page."""
    form = {key: html.escape(value) for key, value in (apply_form or {}).items()}
    languages = "".join(
        _option(code, name, (apply_form or {}).get("language", ""))
        for code, name in LANGUAGE_NAMES.items()
    )
    login_message = f'<p class="error" role="alert">{html.escape(login_error)}</p>' if login_error else ""
    if apply_done:
        apply_message = (
            '<p class="done" role="status">Thank you. Your application was received; an '
            "administrator will review it and you can sign in once it is approved. If you cannot "
            "sign in after a few days, your username may already be in use: apply again with another "
            "one.</p>"
        )
    elif apply_error:
        apply_message = f'<p class="error" role="alert">{html.escape(apply_error)}</p>'
    else:
        apply_message = ""
    return LOGIN_HTML.format(
        css=LOGIN_CSS, login_message=login_message, username=html.escape(username), apply_message=apply_message,
        languages=languages, name=form.get("name", ""), apply_username=form.get("username", ""),
        bank_holder=form.get("bank_holder", ""),
    )
