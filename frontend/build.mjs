// Builds static/editor.js from src/editor.js with the exact versions in package-lock.json.
// Deterministic: the same lock file gives the same bytes, which tests/test_assets.py checks.
//   node build.mjs                 writes ../static/editor.js
//   node build.mjs --outfile=PATH  writes PATH instead (the test compares it with the committed file)
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = process.argv.find((a) => a.startsWith("--outfile="));
const outfile = arg ? path.resolve(arg.slice("--outfile=".length)) : path.join(here, "..", "static", "editor.js");

await build({
  absWorkingDir: here,
  entryPoints: ["src/editor.js"],
  outfile,
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  charset: "utf8",
  legalComments: "none",
  banner: {
    js: "/* torchquiz code editor: CodeMirror 6 and Lezer (MIT, (c) Marijn Haverbeke and others). Built by frontend/build.mjs; do not edit. */",
  },
  logLevel: "warning",
});
