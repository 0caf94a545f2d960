import { describe, expect, it } from 'vitest';
import { HELP_WIDTH_MAX, HELP_WIDTH_MIN, helpWidth, separateGluedHints } from '../../../src/cli/help-layout.js';

describe('helpWidth', () => {
  it("a terminal's width wins over COLUMNS, within the bounds", () => {
    expect(helpWidth(80, { COLUMNS: '60' })).toBe(80);
    expect(helpWidth(300, {})).toBe(HELP_WIDTH_MAX);
    expect(helpWidth(10, {})).toBe(HELP_WIDTH_MIN);
  });
  it('a pipe takes COLUMNS, or the maximum when COLUMNS is unset or not a number', () => {
    expect(helpWidth(undefined, { COLUMNS: '72' })).toBe(72);
    expect(helpWidth(undefined, {})).toBe(HELP_WIDTH_MAX);
    expect(helpWidth(undefined, { COLUMNS: 'wide' })).toBe(HELP_WIDTH_MAX);
    expect(helpWidth(undefined, { COLUMNS: '0' })).toBe(HELP_WIDTH_MAX);
  });
});

describe('separateGluedHints', () => {
  it('moves hints glued to the last word onto a line of their own, right-aligned', () => {
    const glued = '      --sa   sci=<16 hex>,pn=<first PN>][array] [required]';
    expect(separateGluedHints(glued, 60).split('\n')).toEqual(['      --sa   sci=<16 hex>,pn=<first PN>]', '                                          [array] [required]']);
    expect(separateGluedHints('  dxlab status   ports, BGP sessions[aliases: inspect]', 60).split('\n')[1]).toBe('[aliases: inspect]'.padStart(60));
  });
  it('leaves hints after a space, and brackets that are no hint, alone', () => {
    const fine = '      --json     one JSON document        [boolean] [default: false]\n      --sa  sak=<hex>[,ssci=N]';
    expect(separateGluedHints(fine, 80)).toBe(fine);
  });
});
