import js from '@eslint/js';
import esX from 'eslint-plugin-es-x';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The core also runs in classic Outlook's JS-only runtime, which before build 2403 is Chakra with ES2016. webpack and
 * swc rewrite newer syntax, but not newer built-ins or regular-expression features, so those are banned in the core.
 */
const ES2016_RUNTIME_RULES = Object.fromEntries(
  [2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025].flatMap((year) =>
    Object.keys(esX.configs[`flat/no-new-in-es${year}`].rules).map((rule) => [rule, 'error']),
  ),
);
/** Syntax that swc compiles down for the ES2016 target; only built-ins and regex features must be avoided by hand. */
for (const rule of [
  'no-async-functions',
  'no-trailing-function-commas',
  'no-async-iteration',
  'no-malformed-template-literals',
  'no-rest-spread-properties',
  'no-optional-catch-binding',
  'no-json-superset',
  'no-nullish-coalescing-operators',
  'no-optional-chaining',
  'no-export-ns-from',
  'no-logical-assignment-operators',
  'no-numeric-separators',
  'no-class-instance-fields',
  'no-class-private-fields',
  'no-class-private-methods',
  'no-class-static-block',
  'no-class-static-fields',
  'no-private-in',
  'no-arbitrary-module-namespace-names',
  'no-hashbang',
  // webpack, not swc, rewrites `import()`: into a module run on first use inside the same file for the one-file
  // bundles (the on-send script, dist/core), a chunk for the task pane. test/unit/build checks the output parses as
  // ES2016.
  'no-dynamic-import',
]) {
  // prettier-ignore
  delete ES2016_RUNTIME_RULES[`es-x/${rule}`];
}

/** Packages `src/core` may use: pure JS that runs in the browser, the Outlook JS-only runtime and Node alike. */
const CORE_ALLOWED_PACKAGES = ['ajv'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { 'simple-import-sort': simpleImportSort },
    rules: {
      curly: 'error',
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/explicit-function-return-type': ['error', { allowExpressions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
      // Ideographic spaces are data here: the marks 「機　密」 are written with them.
      'no-irregular-whitespace': [
        'error',
        { skipStrings: true, skipComments: true, skipRegExps: true, skipTemplates: true },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    // Type information lets es-x tell String.prototype.matchAll from a method of the same name elsewhere.
    languageOptions: { globals: {}, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'es-x': esX },
    rules: {
      ...ES2016_RUNTIME_RULES,
      // The core is pure: no Office, Teams, DOM, network, database or Node I/O.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(?!\\./|${CORE_ALLOWED_PACKAGES.map((p) => p.replace(/[/.]/g, '\\$&')).join('|')}$)`,
              message: 'src/core is pure: only relative imports inside src/core and the allowed pure-JS packages.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...[
          'window',
          'document',
          'fetch',
          'XMLHttpRequest',
          'process',
          'require',
          'Office',
          'microsoftTeams',
          'localStorage',
        ].map((name) => ({ name, message: 'src/core is pure: host APIs belong in the adapters.' })),
      ],
    },
  },
  {
    // Extraction runs in the task pane and the send handler too: no Node-only APIs, and the same ES2016 built-ins.
    files: ['src/extract/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'es-x': esX },
    rules: {
      ...ES2016_RUNTIME_RULES,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(node:|fs$|path$|os$|child_process$|crypto$|url$|\\.\\./(cli|server))',
              message: 'src/extract runs in the add-in too: no Node-only APIs.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['process', 'require', 'Buffer', '__dirname'].map((name) => ({
          name,
          message: 'src/extract runs in the add-in too.',
        })),
      ],
    },
  },
  {
    // Browser code: the add-in, the Teams pages, the shared API client and UI.
    files: ['addin/**/*.{ts,tsx}', 'teams-app/**/*.{ts,tsx}', 'src/shared/**/*.ts', 'src/ui/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(node:|fs$|path$|os$|child_process$)', message: 'Browser code: no Node-only APIs.' },
            { regex: '/server(/|$)', message: 'Browser code talks to the server through src/shared/api.ts only.' },
          ],
        },
      ],
    },
  },
  {
    // Host APIs are touched only in the thin adapters: Office.js in addin/office, teams-js in teams-app/teams.
    files: ['addin/**/*.{ts,tsx}', 'teams-app/**/*.{ts,tsx}', 'src/shared/**/*.ts', 'src/ui/**/*.{ts,tsx}'],
    ignores: ['addin/office/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['Office', 'OfficeRuntime'].map((name) => ({
          name,
          message: 'Office.js is touched only in addin/office/.',
        })),
      ],
    },
  },
  {
    files: ['addin/**/*.{ts,tsx}', 'src/shared/**/*.ts', 'src/ui/**/*.{ts,tsx}', 'teams-app/**/*.{ts,tsx}'],
    ignores: ['teams-app/teams/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^@microsoft/teams-js', message: 'teams-js is touched only in teams-app/teams/.' },
            { regex: '^(node:|fs$|path$|os$|child_process$)', message: 'Browser code: no Node-only APIs.' },
            { regex: '/server(/|$)', message: 'Browser code talks to the server through src/shared/api.ts only.' },
          ],
        },
      ],
    },
  },
  {
    // The on-send script runs in classic Outlook's JS-only runtime (ES2016 before build 2403, no DOM, no storage).
    files: ['addin/on-send/**/*.ts', 'addin/office/**/*.ts', 'src/shared/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'es-x': esX },
    rules: { ...ES2016_RUNTIME_RULES },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/explicit-function-return-type': 'off',
    },
  },
  {
    // The Office and Teams host fakes and the local-mode playground built on them: browser code that the tests use too
    // (held to the tests' rules), served only in local mode.
    files: ['src/dev/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      '@typescript-eslint/explicit-function-return-type': 'off',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(node:|fs$|path$|os$|child_process$)', message: 'Browser code: no Node-only APIs.' },
            { regex: '/server(/|$)', message: 'Browser code talks to the server through its HTTP API only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/explicit-function-return-type': 'off' },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
