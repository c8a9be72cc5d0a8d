import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

/**
 * Import zones, in the manner of VS Code's code-layering rule: where a file runs decides what it may import.
 * common/ runs anywhere (no Node, no Electron, no React, nothing of main, preload or renderer); the renderer
 * talks to main only through the typed client; services never import Electron (with or without `node:`).
 */
const ELECTRON = ['electron', 'electron/*', 'node:electron'];
const MAIN = ['**/main/**', '../main', '../../main', '../../../main'];

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'release/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      'test/fixtures/**',
      'e2e/lab/fixture/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A promise nobody awaits loses its error; one passed where a void callback is expected does too.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', ...ELECTRON, ...MAIN, '**/preload/**'],
              message: 'The renderer may not import Node, Electron, main or the preload: it talks to main through the typed client.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', ...ELECTRON, 'react', 'react-dom', ...MAIN, '**/renderer/**', '**/preload/**'],
              message: 'common/ runs anywhere: no Node, Electron or React, and nothing of main, preload or renderer.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: [...MAIN, '**/renderer/**'], message: 'The preload is derived from the contract in common/ only.' }] },
      ],
    },
  },
  {
    files: ['main/services/**/*.ts', 'main/host/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...ELECTRON, '**/renderer/**', '**/platform/**'],
              message: 'Services and the browser host know nothing of Electron or of the window.',
            },
          ],
        },
      ],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  { files: ['**/*.{js,mjs,cjs}'], ...tseslint.configs.disableTypeChecked },
);
