/**
 * Every failure the engine reports is a `MarketplaceError` with a stable `code`, so callers
 * (the extension, the CLI, tests) can branch on the kind of failure without parsing messages.
 */
export type ErrorCode =
  | 'E_FORMAT' // a catalog, manifest, key file or option is malformed
  | 'E_SIGNATURE' // a signature does not verify
  | 'E_INTEGRITY' // bytes do not match their declared digest, size or CRC
  | 'E_UNSAFE_PACKAGE' // a package breaks a safety rule (path traversal, symlink, limits)
  | 'E_ROLLBACK' // a catalog older than one already accepted
  | 'E_EXPIRED' // a catalog past its `expires` time
  | 'E_NOT_FOUND' // no such template, source or file
  | 'E_HTTP' // the server answered with an error status
  | 'E_NETWORK' // the connection failed
  | 'E_TIMEOUT' // a connect, headers or body timeout elapsed
  | 'E_TOO_LARGE' // a response or package exceeded its size cap
  | 'E_ABORTED' // the caller cancelled
  | 'E_CONFLICT' // installing would overwrite an existing file
  | 'E_USAGE' // a command-line usage error
  | 'E_TRUST_STORE' // the rollback memory (trust file) is damaged and could not be rebuilt
  | 'E_UPDATE_VARIABLES' // an update needs answers for variables the new version added
  | 'E_UPDATE_CONFLICT' // an update has conflicts nobody resolved, and was asked not to write markers
  | 'E_UPDATE_STALE' // a file or the record changed since the update was prepared
  | 'E_INTERNAL'; // an unexpected failure of the client itself or of the local system, not of the marketplace

export class MarketplaceError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Malformed input; `file` and `field` say exactly where. */
export class FormatError extends MarketplaceError {
  constructor(
    message: string,
    readonly file?: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    const where = [file, field].filter(Boolean).join(': ');
    super('E_FORMAT', where ? `${where}: ${message}` : message, options);
  }
}

export class SignatureError extends MarketplaceError {
  constructor(
    message: string,
    readonly subject?: string,
  ) {
    super('E_SIGNATURE', message);
  }
}

export class IntegrityError extends MarketplaceError {
  constructor(
    message: string,
    readonly subject?: string,
  ) {
    super('E_INTEGRITY', message);
  }
}

export class UnsafePackageError extends MarketplaceError {
  constructor(
    message: string,
    readonly entry?: string,
  ) {
    super('E_UNSAFE_PACKAGE', message);
  }
}

export class RollbackError extends MarketplaceError {
  constructor(message: string) {
    super('E_ROLLBACK', message);
  }
}

export class ExpiredError extends MarketplaceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_EXPIRED', message, options);
  }
}

export class NotFoundError extends MarketplaceError {
  constructor(message: string) {
    super('E_NOT_FOUND', message);
  }
}

export class HttpError extends MarketplaceError {
  constructor(
    message: string,
    readonly status: number,
    readonly url: string,
  ) {
    super('E_HTTP', message);
  }
}

export class NetworkError extends MarketplaceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_NETWORK', message, options);
  }
}

export class TimeoutError extends MarketplaceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_TIMEOUT', message, options);
  }
}

export class TooLargeError extends MarketplaceError {
  constructor(message: string) {
    super('E_TOO_LARGE', message);
  }
}

export class AbortedError extends MarketplaceError {
  constructor(message = 'The operation was cancelled.', options?: { cause?: unknown }) {
    super('E_ABORTED', message, options);
  }
}

export class ConflictError extends MarketplaceError {
  constructor(
    message: string,
    readonly paths: readonly string[],
  ) {
    super('E_CONFLICT', message);
  }
}

export class UsageError extends MarketplaceError {
  constructor(message: string) {
    super('E_USAGE', message);
  }
}

/**
 * The rollback memory could not be read and could not be rebuilt from a verified cached catalog,
 * so no catalog can be told apart from a rollback. `file` is the trust file; the fix is to reset it.
 */
export class TrustStoreError extends MarketplaceError {
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super('E_TRUST_STORE', message, options);
  }
}

/** A variable an update must ask about, as the new version declares it. */
export interface UpdateVariableQuestion {
  name: string;
  prompt: string;
  default?: string;
  pattern?: string;
  /** 'new': the new version added it; 'invalid': the recorded answer no longer matches its pattern. */
  reason: 'new' | 'invalid';
  /** The recorded answer, for 'invalid'. */
  recorded?: string;
}

/**
 * The new version of a template declares variables the record has no (valid) answer for. A UI
 * prompts for `variables` and prepares the update again with the answers.
 */
export class UpdateVariablesError extends MarketplaceError {
  constructor(
    message: string,
    readonly templateId: string,
    readonly variables: readonly UpdateVariableQuestion[],
  ) {
    super('E_UPDATE_VARIABLES', message);
  }
}

/** An update has conflicting files without a resolution, and markers were not wanted: nothing was written. */
export class UpdateConflictError extends MarketplaceError {
  constructor(
    message: string,
    readonly paths: readonly string[],
  ) {
    super('E_UPDATE_CONFLICT', message);
  }
}

/** Files (or the record entry) changed after the update was prepared: nothing was written; prepare again. */
export class UpdateStaleError extends MarketplaceError {
  constructor(
    message: string,
    readonly paths: readonly string[],
  ) {
    super('E_UPDATE_STALE', message);
  }
}

/**
 * Something failed that is neither the marketplace's doing nor malformed data: a bug, or the local
 * system (a full disk, a permission). Never reported as a network error.
 */
export class InternalError extends MarketplaceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_INTERNAL', message, options);
  }
}

export function isMarketplaceError(err: unknown): err is MarketplaceError {
  return err instanceof MarketplaceError;
}
