import type * as vscode from 'vscode';
import { tokenSecretKey } from '../constants';

const PREFIX = tokenSecretKey('');

/**
 * Private-marketplace tokens, in SecretStorage only (one key per marketplace id), never in settings,
 * globalState or the log. A change to any of them rebuilds the engine (config/watcher.ts).
 */
export class TokenStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(sourceId: string): Promise<string | undefined> {
    const value = await this.secrets.get(tokenSecretKey(sourceId));
    return value ? value : undefined;
  }

  /** Tokens of the given marketplaces that have one. */
  async getAll(sourceIds: readonly string[]): Promise<Map<string, string>> {
    const entries = await Promise.all(sourceIds.map(async (id) => [id, await this.get(id)] as const));
    return new Map(entries.filter((e): e is readonly [string, string] => e[1] !== undefined));
  }

  /** Stores a token; an empty one deletes it. */
  async set(sourceId: string, token: string): Promise<void> {
    if (token.trim() === '') await this.delete(sourceId);
    else await this.secrets.store(tokenSecretKey(sourceId), token.trim());
  }

  async delete(sourceId: string): Promise<void> {
    await this.secrets.delete(tokenSecretKey(sourceId));
  }

  /** Whether a SecretStorage change event is about one of our tokens. */
  static isTokenKey(key: string): boolean {
    return key.startsWith(PREFIX);
  }
}
