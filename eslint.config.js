// ESLint flat config: JS recommended everywhere, typescript-eslint recommended for TS,
// React hooks rules for the UI only (app/). Type-aware rules are off on purpose: they need a
// full program per file and make `npm run lint` slow; `tsc` (npm run typecheck) checks types.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig([
  globalIgnores(['dist/', 'node_modules/', 'public/data/', 'test-results/', 'playwright-report/', '.bench/', '.gpu-pack/', '.gl/', '.tmp/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      // src/ runs in a page, a Worker and Node; scripts/ and the configs run in Node.
      globals: { ...globals.browser, ...globals.worker, ...globals.node },
    },
    rules: {
      // `_`-prefixed names are deliberately unused (callbacks of a fixed shape, destructuring).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['app/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat.recommended],
  },
]);
