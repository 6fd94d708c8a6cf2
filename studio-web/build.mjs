// Bundle src/main.js into ../src/serve/assets/studio.js (committed; the server embeds it).
// Run after changing a dependency or src/: `npm ci && npm run build`.
import { build } from "esbuild";

await build({
  entryPoints: ["src/main.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  legalComments: "eof",
  outfile: "../src/serve/assets/studio.js",
});
