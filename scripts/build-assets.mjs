// Builds the front end into build/static (ignored by git): GOV.UK Frontend's Sass compiled with
// our settings, its JavaScript and the few images we use. Run by `make assets`.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const out = join(root, "build", "static");

mkdirSync(join(out, "css"), { recursive: true });
mkdirSync(join(out, "govuk", "assets", "images"), { recursive: true });

const result = sass.compile(join(root, "static", "scss", "main.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "color-functions", "slash-div"],
});
writeFileSync(join(out, "css", "main.css"), result.css);
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk", "govuk-frontend.min.js"));
for (const image of ["favicon.ico", "favicon.svg", "govuk-icon-mask.svg", "govuk-icon-180.png", "govuk-crest.svg"]) {
  cpSync(join(govuk, "assets", "images", image), join(out, "govuk", "assets", "images", image));
}
console.log("Built front-end assets into build/static");
