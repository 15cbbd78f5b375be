// CURLOPT_INTERFACE, CURLOPT_LOCALPORT and CURLOPT_LOCALPORTRANGE: where a
// TCP socket binds before it connects (libcurl's bindlocal()).
//
// INTERFACE takes "if!NAME" (an interface), "host!ADDRESS", "ifhost!IF!HOST"
// or a bare word tried as an interface name first, then as an address.
// libcurl binds to a named interface with SO_BINDTODEVICE; Node cannot set
// that option, so an interface name binds to the interface's own address of
// the connecting family (os.networkInterfaces()), which selects the same
// interface for the source address. Host names other than "localhost" are not
// resolved here (libcurl resolves them with a blocking call).
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

export type LocalAddress =
  | { ok: true; address: string | undefined; announce: boolean }
  | { ok: false; message: string };

export interface LocalBind {
  /** CURLOPT_LOCALPORT (0: any) */
  port: number;
  /** CURLOPT_LOCALPORTRANGE: how many consecutive ports to try */
  range: number;
  /** The local address to bind for a connection of `family`, or why there is none. */
  addressFor(family: 4 | 6, trace: (text: string) => void): LocalAddress;
}

const AF = { 4: 2, 6: 10 } as const; // AF_INET, AF_INET6 on Linux, as libcurl prints them

function interfaceAddress(name: string, family: 4 | 6): string | undefined | null {
  const list = networkInterfaces()[name];
  if (!list) return null;
  return list.find((a) => (family === 4 ? a.family === 'IPv4' : a.family === 'IPv6' && a.scopeid === 0))?.address;
}

function hostAddress(host: string, family: 4 | 6, trace: (text: string) => void): string | undefined {
  const h = host.replace(/^\[(.*)\]$/, '$1');
  let address: string | undefined;
  if (isIP(h) === family) address = h;
  else if (h.toLowerCase() === 'localhost') address = family === 4 ? '127.0.0.1' : '::1';
  if (address) trace(`Name '${h}' family ${AF[family]} resolved to '${address}' family ${AF[family]}`);
  return address;
}

export function localBind(iface: string | null, port: number, range: number): LocalBind | null {
  if (!iface && !port) return null;
  return {
    port,
    range,
    addressFor(family, trace) {
      if (!iface) return { ok: true, address: undefined, announce: false };
      let ifName: string | null = null;
      let host: string | null = null;
      if (iface.startsWith('if!')) ifName = iface.slice(3);
      else if (iface.startsWith('host!')) host = iface.slice(5);
      else if (iface.startsWith('ifhost!')) {
        const rest = iface.slice(7);
        const bang = rest.indexOf('!');
        if (bang < 0) return { ok: false, message: `Couldn't bind to interface '${rest}'` };
        ifName = rest.slice(0, bang);
        host = rest.slice(bang + 1);
      } else if (networkInterfaces()[iface]) ifName = iface;
      else host = iface;

      if (ifName !== null) {
        const a = interfaceAddress(ifName, family);
        if (a === null || (a === undefined && host === null)) return { ok: false, message: `Couldn't bind to interface '${ifName}'` };
        if (host === null) return { ok: true, address: a, announce: false };
      }
      const address = hostAddress(host!, family, trace);
      if (!address) {
        if (!iface.includes('!')) trace(`Could not resolve host: ${host}`);
        return { ok: false, message: `Couldn't bind to '${host}'` };
      }
      return { ok: true, address, announce: true };
    },
  };
}
