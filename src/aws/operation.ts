/**
 * One operation of a service: the input shape its body is read against, and
 * the backend call that serves it (inside the request's transaction).
 */
import type { RequestContext } from './context.js';
import type { Shape } from './shape.js';

export interface Operation<B> {
  input: Shape & { type: 'structure' };
  run(backend: B, input: never, ctx: RequestContext): unknown;
}

/** An operation whose backend call takes the input typed as `I` (the shape guarantees it). */
export function op<B, I>(input: Shape & { type: 'structure' }, run: (backend: B, input: I, ctx: RequestContext) => unknown): Operation<B> {
  return { input, run: run as Operation<B>['run'] };
}
