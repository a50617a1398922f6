// Builds the stylesheet and copies the scripts and assets the pages use into static/build.
// Everything comes from node_modules: nothing is fetched at run time.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const out = join(root, "static", "build");
const modules = join(root, "node_modules");
mkdirSync(out, { recursive: true });

const css = sass.compile(join(root, "static", "src", "app.scss"), {
  loadPaths: [root],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
  logger: sass.Logger.silent,
});
writeFileSync(join(out, "app.css"), css.css);

cpSync(join(modules, "govuk-frontend", "dist", "govuk", "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
cpSync(join(modules, "@ministryofjustice", "frontend", "moj", "moj-frontend.min.js"), join(out, "moj-frontend.min.js"));
cpSync(join(modules, "govuk-frontend", "dist", "govuk", "assets", "images"), join(out, "assets", "images"), { recursive: true });
cpSync(join(modules, "@ministryofjustice", "frontend", "moj", "assets", "images"), join(out, "assets", "images"), { recursive: true });
for (const script of ["app.mjs", "autosave.mjs", "timeout.mjs"]) {
  cpSync(join(root, "static", "src", script), join(out, script));
}
console.log(`built ${out}`);
