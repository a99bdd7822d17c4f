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
  // The React Compiler's rules (no state synced in an effect, no ref reads while rendering)
  // are errors: server data reaches form state through hooks/useOnChange.
  { files: ["**/*.{ts,tsx}"], languageOptions: { globals: globals.browser } },
  // Build scripts run under Node.
  { files: ["scripts/**/*.mjs"], languageOptions: { globals: globals.node } },
);
