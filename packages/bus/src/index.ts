export { Bus, type BusOptions, type PublishOptions } from './bus.js';
export { Consumer, handler, retryable, type ConsumeSpec, type Handler, type HandlerContext, type ReplyFields } from './consumer.js';
export { ReplyRouter, replyKey, type RequestFields, type RequestOptions, type CollectOptions } from './reply-router.js';
export type { BusObserver } from './observer.js';
export { DEAD_LETTER_EXCHANGE, DEAD_LETTER_QUEUE, declareTopology } from './topology.js';
export { decodeBody, encodeBody, MAX_BODY_BYTES } from './codec.js';
