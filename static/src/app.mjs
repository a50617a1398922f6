// Progressive enhancement only: every page works without this file.
import { initAll as initGovuk } from "./govuk-frontend.min.js";
import { initAll as initMoj } from "./moj-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initGovuk();
initMoj();

// Answers on a step page save as the inspector goes (the form still posts without JavaScript).
const stepForm = document.querySelector("form[data-autosave-url]");
if (stepForm) {
  const status = document.getElementById("autosave-status");
  const say = (message) => {
    if (status) status.textContent = message;
  };
  const field = (question, name) =>
    stepForm.querySelector(
      `[name="${question}-${name}"]:checked, textarea[name="${question}-${name}"], input[type=hidden][name="${question}-${name}"]`,
    );
  const save = async (question) => {
    // Read the answer when its turn comes, so that it carries the version the last save returned.
    const container = document.getElementById(question);
    const code = container?.dataset.code || question;
    const value = field(question, "value")?.value;
    const note = field(question, "note")?.value || "";
    if (!value) return; // nothing to save until Yes, No or Not applicable is chosen
    if (!note.trim() && (container?.dataset.keyQuestion !== undefined || value === "no")) {
      say(`${code} not saved yet: add the evidence note.`);
      return;
    }
    const data = new FormData();
    data.append("csrfmiddlewaretoken", stepForm.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("question", question);
    data.append("value", value);
    data.append("note", note);
    data.append("version", field(question, "version")?.value || "0");
    const response = await fetch(stepForm.dataset.autosaveUrl, { method: "POST", body: data, credentials: "same-origin" });
    const body = await response.json().catch(() => ({}));
    if (response.ok) {
      const version = field(question, "version");
      if (version && body.version !== undefined) version.value = body.version;
      say(body.message || "Saved");
    } else {
      say(body.message || "Not saved. Use the Save button to see what went wrong.");
    }
  };
  // One save at a time for each question: moving through the radios with the arrow keys
  // changes the answer several times, and each save must carry the version of the one before.
  const queues = new Map();
  stepForm.addEventListener("change", (event) => {
    if (!event.target.matches("input[type=radio], textarea")) return;
    const question = event.target.name.split("-")[0];
    const run = () => save(question).catch(() => say("Not saved. Use the Save button to save."));
    const next = (queues.get(question) || Promise.resolve()).then(run);
    queues.set(question, next);
  });
}
