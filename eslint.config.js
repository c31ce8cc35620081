// ESLint (flat config), run by `make lint`: the wasm package's JS modules
// (src/wasm/*.js, imported by the Rust binding), the browser test helpers,
// the playground, the benchmarks and the Node test suites. ESLint's
// recommended rules; each group gets the globals of the host it runs in.
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    // Generated or copied in by the build (make pkg / make www / worker-build).
    ignores: ["pkg/**", "pkg-node/**", "www/pkg/**", "www/vendor/**", "worker/build/**", "target/**", "fuzz/**", "node_modules/**"],
  },
  js.configs.recommended,
  {
    // `_name`: a parameter or binding kept for its position or as documentation.
    rules: {
      "no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" }],
    },
  },
  {
    // The package's own JS: runs in browsers, Workers and Node alike, so it
    // may only assume what all of them share.
    files: ["src/wasm/**/*.js", "tests/wasm_browser.js"],
    languageOptions: { globals: { ...globals["shared-node-browser"] } },
  },
  {
    files: ["www/**/*.js"],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ["bench/**/*.mjs", "tests/**/*.mjs", "eslint.config.js"],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Playwright runs these functions in the page (page.evaluate).
    files: ["tests/playground/**/*.mjs"],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
];
