/**
 * A lab's `services` entries (contract §1, LabState.services): what runs for
 * the lab beside its nodes. The supervisor writes its own; `dxlab api serve
 * --lab` writes its entry the same way when it hosts the API in the
 * foreground, and removes it when it stops. A client (`dxlab set` on a DX
 * device) finds a lab's API here. Written through updateLabState, which
 * re-reads the file first, as every writer of a lab's state does.
 */
import { readLabState, updateLabState, type LabServiceEntry } from '../../lab/index.js';

export type ServiceEntry = LabServiceEntry;

/** The lab's entry of that name, if its state file has one. */
export function findService(lab: string, name: string): ServiceEntry | undefined {
  try {
    return readLabState(lab)?.services?.find((e) => e.name === name);
  } catch {
    return undefined;
  }
}

/**
 * Records an entry, replacing one of the same name.
 * @throws Error when the lab has no readable state file.
 */
export function addService(lab: string, entry: ServiceEntry): void {
  const done = updateLabState(lab, (s) => {
    s.services = [...(s.services ?? []).filter((e) => e.name !== entry.name), entry];
  });
  if (!done) throw new Error(`lab ${lab}: no state file`);
}

/** Removes the entry of that name written by process `pid` (another process's entry stays). */
export function removeService(lab: string, name: string, pid: number): void {
  try {
    updateLabState(lab, (s) => {
      const kept = (s.services ?? []).filter((e) => !(e.name === name && e.pid === pid));
      if (kept.length) s.services = kept;
      else delete s.services;
    });
  } catch {
    // The lab went (dxlab down) before the service stopped: nothing to remove.
  }
}
