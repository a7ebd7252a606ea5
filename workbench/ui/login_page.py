"""The sign-in page: the login form beside the application form, as one self-contained
HTML page (its CSS inline). ``ui/login`` serves it."""

from __future__ import annotations

import html

from workbench.ui import i18n
from workbench.ui.language import picker_html
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
.top { display: flex; align-items: center; gap: 12px; }
.top h1 { flex: 1; }
.language select { width: auto; padding: 4px 8px; }
.done { background: #e8f5ec; color: #1d5b32; border: 1px solid #b9e0c5; padding: 9px 12px;
        border-radius: 6px; margin-bottom: 6px; }
"""


def _page(tr, *, lang: str, picker: str, login_message: str, apply_message: str, username: str,
          languages: str, form: dict[str, str]) -> str:
    """The page's HTML; every value in it is escaped already (``tr`` is an ``html_translator``)."""
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{tr('Sign in')} · workbench</title><style>{LOGIN_CSS}</style></head>
<body><main>
<header><div class="top"><h1>{tr('Speech data workbench')}</h1>{picker}</div>
<p>{tr('Transcribe, review and prepare speech recordings.')}</p></header>
<section aria-labelledby="signin">
  <h2 id="signin">{tr('Sign in')}</h2>
  {login_message}
  <form id="signin-form" method="post" action="/login">
    <label for="login-username">{tr('Username')}</label>
    <input id="login-username" name="username" autocomplete="username" required autofocus
           value="{username}">
    <label for="login-password">{tr('Password')}</label>
    <input id="login-password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit">{tr('Sign in')}</button>
  </form>
</section>
<section aria-labelledby="apply">
  <h2 id="apply">{tr('Apply to work with us')}</h2>
  <p class="hint">{tr('Transcribers and reviewers work in one language. We check your identity document before the account opens.')}</p>
  {apply_message}
  <form id="apply-form" method="post" action="/apply" enctype="multipart/form-data">
    <div class="row">
      <div><label for="apply-name">{tr('Full name')}</label>
        <input id="apply-name" name="name" required value="{form.get('name', '')}"></div>
      <div><label for="apply-language">{tr('Language')}</label>
        <select id="apply-language" name="language" required>{languages}</select></div>
    </div>
    <div class="row">
      <div><label for="apply-username">{tr('Username')}</label>
        <input id="apply-username" name="username" autocomplete="off" required
               value="{form.get('username', '')}"></div>
      <div><label for="apply-password">{tr('Password')}</label>
        <input id="apply-password" name="password" type="password" autocomplete="new-password"
               required></div>
    </div>
    <label for="apply-bank">{tr('Bank account holder')}</label>
    <input id="apply-bank" name="bank_holder" required value="{form.get('bank_holder', '')}">
    <label for="apply-document">{tr('Identity document (PDF or image)')}</label>
    <input id="apply-document" name="document" type="file" accept=".pdf,.png,.jpg,.jpeg,.webp" required>
    <button type="submit" class="secondary">{tr('Send application')}</button>
  </form>
</section>
</main></body></html>"""


def _option(code: str, label: str, selected: str) -> str:
    chosen = " selected" if code == selected else ""
    return f'<option value="{html.escape(code)}"{chosen}>{html.escape(label)}</option>'


def login_page(
    *,
    language: str = i18n.DEFAULT,
    login_error: str = "",
    username: str = "",
    apply_error: str = "",
    apply_form: dict[str, str] | None = None,
    apply_done: bool = False,
) -> str:
    """The sign-in form beside the application form, as one self-contained HTML page in
    ``language``."""
    tr = i18n.html_translator(language)
    form = {key: html.escape(value) for key, value in (apply_form or {}).items()}
    names = i18n.language_names(language)
    languages = "".join(
        _option(code, names.get(code, name), (apply_form or {}).get("language", ""))
        for code, name in LANGUAGE_NAMES.items()
    )
    login_message = f'<p class="error" role="alert">{html.escape(login_error)}</p>' if login_error else ""
    if apply_done:
        apply_message = '<p class="done" role="status">' + tr(
            "Thank you. Your application was received; an administrator will review it and you can "
            "sign in once it is approved. If you cannot sign in after a few days, your username may "
            "already be in use: apply again with another one.") + "</p>"
    elif apply_error:
        apply_message = f'<p class="error" role="alert">{html.escape(apply_error)}</p>'
    else:
        apply_message = ""
    return _page(tr, lang=language, picker=picker_html(language, "/login"), login_message=login_message,
                 apply_message=apply_message, username=html.escape(username), languages=languages, form=form)
