// ESLint for the dashboard: the recommended JavaScript and TypeScript rules plus React's hook
// rules (hooks called unconditionally, effect dependencies complete). Prettier owns the layout.
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist", "node_modules"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  reactHooks.configs.flat.recommended,
  {
    files: ["**/*.{ts,tsx}"],
    languageOptions: { globals: globals.browser },
    rules: {
      // Baseline: the React Compiler's advice (derive state instead of syncing it in an effect,
      // no Date.now() or ref reads while rendering) is reported but does not fail yet; the
      // existing pages still sync server data into form state in effects.
      "react-hooks/set-state-in-effect": "warn",
      "react-hooks/purity": "warn",
      "react-hooks/refs": "warn",
    },
  },
  // Build scripts run under Node.
  { files: ["scripts/**/*.mjs"], languageOptions: { globals: globals.node } },
);
