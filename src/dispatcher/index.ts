// tscurl/dispatcher: an undici Dispatcher backed by tscurl (needs the undici package).
export { CurlDispatcher } from './curl-dispatcher.js';
export type { CurlDispatcherOptions } from './curl-dispatcher.js';
