// Progressive enhancement only: every page works without this file.
import { initAutosave } from "./autosave.mjs";
import { initAll as initGovuk } from "./govuk-frontend.min.js";
import { initAll as initMoj } from "./moj-frontend.min.js";
import { initTimeout } from "./timeout.mjs";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initGovuk();
initMoj();

const stepForm = document.querySelector("form[data-autosave-url]");
if (stepForm) initAutosave(stepForm);
initTimeout(document.body);
