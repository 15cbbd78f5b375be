// The process-wide table of curl_socket_t numbers. Every transport the library
// opens (TCP, Unix, a resolver's wake-up source) gets a number that is unique in
// the process while it is open, so applications can key their own maps by it
// exactly as C programs key by file descriptor. Numbers are never reused, which
// also makes a stale number from a closed socket harmless (it is simply unknown).
import type { Transport } from './transport.js';

let nextSocketId = 3; // 0..2 look like stdio in C programs; start after them
const open = new Map<number, Transport>();

export function allocateSocketId(t: Transport): number {
  const id = nextSocketId++;
  open.set(id, t);
  return id;
}
export function releaseSocketId(id: number): void {
  open.delete(id);
}
export function lookupSocket(id: number): Transport | undefined {
  return open.get(id);
}
/** Number of library sockets open in this process (tests use it to prove cleanup). */
export function openSocketCount(): number {
  return open.size;
}
