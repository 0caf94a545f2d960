/**
 * Input shapes as the service models declare them (botocore
 * `service-2.json`: type, required members, min/max, pattern, enum), and one
 * reader that checks a decoded JSON body against them.
 *
 * Two kinds of failure, as AWS's JSON front end tells them apart: a value of
 * the wrong JSON type cannot be deserialized (`SerializationException`);
 * a value of the right type that breaks a constraint (missing required
 * member, too long, out of range, not in the enum) is a validation error
 * that each service words its own way (the caller picks the error code).
 * Members the shape does not name are ignored, and `null` counts as absent,
 * as AWS's deserializer does.
 *
 * @example
 * const input = readInput(CreateConnectionInput, body); // typed members, or throws ShapeError
 */
export type Shape =
  | { type: 'string'; min?: number; max?: number; pattern?: RegExp; enum?: readonly string[]; sensitive?: boolean }
  | { type: 'integer' | 'long'; min?: number; max?: number }
  | { type: 'boolean' }
  | { type: 'blob'; min?: number; max?: number; sensitive?: boolean }
  | { type: 'list'; member: Shape; min?: number; max?: number }
  | { type: 'structure'; members: Readonly<Record<string, Shape>>; required?: readonly string[] };

/** One broken constraint: the member's path, and what it must be. */
export interface Violation {
  path: string;
  /** The value as text; undefined for sensitive members and lists; null for a missing member. */
  value: string | null | undefined;
  constraint: string;
}

/**
 * Thrown by {@link readInput}: `kind` 'type' for a value that is not of the
 * member's JSON type (with `path`), 'constraint' with every violation found.
 */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';

  constructor(
    readonly kind: 'type' | 'constraint',
    message: string,
    readonly violations: readonly Violation[] = [],
  ) {
    super(message);
  }
}

const INT32_MAX = 2 ** 31 - 1;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Reads `value` as `shape`: returns a copy holding only the members the shape
 * names (blobs as Uint8Array), or throws a {@link ShapeError}.
 *
 * @throws ShapeError on a wrong JSON type (at once) or on broken constraints (all of them).
 */
export function readInput<T = Record<string, unknown>>(shape: Shape & { type: 'structure' }, value: unknown): T {
  const violations: Violation[] = [];
  const out = read(shape, value, '', violations);
  if (violations.length) {
    const n = violations.length;
    const text = violations.map((v) => `Value${v.value === undefined ? '' : v.value === null ? ' null' : ` '${v.value}'`} at '${v.path}' failed to satisfy constraint: ${v.constraint}`).join('; ');
    throw new ShapeError('constraint', `${n} validation error${n === 1 ? '' : 's'} detected: ${text}`, violations);
  }
  return out as T;
}

function typeError(path: string, expected: string, value: unknown): ShapeError {
  const seen = value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  return new ShapeError('type', path ? `'${path}' must be ${expected}, not ${seen}` : `the request body must be ${expected}, not ${seen}`);
}

function shown(shape: Shape, value: unknown): string | undefined {
  if ('sensitive' in shape && shape.sensitive) return undefined;
  if (typeof value === 'string') return value.length > 64 ? `${value.slice(0, 64)}...` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function read(shape: Shape, value: unknown, path: string, violations: Violation[]): unknown {
  switch (shape.type) {
    case 'string': {
      if (typeof value !== 'string') throw typeError(path, 'a string', value);
      const v = (constraint: string) => violations.push({ path, value: shown(shape, value), constraint });
      if (shape.min !== undefined && value.length < shape.min) v(`Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max) v(`Member must have length less than or equal to ${shape.max}`);
      if (shape.pattern && !shape.pattern.test(value)) v(`Member must satisfy regular expression pattern: ${shape.pattern.source}`);
      if (shape.enum && !shape.enum.includes(value)) v(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      return value;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw typeError(path, 'a number', value);
      if (!Number.isInteger(value)) throw new ShapeError('type', `'${path}' must be an integer, not ${value}`);
      const limit = shape.type === 'integer' ? INT32_MAX : Number.MAX_SAFE_INTEGER;
      if (Math.abs(value) > limit) throw new ShapeError('type', `'${path}' is out of range for ${shape.type === 'integer' ? 'a 32-bit integer' : 'a 64-bit integer'}: ${value}`);
      if (shape.min !== undefined && value < shape.min) violations.push({ path, value: String(value), constraint: `Member must have value greater than or equal to ${shape.min}` });
      if (shape.max !== undefined && value > shape.max) violations.push({ path, value: String(value), constraint: `Member must have value less than or equal to ${shape.max}` });
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw typeError(path, 'a boolean', value);
      return value;
    case 'blob': {
      if (typeof value !== 'string' || !BASE64.test(value)) throw new ShapeError('type', `'${path}' must be base64 text`);
      const bytes = Buffer.from(value, 'base64');
      if (shape.min !== undefined && bytes.length < shape.min) violations.push({ path, value: undefined, constraint: `Member must have length greater than or equal to ${shape.min}` });
      if (shape.max !== undefined && bytes.length > shape.max) violations.push({ path, value: undefined, constraint: `Member must have length less than or equal to ${shape.max}` });
      return new Uint8Array(bytes);
    }
    case 'list': {
      if (!Array.isArray(value)) throw typeError(path, 'a list', value);
      if (shape.min !== undefined && value.length < shape.min) violations.push({ path, value: undefined, constraint: `Member must have length greater than or equal to ${shape.min}` });
      if (shape.max !== undefined && value.length > shape.max) violations.push({ path, value: undefined, constraint: `Member must have length less than or equal to ${shape.max}` });
      return value.map((item, i) => {
        if (item === null) throw new ShapeError('type', `'${path}.${i + 1}' must not be null`);
        return read(shape.member, item, `${path}.${i + 1}.member`, violations);
      });
    }
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw typeError(path, 'an object', value);
      const obj = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members)) {
        if (!Object.hasOwn(obj, name)) continue;
        const raw = obj[name];
        if (raw === null || raw === undefined) continue;
        out[name] = read(member, raw, path ? `${path}.${lowerFirst(name)}` : lowerFirst(name), violations);
      }
      for (const name of shape.required ?? []) {
        if (out[name] === undefined) violations.push({ path: path ? `${path}.${lowerFirst(name)}` : lowerFirst(name), value: null, constraint: 'Member must not be null' });
      }
      return out;
    }
  }
}

/** AWS's validation messages name members with a lower-case first letter (`secretId` for SecretId). */
function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
