/** The FreeSWITCH simulator: public surface. */
export { type Clock, DEFAULT_VIRTUAL_EPOCH, RealClock, type TimerHandle, VirtualClock } from './clock.js';
export {
  type Behaviour,
  type BehaviourInput,
  BehaviourSchema,
  type EndpointConfig,
  type EndpointInput,
  EndpointSchema,
  type NodeConfig,
  type NodeConfigInput,
  NodeConfigSchema,
  type ScriptStep,
  type SimFile,
  SimFileSchema,
} from './config.js';
export { FsEvent, type EventFormat, type HeaderValue, serializeEvent, serializeJson, serializePlain, serializeXml } from './event.js';
export { type NodeIdentity } from './event-factory.js';
export { fsUrlEncode } from './url-encode.js';
export { SimNode, type SimNodeOptions, startSimNode } from './node.js';
export { type SimCluster, type SimClusterOptions, startSimCluster } from './cluster.js';
export { SimPhone, type PhoneCall, type RegisterOutcome } from './sip/phone.js';
export type { Registration } from './sip/registrar.js';
export { digestResponse, ha1Of, md5 } from './sip/digest.js';
export type { Channel } from './call/channel.js';
export type { RingAttempt, RingLog } from './call/ring-log.js';
export type { DialplanAction } from './call/dialplan.js';
export { type DialLeg, type DialPart, type DialString, parseDialString } from './call/dial-string.js';
export type { XmlCurlBinding, XmlCurlExchange } from './xml-curl.js';
export { childrenNamed, firstChild, parseXml, xmlError, type XmlNode } from './xml-tree.js';
export { loadSimFile, parseSimFile } from './load-config.js';
export { runSimFromFile } from './run.js';
export { header, RawEslClient, type ServerFrame } from './test-support/raw-client.js';
export {
  dialplanXml,
  directoryXml,
  NOT_FOUND,
  TestXmlCurlServer,
  type TestUser,
  type XmlCurlRequest,
} from './test-support/xml-curl-server.js';
