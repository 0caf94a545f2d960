/**
 * The linux-peer guest image: built once per machine (the cache keeps it
 * between runs: one image build per CI run at most) and booted once under
 * QEMU (TCG), proving what the peer is made of: Linux's macsec driver takes a
 * SecY with a static SA, and wpa_supplicant has the macsec_linux driver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestConsole, buildImage, type LinuxPeerImage } from '../../src/lab/index.js';

describe('linux-peer image', () => {
  let img: LinuxPeerImage;
  let guest: GuestConsole | undefined;

  // Building takes minutes the first time on a machine (debootstrap), booting about a minute under TCG on a loaded one.
  beforeAll(async () => {
    img = await buildImage();
    guest = await GuestConsole.boot(img, { timeoutMs: 300_000 });
  }, 1_800_000);

  afterAll(async () => {
    await guest?.shutdown();
  }, 60_000);

  it("runs Debian's 6.1 kernel", async () => {
    const r = await guest!.run('uname -r');
    expect(r.status).toBe(0);
    expect(r.output.trim()).toBe(img.release);
  });

  it('has a macsec driver that takes a SecY and a static SA', async () => {
    const key = '0123456789abcdef0123456789abcdef';
    for (const line of [
      'ip link add d0 type dummy',
      'ip link add link d0 macsec0 type macsec port 1 encrypt on cipher gcm-aes-128',
      `ip macsec add macsec0 tx sa 0 pn 1 on key 01 ${key}`,
    ]) {
      const r = await guest!.run(line);
      expect(r, line).toMatchObject({ status: 0 });
    }
    const show = await guest!.run('ip macsec show macsec0');
    expect(show.status).toBe(0);
    expect(show.output).toMatch(/cipher suite: GCM-AES-128/);
    expect(show.output).toMatch(/0: PN \d+, state on, key 01/);
    // The key never comes back out of the kernel.
    expect(show.output).not.toContain(key);
    const bad = await guest!.run('ip link add link d0 macsec1 type macsec cipher no-such-suite');
    expect(bad.status).not.toBe(0);
  });

  it("has wpa_supplicant with the macsec_linux driver, and BIRD", async () => {
    const wpa = await guest!.run('wpa_supplicant -h');
    expect(wpa.output).toMatch(/macsec_linux/);
    const bird = await guest!.run('bird --version');
    expect(bird.output).toMatch(/BIRD version 2\./);
  });
});
