/**
 * How `--help` is laid out: the width it is wrapped to, and a repair of one
 * flaw of yargs 17's layout (cliui 8). Pure functions, tested with sample text.
 */

/** Help is never wider than this, so that lines stay readable on a wide screen. */
export const HELP_WIDTH_MAX = 110;
/** Below this yargs' two columns leave a few characters per line. */
export const HELP_WIDTH_MIN = 40;

/**
 * The width help text is wrapped to: the terminal's (`columns`, when stdout is
 * a terminal), else COLUMNS (a pipe, as GNU tools read it), else
 * HELP_WIDTH_MAX; always within HELP_WIDTH_MIN..HELP_WIDTH_MAX.
 */
export function helpWidth(columns: number | undefined, env: Record<string, string | undefined>): number {
  const fromEnv = Number(env.COLUMNS);
  const width = columns ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : HELP_WIDTH_MAX);
  return Math.max(HELP_WIDTH_MIN, Math.min(HELP_WIDTH_MAX, width));
}

/** The hints yargs writes right-aligned after a description: [boolean] [default: false] ... */
const GLUED_HINTS = /(\S)(\[(?:(?:boolean|string|number|array|count|required|deprecated)\]|(?:choices|default|aliases|deprecated): ).*)$/;

/**
 * yargs puts an option's or command's hints ("[string] [required]") at the
 * right end of the description's last line when they fit; cliui 8 also does
 * so when they fit with no space at all (its renderInline compares with <
 * where it needs <=), which glues them to the last word: "...PN>][array]".
 * Such hints move to a line of their own, right-aligned as yargs puts hints
 * that do not fit.
 */
export function separateGluedHints(text: string, width: number): string {
  return text
    .split('\n')
    .flatMap((line) => {
      const m = GLUED_HINTS.exec(line);
      if (!m) return [line];
      const cut = m.index + 1;
      return [line.slice(0, cut), m[2]!.padStart(width)];
    })
    .join('\n');
}
