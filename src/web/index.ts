/**
 * The web view of a running lab (issue 22): the topology with each link's
 * MACsec state, the MKA timeline, counters over time and the trainer's
 * actions, live in a browser; as a lab service the supervisor hosts
 * (`dxlab up --ui`) or on its own (`dxlab ui`).
 *
 * @example
 * const view = await startWebView({ lab: 'router-dx', host: '127.0.0.1', port: 0, state: () => readLabState('router-dx')!, log: console.error });
 * console.log(view.url); // http://127.0.0.1:PORT/?token=...
 * await view.stop();
 */
import type { LabService } from '../lab/index.js';
import { WEB_BASE_PORT, WEB_SERVICE_NAME } from './constants.js';
import { startWebView, type ViaApi, type WebViewOptions } from './server.js';
import type { WebTls } from './tls.js';
import type { ScenarioHost } from './page-scenario.js';

export { WEB_BASE_PORT, WEB_POLL_MS, WEB_SERVICE_NAME, WEB_TOKEN_HEADER } from './constants.js';
export { WebError, type WebErrorCode } from './errors.js';
export { startClassView, type ClassRow, type ClassViewOptions } from './overview.js';
export { allowedHosts, hostAllowed, hostName } from './host-check.js';
export { selfSignedTls, subjectAltName, tlsFromFiles, type WebTls } from './tls.js';
export { PageScenario, type ScenarioHooks, type ScenarioHost, type ScenarioInfo, type ScenarioRunView, type ScenarioStepView } from './page-scenario.js';
export { cakChannel, isLoopbackAddress, startWebView, type RunningWebView, type ViaApi, type WebModel, type WebViewOptions } from './server.js';
export { connectionView, counterSample, endState, eventView, lagViews, linkView, nodeView, portView, type ConnectionView, type LagView, DROP_COUNTERS, TRAFFIC_COUNTERS, type LinkState, type LinkView, type NodeView, type PortView } from './view.js';

/** The web view as a service of the lab's supervisor (services.ts): name 'ui', from port WEB_BASE_PORT. */
export function labWebService(o: { viaApi?: ViaApi; tls?: WebTls; scenarios?: ScenarioHost; connections?: WebViewOptions['connections'] } = {}): LabService {
  return {
    name: WEB_SERVICE_NAME,
    basePort: WEB_BASE_PORT,
    start: (ctx) =>
      startWebView({
        lab: ctx.lab,
        host: ctx.host,
        port: ctx.port,
        state: ctx.state,
        ...(o.viaApi ? { viaApi: o.viaApi } : {}),
        ...(o.tls ? { tls: o.tls } : {}),
        ...(o.scenarios ? { scenarios: o.scenarios } : {}),
        ...(o.connections ? { connections: o.connections } : {}),
        log: (line, fields) => ctx.log(fields ? `${line} ${JSON.stringify(fields)}` : line),
      }),
  };
}
