/**
 * The API's state: one SQLite file (better-sqlite3) holding every resource
 * of both services as a JSON document, with the columns the service looks
 * things up by (kind, id, region, name, parent, the time of its next timed
 * change).
 *
 * Every request runs in one transaction (`BEGIN IMMEDIATE`): a request that
 * fails leaves nothing behind, and concurrent requests (this process is
 * single-threaded; a second process on the same file waits on the lock) are
 * serialized. Write-ahead logging with synchronous=NORMAL: a commit is in the
 * WAL file before the answer is written, so killing the process (even with
 * SIGKILL) loses no answered request and never leaves half of one; a power
 * cut may lose the last commits (synchronous=FULL would fsync each one).
 * The file holds CAKs inside Direct Connect's secrets, so it is created
 * readable by its owner only.
 *
 * @example
 * const store = openStore('/var/lib/dxlab/api.sqlite');
 * store.tx(() => store.put('connection', 'dxcon-abc12345', { region: 'us-east-1' }, doc));
 */
import Database from 'better-sqlite3';
import { closeSync, openSync } from 'node:fs';

/** The kinds of resource stored. */
export type ResourceKind = 'connection' | 'lag' | 'vif' | 'secret';

/** Where a resource sits besides its id: its region, name, parent and next due time. */
export interface ResourceIndex {
  region: string;
  /** Secrets: the name (unique per region among live secrets). */
  name?: string | undefined;
  /** Connections: their LAG; VIFs: their connection or LAG. */
  parent?: string | undefined;
  /** Epoch ms of the next change that time makes by itself (state transitions, purges). */
  dueAt?: number | undefined;
}

export interface StoredDoc<T> {
  seq: number;
  doc: T;
}

const SCHEMA_VERSION = 1;

/** The store of one API service. Synchronous, like better-sqlite3. */
export interface ApiStore {
  /** Runs `fn` in one immediate transaction; a throw rolls everything back. */
  tx<T>(fn: () => T): T;
  get<T>(kind: ResourceKind, id: string): T | undefined;
  /** Inserts or replaces; a replaced resource keeps its place in listings. */
  put<T>(kind: ResourceKind, id: string, index: ResourceIndex, doc: T): void;
  remove(kind: ResourceKind, id: string): void;
  /** Resources of a kind in a region, in creation order, after `afterSeq`, at most `limit`. */
  list<T>(kind: ResourceKind, region: string, options?: { afterSeq?: number; limit?: number; parent?: string }): StoredDoc<T>[];
  /** Every resource of a kind whose parent is `parent`. */
  children<T>(kind: ResourceKind, parent: string): T[];
  /** Every resource of a kind, every region, in creation order (what is global: a Direct Connect gateway's VIFs). */
  all<T>(kind: ResourceKind): T[];
  findByName<T>(kind: ResourceKind, region: string, name: string): T | undefined;
  /** Resources whose due time has come. */
  due(now: number): { kind: ResourceKind; id: string }[];
  count(kind: ResourceKind): number;
  /** A value the service keeps about itself (e.g. that a lab's ports were seeded), or undefined. */
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  /** Every stored resource with its index columns, in creation order (tests, reconciliation). */
  dump(): { kind: ResourceKind; id: string; region: string; name: string | null; parent: string | null; dueAt: number | null; doc: unknown }[];
  close(): void;
}

/**
 * Opens (creating when needed) the store at `file`, or an in-memory one for
 * ':memory:'.
 *
 * @throws Error naming the file when it is not a dxlab API store of this schema
 *   (or not SQLite at all).
 */
