/**
 * A lab's `services` entries (contract §1): what runs for the lab beside its
 * nodes, as `{ name, port, url, pid }` in the lab's state file. The
 * supervisor writes its own; `dxlab api serve --lab` writes its entry the
 * same way when it hosts the API in the foreground, and removes it when it
 * stops. A client (`dxlab set` on a DX device) finds a lab's API here.
 */
import { readStateFile, writeStateFile } from '../../lab/index.js';

export interface ServiceEntry {
  name: string;
  port: number;
  url: string;
  pid: number;
}

function entries(value: Record<string, unknown>): ServiceEntry[] {
  const s = value.services;
  return Array.isArray(s) ? (s.filter((e) => typeof e === 'object' && e !== null && typeof (e as ServiceEntry).name === 'string') as ServiceEntry[]) : [];
}

/** The lab's entry of that name, if its state file has one. */
export function findService(lab: string, name: string): ServiceEntry | undefined {
  const r = readStateFile(lab);
  return r.status === 'ok' ? entries(r.value).find((e) => e.name === name) : undefined;
}

/**
 * Records an entry, replacing one of the same name.
 * @throws Error when the lab has no readable state file.
 */
export function addService(lab: string, entry: ServiceEntry): void {
  const r = readStateFile(lab);
  if (r.status !== 'ok') throw new Error(`lab ${lab}: no readable state file (${r.status === 'unreadable' ? r.reason : 'missing'})`);
  writeStateFile(lab, { ...r.value, services: [...entries(r.value).filter((e) => e.name !== entry.name), entry] });
}

/** Removes the entry of that name written by process `pid` (another process's entry stays). */
export function removeService(lab: string, name: string, pid: number): void {
  const r = readStateFile(lab);
  if (r.status !== 'ok') return;
  const kept = entries(r.value).filter((e) => !(e.name === name && e.pid === pid));
  const { services: _old, ...rest } = r.value;
  writeStateFile(lab, kept.length ? { ...rest, services: kept } : rest);
}
