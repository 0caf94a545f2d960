/**
 * `--quota NAME=N` (`dxlab api serve`, and `dxlab up --api-quota` for the
 * API its supervisor hosts): Direct Connect quotas raised as AWS raises
 * them on request (src/aws/directconnect/quotas.ts).
 */
import { DEFAULT_DX_QUOTAS, DX_QUOTA_NAMES, parseQuotaSettings, type DxQuotas } from '../aws/index.js';
import { CliError } from './errors.js';

/**
 * The quotas the option's values set.
 * @throws CliError('usage') naming the option and the bad value.
 */
export function quotaOption(values: readonly string[] | undefined, option = '--quota'): Partial<DxQuotas> {
  try {
    return parseQuotaSettings(values ?? []);
  } catch (e) {
    throw new CliError('usage', `${option}: ${(e as Error).message}`);
  }
}

export const QUOTA_HELP = `raise a Direct Connect quota as AWS does on request, NAME=N (repeatable): ${Object.entries(DX_QUOTA_NAMES)
  .map(([name, key]) => `${name} (AWS: ${DEFAULT_DX_QUOTAS[key]})`)
  .join(', ')}; with a lab, the lab's own ports and LAGs always fit`;
