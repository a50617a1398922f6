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
  const save = async (field) => {
    const question = field.dataset.question || field.name.split("-")[0];
    const data = new FormData();
    data.append("csrfmiddlewaretoken", stepForm.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("question", question);
    for (const name of ["value", "note", "version"]) {
      const input = stepForm.querySelector(`[name="${question}-${name}"]:checked, textarea[name="${question}-${name}"], input[type=hidden][name="${question}-${name}"]`);
      if (input) data.append(name, input.value);
    }
    const response = await fetch(stepForm.dataset.autosaveUrl, { method: "POST", body: data, credentials: "same-origin" });
    const body = await response.json().catch(() => ({}));
    if (response.ok) {
      const version = stepForm.querySelector(`input[type=hidden][name="${question}-version"]`);
      if (version && body.version !== undefined) version.value = body.version;
      if (status) status.textContent = body.message || "Saved";
    } else if (status) {
      status.textContent = body.message || "Not saved. Use the Save button to see what went wrong.";
    }
  };
  stepForm.addEventListener("change", (event) => {
    if (event.target.matches("input[type=radio], textarea")) save(event.target);
  });
}
