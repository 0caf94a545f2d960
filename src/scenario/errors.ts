/**
 * The scenario layer's error: `file` for a scenario file that is not YAML or
 * breaks its schema (the message names the file, the line and the field),
 * `notFound` for a scenario name with no folder in lab/, `step` for an
 * action the lab refused while a scenario ran.
 */
import { DxlabError } from '../shared/errors.js';

export type ScenarioErrorCode = 'file' | 'notFound' | 'step';

export class ScenarioError extends DxlabError<ScenarioErrorCode> {
  override readonly name = 'ScenarioError';
}
