// The GOV.UK timeout warning: before the idle time-out ends, a dialog offers "Stay signed in"
// (which asks the server to start the idle time again); when it has ended, the dialog says so
// and offers to sign in again, back to this page. Work typed on a step page is kept in the
// browser meanwhile (autosave.mjs).

const describe = (seconds) => {
  if (seconds < 60) return `in ${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.round(seconds / 60);
  return `in ${minutes} minute${minutes === 1 ? "" : "s"}`;
};

export function initTimeout(body) {
  const idle = Number(body.dataset.sessionIdleSeconds);
  const url = body.dataset.keepAliveUrl;
  const dialog = document.getElementById("timeout-warning");
  if (!idle || !url || !dialog || typeof dialog.showModal !== "function") return;
  // Warn a third of the idle time before its end (at most three minutes before), leaving room
  // for a session refreshed at most once a minute.
  const warnBefore = Math.max(1, Math.min(180, Math.floor(idle / 3)));
  const stay = dialog.querySelector("[data-timeout-stay]");
  const when = dialog.querySelector("[data-timeout-when]");
  const signIn = dialog.querySelector("[data-timeout-sign-in]");
  const panels = dialog.querySelectorAll("[data-timeout-panel]");
  // The token of the header's sign-out form: the page carries one token, in the header.
  const token = document.querySelector("#sign-out [name=csrfmiddlewaretoken]")?.value || "";
  let warnTimer;
  let endTimer;
  let ended = false;

  const show = (name) => {
    for (const panel of panels) panel.hidden = panel.dataset.timeoutPanel !== name;
    const prefix = name === "ended" ? "timeout-ended" : "timeout-warning";
    dialog.setAttribute("aria-labelledby", `${prefix}-title`);
    dialog.setAttribute("aria-describedby", `${prefix}-text`);
    if (!dialog.open) dialog.showModal();
  };
  const warn = () => {
    if (when) when.textContent = describe(warnBefore);
    show("warning");
    stay?.focus();
  };
  const end = () => {
    ended = true;
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    show("ended");
    signIn?.focus();
  };
  const start = () => {
    if (ended) return;
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(warn, (idle - warnBefore) * 1000);
    endTimer = setTimeout(end, idle * 1000);
  };
  const keepAlive = async () => {
    const data = new FormData();
    data.append("csrfmiddlewaretoken", token);
    try {
      const response = await fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const json = (response.headers.get("content-type") || "").includes("application/json");
      if (response.ok && json && !response.redirected) {
        dialog.close();
        start();
      } else {
        end();
      }
    } catch {
      if (when) when.textContent = `${describe(warnBefore)} (the service could not be reached: try again)`;
    }
  };

  stay?.addEventListener("click", keepAlive);
  // Escape closes the warning as "Stay signed in" would; once signed out it cannot be closed.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    if (!ended) keepAlive();
  });
  document.addEventListener("app:session-refreshed", start);
  document.addEventListener("app:signed-out", end);
  start();
}
