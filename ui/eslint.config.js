// ESLint (flat config): JavaScript's and typescript-eslint's recommended rules (types are checked by
// svelte-check) and eslint-plugin-svelte's for components. CI runs `npm run lint` beside svelte-check.
import js from "@eslint/js";
import svelte from "eslint-plugin-svelte";
import globals from "globals";
import ts from "typescript-eslint";

export default ts.config(
  { ignores: ["dist/", "node_modules/", "src/contracts.ts"] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // Unused names are mistakes, except those marked unused with a leading underscore.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["**/*.svelte", "**/*.svelte.ts"],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: [".svelte"] } },
  },
  {
    // The startup guard is a plain script (no modules), run before the app.
    files: ["public/**/*.js"],
    languageOptions: { sourceType: "script" },
  },
);
