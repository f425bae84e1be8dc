import js from '@eslint/js';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Packages `src/core` may use: pure JS that runs in the browser, the Outlook JS-only runtime and Node alike. */
const CORE_ALLOWED_PACKAGES = ['ajv', '@noble/hashes/sha256', '@noble/hashes/utils'];

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
    languageOptions: { globals: {} },
    rules: {
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
    files: ['**/*.js'],
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/explicit-function-return-type': 'off',
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
