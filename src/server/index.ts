export { startBroker, type BrokerOptions, type RunningBroker } from './broker.js';
export { HandlerRegistry, type ApiVersionRange } from './registry.js';
export { NO_RESPONSE, defineHandler, type Handler, type RequestContext } from './handler.js';
