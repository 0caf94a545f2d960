/**
 * Scenario files: YAML checked against lab/scenario.schema.json, then the
 * checks a schema cannot make (a traffic run or capture is started before it
 * is stopped or asserted on, once per id). Pure: text in, a Scenario or a
 * ScenarioError naming the file, the line and the field out.
 */
import { createRequire } from 'node:module';
import { readYamlText } from '../shared/yaml-text.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ScenarioError } from './errors.js';

const require = createRequire(import.meta.url);
const SCHEMA = require('../../lab/scenario.schema.json') as Record<string, unknown>;
// Loaded and compiled on first use, not at import (see node/config.ts).
let compiled: ValidateFunction | undefined;
const validator = (): ValidateFunction => (compiled ??= new (require('ajv') as typeof import('ajv')).Ajv({ allErrors: true, strict: false, strictNumbers: true, verbose: true }).compile(SCHEMA));

export type StepKind = 'say' | 'do' | 'wait' | 'expect';

/** One step as the file gives it: its kind, its verb (the value of say/do/wait/expect) and its fields. */
export interface Step {
  kind: StepKind;
  /** `say`: the text; otherwise the action, the wait or the assertion. */
  verb: string;
  args: Record<string, any>;
  /** 1-based line in the scenario file. */
  line: number;
  /** 0-based position in `steps`. */
  index: number;
}

export interface Scenario {
  name: string;
  title: string;
  minutes: number;
  teaches: string;
  /** As the file writes it, relative to the scenario's folder. */
  topology: string;
  api: boolean;
  steps: Step[];
  file: string;
}

const KINDS: readonly StepKind[] = ['say', 'do', 'wait', 'expect'];

/** The words of one ajv error, as a trainer reads them. */
function words(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') return `unknown field '${(e.params as { additionalProperty: string }).additionalProperty}'`;
  if (e.keyword === 'required') return `missing field '${(e.params as { missingProperty: string }).missingProperty}'`;
  if (e.keyword === 'enum') return `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  if (e.keyword === 'oneOf' && /\/steps\/\d+$/.test(e.instancePath)) return `a step has exactly one of ${KINDS.join(', ')}`;
  const described = (e.parentSchema as { description?: string } | undefined)?.description;
  if (e.keyword === 'pattern' && described) return `${JSON.stringify(e.data)} is not ${described}`;
  return e.message ?? 'invalid';
}

/**
 * The error to report: the deepest one (an `if` that did not match or a
 * branch of `oneOf` is not the problem; the field inside is), the first
 * in the file among equals.
 */
function pick(errors: ErrorObject[]): ErrorObject {
  const real = errors.filter((e) => e.keyword !== 'if' && !(e.keyword === 'required' && errors.some((o) => o.keyword === 'oneOf' && o.instancePath === e.instancePath)));
  const pool = real.length ? real : errors;
  return pool.reduce((a, b) => (b.instancePath.split('/').length > a.instancePath.split('/').length ? b : a));
}

/**
 * Parses a scenario file's text.
 * @throws ScenarioError('file') naming `file`, the line and the field of the first problem.
 */
export function parseScenario(text: string, file: string): Scenario {
  const y = readYamlText(require('yaml') as typeof import('yaml'), text);
  if (!y.ok) {
    if (y.kind === 'syntax') throw new ScenarioError('file', `${file}:${y.line ?? '?'}: not YAML: ${y.message}`);
    throw new ScenarioError('file', `${file}${y.line !== undefined ? `:${y.line}` : ''}: not YAML a scenario can be read from: ${y.message}`);
  }
  const fail = (path: Array<string | number>, msg: string): never => {
    const line = y.lineOf(path);
    throw new ScenarioError('file', `${file}${line !== undefined ? `:${line}` : ''}: ${path.length ? path.join('.') : '(top)'}: ${msg}`);
  };
  const raw = y.value as Record<string, any>;
  const validate = validator();
  if (!validate(raw)) {
    const e = pick(validate.errors!);
    fail(e.instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p)), words(e));
  }
  const steps: Step[] = (raw.steps as Array<Record<string, any>>).map((s, index) => {
    const kind = KINDS.find((k) => k in s)!;
    const { [kind]: verb, ...args } = s;
    return { kind, verb: String(verb), args, line: y.lineOf(['steps', index]) ?? 0, index };
  });
  checkIds(steps, (s, field, msg) => fail(['steps', s.index, field], msg));
  return { name: raw.name, title: raw.title, minutes: raw.minutes, teaches: raw.teaches, topology: raw.topology, api: raw.api === true, steps, file };
}

/** Traffic runs and captures: started once per id, stopped after their start, asserted on after their stop. */
function checkIds(steps: Step[], fail: (s: Step, field: string, msg: string) => never): void {
  const state = new Map<string, 'traffic' | 'capture'>();
  const stopped = new Set<string>();
  for (const s of steps) {
    const id = s.args.id as string | undefined;
    if (id === undefined) continue;
    const what = s.verb.startsWith('traffic') ? 'traffic' : 'capture';
    if (s.kind === 'do' && s.verb.endsWith('-start')) {
      if (state.has(id)) fail(s, 'id', `'${id}' is already the id of a ${state.get(id)}: give each run its own`);
      state.set(id, what);
    } else if (s.kind === 'do' && s.verb.endsWith('-stop')) {
      if (state.get(id) !== what) fail(s, 'id', `no ${what} '${id}' was started before this step (${s.verb.replace('-stop', '-start')} with id: ${id})`);
      if (stopped.has(id)) fail(s, 'id', `${what} '${id}' is already stopped`);
      stopped.add(id);
    } else if (s.kind === 'expect') {
      if (state.get(id) !== s.verb) fail(s, 'id', `no ${s.verb} '${id}' was started before this step`);
      if (!stopped.has(id)) fail(s, 'id', `${s.verb} '${id}' is asserted on before it stops: a ${s.verb}-stop step with id: ${id} comes first`);
    }
  }
}

/** A dotted field of a status answer (`kay.notSecured.code`, `secured`). */
export function fieldOf(value: unknown, field: string): unknown {
  let v: any = value;
  for (const k of field.split('.')) {
    if (v === null || v === undefined) return undefined;
    v = Array.isArray(v) && /^\d+$/.test(k) ? v[Number(k)] : v[k];
  }
  return v;
}

/** Whether `got` meets a step's bound (equals, notEquals, oneOf, atLeast, atMost), and the bound in words. */
export function meets(got: unknown, b: { equals?: unknown; notEquals?: unknown; oneOf?: unknown[]; atLeast?: number; atMost?: number }): { held: boolean; want: string } {
  const parts: string[] = [];
  let held = true;
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  if ('equals' in b) {
    parts.push(`= ${JSON.stringify(b.equals)}`);
    held &&= same(got, b.equals);
  }
  if ('notEquals' in b) {
    parts.push(`!= ${JSON.stringify(b.notEquals)}`);
    held &&= !same(got, b.notEquals);
  }
  if (b.oneOf) {
    parts.push(`one of ${b.oneOf.map((x) => JSON.stringify(x)).join(', ')}`);
    held &&= b.oneOf.some((x) => same(got, x));
  }
  if (b.atLeast !== undefined) {
    parts.push(`>= ${b.atLeast}`);
    held &&= typeof got === 'number' && got >= b.atLeast;
  }
  if (b.atMost !== undefined) {
    parts.push(`<= ${b.atMost}`);
    held &&= typeof got === 'number' && got <= b.atMost;
  }
  return { held, want: parts.join(' and ') || 'present' };
}
