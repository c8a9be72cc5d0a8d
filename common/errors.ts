/**
 * Every error the technician sees names what happened and what to do. Codes are stable so the UI and
 * tests can tell causes apart; messages are for people.
 */
export type ErrorCode =
  /** What was typed or sent is wrong: correct it. */
  | 'INVALID_INPUT'
  /** The input is fine but something must be done first (a block, an incomplete step, a check not run). */
  | 'PRECONDITION'
  /** Something else holds what was asked for (a device busy in another run, a run already started). */
  | 'CONFLICT'
  | 'NOT_FOUND'
  | 'NAME_NOT_FOUND'
  | 'CONNECTION_REFUSED'
  | 'TIMED_OUT'
  | 'UNREACHABLE'
  | 'AUTH_FAILED'
  | 'KEY_UNREADABLE'
  | 'KEY_PASSPHRASE'
  | 'AGENT_UNAVAILABLE'
  | 'HOST_KEY_UNKNOWN'
  | 'HOST_KEY_CHANGED'
  | 'SUDO_NEEDS_PASSWORD'
  | 'SUDO_WRONG_PASSWORD'
  | 'SUDO_NOT_ALLOWED'
  | 'NOT_CONNECTED'
  | 'COMMAND_FAILED'
  | 'CANCELLED'
  | 'INTERNAL';

export interface AppErrorShape {
  code: ErrorCode;
  message: string; // what happened
  fix: string; // what to do
  detail?: string; // device output or technical detail, shown one click away
  data?: Record<string, string | number | boolean | null>;
}

export class AppError extends Error implements AppErrorShape {
  readonly code: ErrorCode;
  readonly fix: string;
  readonly detail?: string;
  readonly data?: Record<string, string | number | boolean | null>;

  constructor(shape: AppErrorShape) {
    super(shape.message);
    this.name = 'AppError';
    this.code = shape.code;
    this.fix = shape.fix;
    this.detail = shape.detail;
    this.data = shape.data;
  }

  toShape(): AppErrorShape {
    const { code, message, fix, detail, data } = this;
    return { code, message, fix, ...(detail !== undefined && { detail }), ...(data !== undefined && { data }) };
  }
}

export function toErrorShape(err: unknown): AppErrorShape {
  if (err instanceof AppError) return err.toShape();
  if (isErrorShape(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message: `Unexpected error: ${message}`, fix: 'Export a support bundle and report it.' };
}

export function isErrorShape(v: unknown): v is AppErrorShape {
  return typeof v === 'object' && v !== null && 'code' in v && 'message' in v && 'fix' in v;
}
