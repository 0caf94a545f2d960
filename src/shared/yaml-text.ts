/**
 * A YAML file a user wrote (a topology, a scenario, a node configuration),
 * read for a loader that names the line of each problem. The caller hands
 * in the yaml module, which it loads on first use (a command that reads no
 * YAML does not pay for it; this layer loads nothing itself).
 *
 * Two things yaml would otherwise do behind the loader's back:
 * - a mapping key that is a list or a map (`[a, b]: x`, `? {a: 1}`) becomes
 *   the string of its contents, and yaml tells so with a Node.js process
 *   warning on stderr ("Keys with collection values will be stringified");
 *   no file dxlab reads has such a key, so it is refused here, with its line;
 * - other warnings (unknown tags) go to stderr the same way: logLevel
 *   'error' keeps them out, and what they concern is refused by the
 *   loader's schema, naming the field.
 */
import type * as Yaml from 'yaml';

/** What of the yaml module the reader uses. */
export type YamlModule = Pick<typeof Yaml, 'LineCounter' | 'parseDocument' | 'visit' | 'isCollection'>;

/** Why a text is not YAML that a loader can read: `line` where it is known. */
export interface YamlProblem {
  ok: false;
  /** `syntax`: not YAML; `content`: YAML, but aliases or keys dxlab does not read. */
  kind: 'syntax' | 'content';
  line?: number;
  message: string;
}

export interface YamlValue {
  ok: true;
  value: unknown;
  /** The line of the node at `path`, or of its nearest ancestor that has one. */
  lineOf(path: ReadonlyArray<string | number>): number | undefined;
}

export function readYamlText(yaml: YamlModule, text: string): YamlProblem | YamlValue {
  const { LineCounter, parseDocument, visit, isCollection } = yaml;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, logLevel: 'error' });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    return { ok: false, kind: 'syntax', line: e.linePos?.[0]?.line, message: e.message.split('\n')[0]! };
  }
  let collectionKey: YamlProblem | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (!isCollection(pair.key)) return undefined;
      const at = pair.key.range?.[0];
      collectionKey = { ok: false, kind: 'content', line: at === undefined ? undefined : lines.linePos(at).line, message: 'a key is a list or a map, not a name' };
      return visit.BREAK;
    },
  });
  if (collectionKey) return collectionKey;
  let value: unknown;
  try {
    // toJS resolves aliases: one that names no anchor, or too many of them (yaml's maxAliasCount, against
    // exponential expansion), throws a ReferenceError that parseDocument does not report as an error.
    value = doc.toJS();
  } catch (e) {
    return { ok: false, kind: 'content', message: (e as Error).message.split('\n')[0]! };
  }
  return {
    ok: true,
    value,
    lineOf(path) {
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
        if (node?.range) return lines.linePos(node.range[0]).line;
      }
      return undefined;
    },
  };
}
