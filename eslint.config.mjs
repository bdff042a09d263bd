import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', '.e2e/**', 'media/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // The engine runs in plain Node: it must never reach for the VS Code API.
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core and src/cli run without VS Code.' }] }] },
  },
  {
    // The extension loads the engine lazily (client/loadEngine.ts): anything else may import its types only.
    files: ['src/extension/**/*.ts'],
    ignores: ['src/extension/client/loadEngine.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: '(^|/)core(/|$)', allowTypeImports: true, message: 'Import the engine as a type; reach its runtime through loadEngine().' }] },
      ],
    },
  },
  {
    // The dashboard webview runs in a browser and its protocol is shared with it: no VS Code API, no
    // Node, and the engine's types only.
    files: ['src/webview/**/*.ts', 'src/protocol/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'The webview talks to the extension through src/protocol only.' }],
          patterns: [
            { regex: '^(node:|(fs|path|os|crypto|child_process|http|https|net|url|util|stream|buffer|events|worker_threads)(/|$))', message: 'The webview runs in a browser: no Node modules.' },
            { regex: '(^|/)core(/|$)', allowTypeImports: true, message: 'The webview receives plain data: import engine types only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['esbuild.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
