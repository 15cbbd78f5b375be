// The handlers of the small protocols that run one request per connection
// (DICT, GOPHER/GOPHERS, TELNET, MQTT, RTSP as they land), in one list the registry
// takes, so that adding one touches neither the registry nor its neighbours.
import type { ProtocolHandler } from './handler.js';
import { DICT_HANDLER } from './dict.js';
import { GOPHER_HANDLER, GOPHERS_HANDLER } from './gopher.js';
import { TELNET_HANDLER } from './telnet.js';
import { MQTT_HANDLER } from './mqtt.js';
import { RTSP_HANDLER } from './rtsp.js';

export const SMALL_PROTOCOL_HANDLERS: readonly ProtocolHandler[] = [
  DICT_HANDLER, GOPHER_HANDLER, GOPHERS_HANDLER, TELNET_HANDLER, MQTT_HANDLER, RTSP_HANDLER,
];