export function openStore(file: string): ApiStore {
  if (file !== ':memory:') closeSync(openSync(file, 'a', 0o600));
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS resources (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      kind TEXT NOT NULL,
      id TEXT NOT NULL,
      region TEXT NOT NULL,
      name TEXT,
      parent TEXT,
      due_at INTEGER,
      doc TEXT NOT NULL,
      UNIQUE (kind, id)
    );
    CREATE INDEX IF NOT EXISTS resources_list ON resources (kind, region, seq);
    CREATE INDEX IF NOT EXISTS resources_parent ON resources (kind, parent);
    CREATE INDEX IF NOT EXISTS resources_name ON resources (kind, region, name);
    CREATE INDEX IF NOT EXISTS resources_due ON resources (due_at) WHERE due_at IS NOT NULL;
  `);
  const version = db.prepare('SELECT value FROM meta WHERE key = ?').get('schema') as { value: string } | undefined;
  if (version === undefined) db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema', String(SCHEMA_VERSION));
  else if (version.value !== String(SCHEMA_VERSION)) {
    db.close();
    throw new Error(`${file}: a dxlab API store of schema ${version.value}; this dxlab reads schema ${SCHEMA_VERSION}`);
  }

  const sGet = db.prepare('SELECT doc FROM resources WHERE kind = ? AND id = ?');
  const sSeq = db.prepare('SELECT seq FROM resources WHERE kind = ? AND id = ?');
  const sInsert = db.prepare('INSERT INTO resources (kind, id, region, name, parent, due_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const sUpdate = db.prepare('UPDATE resources SET region = ?, name = ?, parent = ?, due_at = ?, doc = ? WHERE seq = ?');
  const sRemove = db.prepare('DELETE FROM resources WHERE kind = ? AND id = ?');
  const sList = db.prepare('SELECT seq, doc FROM resources WHERE kind = ? AND region = ? AND seq > ? ORDER BY seq LIMIT ?');
  const sListParent = db.prepare('SELECT seq, doc FROM resources WHERE kind = ? AND region = ? AND parent = ? AND seq > ? ORDER BY seq LIMIT ?');
  const sChildren = db.prepare('SELECT doc FROM resources WHERE kind = ? AND parent = ? ORDER BY seq');
  const sAll = db.prepare('SELECT doc FROM resources WHERE kind = ? ORDER BY seq');
  const sByName = db.prepare('SELECT doc FROM resources WHERE kind = ? AND region = ? AND name = ? ORDER BY seq DESC LIMIT 1');
  const sDue = db.prepare('SELECT kind, id FROM resources WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, seq');
  const sCount = db.prepare('SELECT count(*) AS n FROM resources WHERE kind = ?');
  const sDump = db.prepare('SELECT kind, id, region, name, parent, due_at AS dueAt, doc FROM resources ORDER BY seq');
  const sMetaGet = db.prepare('SELECT value FROM meta WHERE key = ?');
  const sMetaSet = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const parse = <T>(row: { doc: string } | undefined): T | undefined => (row === undefined ? undefined : (JSON.parse(row.doc) as T));

  return {
    tx<T>(fn: () => T): T {
      return db.transaction(fn).immediate();
    },
    get<T>(kind: ResourceKind, id: string): T | undefined {
      return parse<T>(sGet.get(kind, id) as { doc: string } | undefined);
    },
    put<T>(kind: ResourceKind, id: string, index: ResourceIndex, doc: T): void {
      const text = JSON.stringify(doc);
      const row = sSeq.get(kind, id) as { seq: number } | undefined;
      if (row) sUpdate.run(index.region, index.name ?? null, index.parent ?? null, index.dueAt ?? null, text, row.seq);
      else sInsert.run(kind, id, index.region, index.name ?? null, index.parent ?? null, index.dueAt ?? null, text);
    },
    remove(kind: ResourceKind, id: string): void {
      sRemove.run(kind, id);
    },
    list<T>(kind: ResourceKind, region: string, options: { afterSeq?: number; limit?: number; parent?: string } = {}): StoredDoc<T>[] {
      const after = options.afterSeq ?? 0;
      const limit = options.limit ?? -1;
      const rows = (options.parent === undefined ? sList.all(kind, region, after, limit) : sListParent.all(kind, region, options.parent, after, limit)) as { seq: number; doc: string }[];
      return rows.map((r) => ({ seq: r.seq, doc: JSON.parse(r.doc) as T }));
    },
    children<T>(kind: ResourceKind, parent: string): T[] {
      return (sChildren.all(kind, parent) as { doc: string }[]).map((r) => JSON.parse(r.doc) as T);
    },
    all<T>(kind: ResourceKind): T[] {
      return (sAll.all(kind) as { doc: string }[]).map((r) => JSON.parse(r.doc) as T);
    },
    findByName<T>(kind: ResourceKind, region: string, name: string): T | undefined {
      return parse<T>(sByName.get(kind, region, name) as { doc: string } | undefined);
    },
    due(now: number): { kind: ResourceKind; id: string }[] {
      return sDue.all(now) as { kind: ResourceKind; id: string }[];
    },
    count(kind: ResourceKind): number {
      return (sCount.get(kind) as { n: number }).n;
    },
    getMeta(key: string): string | undefined {
      return (sMetaGet.get(key) as { value: string } | undefined)?.value;
    },
    setMeta(key: string, value: string): void {
      sMetaSet.run(key, value);
    },
    dump() {
      return (sDump.all() as { kind: ResourceKind; id: string; region: string; name: string | null; parent: string | null; dueAt: number | null; doc: string }[]).map((r) => ({
        ...r,
        doc: JSON.parse(r.doc) as unknown,
      }));
    },
    close(): void {
      db.close();
    },
  };
}
