/**
 * Guided training scenarios: a scenario file (lab/NAME/scenario.yaml,
 * checked against lab/scenario.schema.json; lab/README.md lists the steps)
 * and the runner that plays it on a lab and checks its assertions.
 *
 * @example
 * const { scenario, dir } = loadScenario('should-encrypt-fallback');
 * const r = await runScenario(scenario, dir, { onStep: (o) => console.log(o.text) });
 * process.exitCode = r.passed ? 0 : 1;
 */
export { parseScenario, fieldOf, meets, type Scenario, type Step, type StepKind } from './parse.js';
export { loadScenario, scenarioNames, LAB_ROOT, SCENARIO_FILE, GUIDE_FILE } from './catalog.js';
export { tryCommands } from './say.js';
export { runScenario, flatCounters, type RunOptions, type ScenarioResult, type StepOutcome } from './run.js';
export { census, etherType, type WireCensus } from './capture-check.js';
export { parsePingSummary, parseIperfReport, type TrafficResult } from './traffic.js';
export { ScenarioError, type ScenarioErrorCode } from './errors.js';
export { renderVendorConfig, VENDORS, PAE_GROUP_ADDRESS, type PortMacsecView, type Vendor } from './vendor-config.js';
