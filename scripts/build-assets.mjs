// Builds the page assets Django serves into build/static/ (never committed):
//   - the U.S. Web Design System stylesheet, compiled from its Sass packages with only the
//     components our templates use (agentmatch/core/assets/uswds.scss);
//   - the fonts and icons that stylesheet refers to, and nothing else of USWDS's 10 MB of
//     images and fonts (collectstatic hashes and compresses every file it is given);
//   - the scripts and images the templates load: USWDS's JavaScript and htmx.
// Run after `npm ci` (or `npm ci --omit=dev`: sass is a dependency, not a dev one; the
// Makefile does it: `make assets`), then `agentmatch collectstatic --no-input`.
// Uses only Node and the npm packages pinned in package-lock.json; nothing is downloaded.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const uswds = join(root, "node_modules", "@uswds", "uswds");
const out = join(root, "build", "static");

// Files the templates name with {% static %} besides what the stylesheet needs
// (core/tests/test_page_assets.py checks every one of them exists).
const COPIES = {
  "uswds/js/uswds.min.js": join(uswds, "dist", "js", "uswds.min.js"),
  "uswds/img/usa-icons/close.svg": join(uswds, "dist", "img", "usa-icons", "close.svg"),
  "uswds/img/usa-icons-bg/search--white.svg": join(uswds, "dist", "img", "usa-icons-bg", "search--white.svg"),
  // The official-site banner's flag and, once opened, its two icons (core/_banner.html).
  "uswds/img/us_flag_small.png": join(uswds, "dist", "img", "us_flag_small.png"),
  "uswds/img/icon-dot-gov.svg": join(uswds, "dist", "img", "icon-dot-gov.svg"),
  "uswds/img/icon-https.svg": join(uswds, "dist", "img", "icon-https.svg"),
  "htmx/htmx.min.js": join(root, "node_modules", "htmx.org", "dist", "htmx.min.js"),
};

function copy(target, source) {
  mkdirSync(dirname(join(out, target)), { recursive: true });
  if (target.endsWith(".js")) {
    // Without its source map (not shipped): collectstatic would look for the file named.
    const code = readFileSync(source, "utf8").replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");
    writeFileSync(join(out, target), code);
  } else {
    copyFileSync(source, join(out, target));
  }
}

rmSync(out, { recursive: true, force: true });

const css = sass.compile(join(root, "agentmatch", "core", "assets", "uswds.scss"), {
  loadPaths: [join(uswds, "packages")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
}).css;
const cssPath = "uswds/css/uswds.css";
mkdirSync(dirname(join(out, cssPath)), { recursive: true });
writeFileSync(join(out, cssPath), css);

// The stylesheet's url(...)s are relative to dist/css/ in the npm package: copy each one.
const referenced = new Set();
for (const match of css.matchAll(/url\(\s*["']?([^"')]+?)["']?\s*\)/g)) {
  const url = match[1];
  if (url.startsWith("data:") || url.startsWith("#")) continue;
  const target = normalize(join(dirname(cssPath), url.split(/[?#]/)[0]));
  if (target.startsWith("..")) throw new Error(`${cssPath} refers outside its folder: ${url}`);
  copy(target, join(uswds, "dist", relative("uswds", target)));
  referenced.add(target);
}
for (const [target, source] of Object.entries(COPIES)) copy(target, source);

const kb = (Buffer.byteLength(css) / 1024).toFixed(0);
console.log(`build/static: ${cssPath} (${kb} KiB), ${referenced.size} files it refers to, ${Object.keys(COPIES).length} scripts and images`);
// `make` compares this stamp's time with the sources' (build/static's own time changes
// whenever a file is added to it).
writeFileSync(join(root, "build", ".built"), new Date().toISOString() + "\n");
