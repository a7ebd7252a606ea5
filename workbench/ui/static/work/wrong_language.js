// "Wrong language": the transcriber says the whole clip is in another language than its
// label. One confirm, one call (ui/work_api.py); the task leaves their hands and waits for
// the admin, who corrects the clip's language and sends it to the right queue.
import { api, failure } from "./api.js";
import { banner } from "./banner.js";
import { tellQueue } from "./frame.js";
import { tr } from "./i18n.js";

export function installWrongLanguage(button, taskId, { language, before, after }) {
  button.addEventListener("click", async () => {
    const question = tr("Is the whole clip in another language than {language}? It goes back to the admin and leaves your queue; this cannot be undone from here.",
      { language: language() });
    if (!window.confirm(question)) return;
    button.disabled = true;
    try {
      await before();
      await api("POST", `/tasks/${taskId}/wrong-language`);
      banner("ok", tr("Sent back to the admin as the wrong language. Take your next task from the queue."));
      tellQueue();
      await after();
    } catch (error) {
      button.disabled = false;
      banner("bad", failure(error));
    }
  });
}
