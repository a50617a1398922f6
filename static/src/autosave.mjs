// Answers on a step page save as the inspector goes (the form still posts without JavaScript).
//
// What is typed is kept in this tab's sessionStorage until the server confirms it saved it, so
// that nothing is lost when a save fails: a session that ended (the reply is the sign-in page),
// an error page, or no network. Back on the step (after signing in again) answers kept but not
// saved are put back in the form and the page says so; they are never saved without the
// inspector choosing to.

const SIGNED_OUT =
  "Not saved: you have been signed out. What you typed is kept in this browser: sign in again, then check and save it.";
const NO_NETWORK =
  "Not saved: the service could not be reached. What you typed is kept in this browser: use Save when you are back online.";

export function initAutosave(form) {
  const status = document.getElementById("autosave-status");
  const notice = document.getElementById("unsaved-notice");
  const storeKey = `unsaved:${form.dataset.unsavedKey}`;
  const say = (message) => {
    if (status) status.textContent = message;
  };
  const field = (question, name) =>
    form.querySelector(
      `[name="${question}-${name}"]:checked, textarea[name="${question}-${name}"], input[type=hidden][name="${question}-${name}"]`,
    );
  const sourceField = (question) => form.querySelector(`select[name="${question}-source"]`);
  const typed = (question) => ({
    value: field(question, "value")?.value || "",
    note: field(question, "note")?.value || "",
    source: sourceField(question)?.value || "",
  });
  const same = (a, b) => a.value === b.value && a.note === b.note && (a.source || "") === (b.source || "");
  const read = () => {
    try {
      return JSON.parse(sessionStorage.getItem(storeKey) || "{}");
    } catch {
      return {};
    }
  };
  const write = (kept) => {
    try {
      if (Object.keys(kept).length) sessionStorage.setItem(storeKey, JSON.stringify(kept));
      else sessionStorage.removeItem(storeKey);
    } catch {
      // Storage full or refused: the server still has the last saved answer.
    }
  };
  const keep = (question) => {
    const kept = read();
    kept[question] = typed(question);
    write(kept);
  };
  const forget = (question, saved) => {
    const kept = read();
    const entry = kept[question];
    if (entry && same(entry, saved)) {
      delete kept[question];
      write(kept);
    }
  };

  // Answers kept from before: those that differ from the page are put back, and said.
  const restore = () => {
    const kept = read();
    let restored = 0;
    for (const [question, entry] of Object.entries(kept)) {
      if (!document.getElementById(question)) {
        delete kept[question];
        continue;
      }
      const now = typed(question);
      if (same(now, entry)) {
        delete kept[question];
        continue;
      }
      if (entry.value) {
        const radio = form.querySelector(`input[type=radio][name="${question}-value"][value="${entry.value}"]`);
        if (radio) radio.checked = true;
      }
      const note = form.querySelector(`textarea[name="${question}-note"]`);
      if (note) note.value = entry.note;
      const source = sourceField(question);
      if (source && entry.source) source.value = entry.source;
      restored += 1;
    }
    write(kept);
    if (restored && notice) {
      notice.hidden = false;
      say(`${restored} answer${restored === 1 ? "" : "s"} not saved: check and save ${restored === 1 ? "it" : "them"}.`);
    }
  };

  const save = async (question) => {
    // Read the answer when its turn comes, so that it carries the version the last save returned.
    const container = document.getElementById(question);
    const code = container?.dataset.code || question;
    const sent = typed(question);
    if (!sent.value) return; // nothing to save until Yes, No or Not applicable is chosen
    if (!sent.note.trim() && (container?.dataset.keyQuestion !== undefined || sent.value === "no")) {
      say(`${code} not saved yet: add the evidence note.`);
      return;
    }
    const data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("question", question);
    data.append("value", sent.value);
    data.append("note", sent.note);
    if (sent.source) data.append("source", sent.source);
    data.append("version", field(question, "version")?.value || "0");
    let response;
    try {
      response = await fetch(form.dataset.autosaveUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
    } catch {
      say(NO_NETWORK);
      return;
    }
    const json = (response.headers.get("content-type") || "").includes("application/json");
    if (response.redirected || !json) {
      // The sign-in page (the session ended) or an error page: not the reply a save gives.
      if (response.redirected || response.url.includes("/login/")) {
        say(SIGNED_OUT);
        document.dispatchEvent(new CustomEvent("app:signed-out"));
      } else {
        say(`Not saved: the service answered with an error (${response.status}). What you typed is kept in this browser: use Save to try again.`);
      }
      return;
    }
    const body = await response.json().catch(() => null);
    if (response.ok && body && typeof body.version === "number") {
      const version = field(question, "version");
      if (version) version.value = body.version;
      forget(question, sent);
      say(body.message || `${code} saved`);
      document.dispatchEvent(new CustomEvent("app:session-refreshed"));
    } else {
      say((body && body.message) || `Not saved (error ${response.status}). Use Save to see what went wrong.`);
    }
  };

  restore();
  // One save at a time for each question: moving through the radios with the arrow keys
  // changes the answer several times, and each save must carry the version of the one before.
  const queues = new Map();
  form.addEventListener("input", (event) => {
    if (!event.target.matches("input[type=radio], textarea, select")) return;
    keep(event.target.name.split("-")[0]);
  });
  form.addEventListener("change", (event) => {
    if (!event.target.matches("input[type=radio], textarea, select")) return;
    const question = event.target.name.split("-")[0];
    keep(question);
    const run = () => save(question).catch(() => say(NO_NETWORK));
    const next = (queues.get(question) || Promise.resolve()).then(run);
    queues.set(question, next);
  });
  // Save waits for any autosave still on its way, so that it carries the versions they return.
  let waited = false;
  form.addEventListener("submit", (event) => {
    if (waited || queues.size === 0) return;
    event.preventDefault();
    const submitter = event.submitter;
    Promise.allSettled([...queues.values()]).then(() => {
      waited = true;
      if (submitter?.name) {
        // The button pressed says what to do next ("continue" or "later").
        const pressed = document.createElement("input");
        pressed.type = "hidden";
        pressed.name = submitter.name;
        pressed.value = submitter.value;
        form.append(pressed);
      }
      HTMLFormElement.prototype.submit.call(form);
    });
  });
}
