export { ecallmgrWhapp, NAME, VERSION, type EcallmgrRuntime } from './whapp.js';
export { ecallmgrConfig, parseFsNodes, settingsOf, type EcallmgrSettings, type FsNodeConfig } from './config.js';
export * as xml from './domain/xml.js';
export { renderRoute, type RouteAnswer, type RenderedRoute } from './domain/dialplan.js';
export { dialString, legString, endpointTarget, type Endpoint, type DialContext } from './domain/dial-string.js';
export { dialValue, inertValue, xmlAttr } from './domain/escape.js';
