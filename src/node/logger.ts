/**
 * JSON-lines logs on stderr, one object per line: time, level, component,
 * message and fields. Pure layers do not log; the node logs what they
 * return. Key material never reaches a line: a `Secret` prints redacted, and
 * callers pass no raw key octets.
 */
import type { LogLevel } from './config.js';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(component: string): Logger;
  /** Whether debug lines are written: per-frame callers check it before building fields. */
  readonly debugEnabled: boolean;
}

function replacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return `[${v.length} octets]`;
  return v;
}

export function createLogger(level: LogLevel, component: string, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const min = ORDER[level];
  const log = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < min) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, component, msg, ...fields }, replacer) + '\n');
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (c) => createLogger(level, `${component}:${c}`, write),
    debugEnabled: min <= ORDER.debug,
  };
}
